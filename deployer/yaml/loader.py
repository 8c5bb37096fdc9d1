"""The node walker behind `deployer.yaml.nodes.load` (imports PyYAML, so it is loaded lazily)."""

from __future__ import annotations

from typing import Any

import yaml

from deployer.yaml.nodes import DuplicateKey, Mark, MDict, MList, YamlSyntaxError

try:  # the C composer is a hard requirement in production; the fallback keeps tests honest
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_SCALAR_TAGS: dict[str, str] = {}  # plain scalar text -> its implicit tag (short texts only)
_TAG_CACHE_MAX_LEN = 64


class _TaggingLoader(_Loader):
    """The C composer asks Python for the tag of every scalar; keys and enum-like values
    (`name`, `task_type`, `Shell`, `deps`...) repeat thousands of times in a repository, so
    the implicit tag of a short plain scalar is computed once. Without path resolvers (the
    safe loader has none) the tag depends on the text and on whether it was plain only."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode or len(value) > _TAG_CACHE_MAX_LEN:
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        if not implicit[0]:
            return _STR
        tag = _SCALAR_TAGS.get(value)
        if tag is None:
            tag = _SCALAR_TAGS[value] = super().resolve(  # type: ignore[no-untyped-call]
                kind, value, implicit)
        return tag


_BOOL = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOLTAG = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_ScalarNode = yaml.ScalarNode
_SequenceNode = yaml.SequenceNode
_MappingNode = yaml.MappingNode
_BUSY: Any = object()  # a collection node whose value is being built
_new_mark = tuple.__new__  # Mark(...) without the NamedTuple constructor's Python frame
# Values that aliases may add to a document once expanded (JSON encoding of a deploy payload,
# a digest, a report all expand them). A "billion laughs" document is refused at the anchor
# instead; the YAML that people write (shared task defaults, `<<: *defaults`) stays far below.
# A long text aliased many times expands the same way, so each KB of text counts as a value.
MAX_ALIAS_EXPANSION = 100_000
_KB = 1024


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def _int(text: str) -> int:
    text = text.replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    if text.startswith("0x"):
        return sign * int(text[2:], 16)
    if text.startswith("0o"):
        return sign * int(text[2:], 8)
    if text.startswith("0b"):
        return sign * int(text[2:], 2)
    if text.startswith("0") and len(text) > 1 and ":" not in text:
        return sign * int(text, 8)
    if ":" in text:  # YAML 1.1 sexagesimal, e.g. 1:30
        value = 0
        for part in text.split(":"):
            value = value * 60 + int(part)
        return sign * value
    return sign * int(text)


def _float(text: str) -> float:
    lowered = text.lower().replace("_", "")
    if lowered in (".inf", "+.inf"):
        return float("inf")
    if lowered == "-.inf":
        return float("-inf")
    if lowered == ".nan":
        return float("nan")
    return float(lowered)


class _Builder:
    """Values from nodes. An alias is the very node of its anchor: it is built once and
    shared (as PyYAML's constructor does), so an "alias bomb" costs its size in nodes,
    not the exponential size of its expansion; an anchor used inside itself is an error.
    """

    def __init__(self) -> None:
        self.duplicates: list[DuplicateKey] = []
        self.built: dict[int, Any] = {}  # id(collection node) -> its value, or _BUSY
        self.expanded = 0  # values added by aliases, had they been copied
        self.sizes: dict[int, int] = {}  # id(value) -> values in it once expanded
        self.long_texts: set[int] = set()  # id(scalar node) of the texts over a KB seen

    def _recursive(self, node: yaml.Node) -> YamlSyntaxError:
        return YamlSyntaxError("invalid YAML: an anchor is used inside itself (recursive "
                               "alias); repeat the content instead", _mark(node))

    def _count_alias(self, node: yaml.Node, value: Any) -> None:
        """Only alias re-use is counted, so a document without aliases pays nothing."""
        self.expanded += self._size(value)
        if self.expanded > MAX_ALIAS_EXPANSION:
            raise YamlSyntaxError(
                "invalid YAML: the aliases of this anchor expand to more than "
                f"{MAX_ALIAS_EXPANSION:,} values or KB of text (an alias bomb, \"billion "
                "laughs\"); "
                "repeat less or flatten the anchors", _mark(node))

    def _long_text(self, node: yaml.ScalarNode) -> None:
        """Scalars are not memoised, so an alias of a long text is seen by its node's id."""
        nid = id(node)
        if nid in self.long_texts:
            self._count_alias(node, node.value)
        else:
            self.long_texts.add(nid)

    def _size(self, value: Any) -> int:
        if not isinstance(value, dict | list):
            return 1 + len(value) // _KB if isinstance(value, str) else 1
        known = self.sizes.get(id(value))
        if known is None:
            items = value.values() if isinstance(value, dict) else value
            known = 1 + sum(self._size(item) for item in items)
            self.sizes[id(value)] = known
        return known

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        value: str = node.value
        if tag == _STR or node.style in ("'", '"', "|", ">"):
            return value
        try:
            if tag == _INT:
                return _int(value)
            if tag == _FLOAT:
                return _float(value)
            if tag == _BOOLTAG:
                return _BOOL[value.lower()]
        except (ValueError, KeyError):  # only an explicit tag forces these on other text
            short = tag.rsplit(":", 1)[-1]
            raise YamlSyntaxError(f"invalid YAML: {value[:40]!r} is not a valid !!{short}",
                                  _mark(node)) from None
        if tag == _NULL:
            return None
        # timestamps, binary and custom tags stay the text that was written
        return value

    def build(self, node: yaml.Node) -> Any:
        cls = type(node)
        if cls is _ScalarNode:
            if len(node.value) > _KB:
                self._long_text(node)  # type: ignore[arg-type]
            return self.scalar(node)  # type: ignore[arg-type]
        # Collections are built once per node, so an alias shares its anchor's value (as
        # PyYAML does) instead of re-expanding it: no exponential "billion laughs".
        nid = id(node)
        done = self.built.get(nid)
        if done is not None:
            if done is _BUSY:
                raise self._recursive(node)
            self._count_alias(node, done)
            return done
        self.built[nid] = _BUSY
        if cls is _SequenceNode:
            out: Any = self.sequence(node)  # type: ignore[arg-type]
        elif cls is _MappingNode:
            out = self.mapping(node)  # type: ignore[arg-type]
        else:
            raise YamlSyntaxError(f"unsupported YAML node {node.tag}", _mark(node))
        self.built[nid] = out
        return out

    def sequence(self, node: yaml.SequenceNode) -> MList:
        out = MList()
        sm = node.start_mark
        out.mark = _new_mark(Mark, (sm.line + 1, sm.column + 1))
        marks: list[Mark] = []
        out.item_marks = marks
        build = self.build
        for item in node.value:
            out.append(build(item))
            sm = item.start_mark
            marks.append(_new_mark(Mark, (sm.line + 1, sm.column + 1)))
        return out

    def _pairs(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        """Key/value node pairs with `<<` merges expanded, merged keys first (YAML merge spec)."""
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        own: list[tuple[yaml.Node, yaml.Node]] = []
        for key, value in node.value:
            if key.tag == _MERGE:
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for source in sources:
                    if isinstance(source, yaml.MappingNode):
                        merged.extend(self._pairs(source))
            else:
                own.append((key, value))
        if not merged:
            return own
        own_keys = {k.value for k, _ in own if isinstance(k, yaml.ScalarNode)}
        return [(k, v) for k, v in merged if k.value not in own_keys] + own

    def mapping(self, node: yaml.MappingNode) -> MDict:
        # The hot loop of every lint: marks are built inline (no helper call per node).
        out = MDict()
        sm = node.start_mark
        out.mark = _new_mark(Mark, (sm.line + 1, sm.column + 1))
        key_marks: dict[str, Mark] = {}
        value_marks: dict[str, Mark] = {}
        out.key_marks = key_marks
        out.value_marks = value_marks
        pairs = node.value
        has_merge = any(k.tag == _MERGE for k, _ in pairs)
        if has_merge:
            pairs = self._pairs(node)
        build = self.build
        for key_node, value_node in pairs:
            # a scalar key stays the text as written: `on` stays "on", `1` stays "1"
            key = key_node.value if type(key_node) is _ScalarNode else str(build(key_node))
            sm = key_node.start_mark
            kmark = _new_mark(Mark, (sm.line + 1, sm.column + 1))
            if key in out and not has_merge:
                self.duplicates.append(DuplicateKey(key, kmark, key_marks[key]))
            out[key] = build(value_node)
            key_marks[key] = kmark
            sm = value_node.start_mark
            value_marks[key] = _new_mark(Mark, (sm.line + 1, sm.column + 1))
        return out


def load(text: str) -> tuple[Any, list[DuplicateKey]]:
    """Parse one YAML document; returns (value, duplicate keys). Raises YamlSyntaxError."""
    loader = _TaggingLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        # An unterminated quote or bracket is found at end of file (problem_mark); the
        # place the user must fix is where it was opened (context_mark).
        unterminated = exc.context is not None and "while scanning" in exc.context
        mark = (exc.context_mark if unterminated else None) or exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1)
        problem = exc.problem or str(exc)
        context = f" ({exc.context})" if exc.context else ""
        raise YamlSyntaxError(f"invalid YAML: {problem}{context}", where) from exc
    except yaml.reader.ReaderError as exc:  # a control character: placed by its offset
        before = text[: exc.position]
        where = Mark(before.count("\n") + 1, exc.position - before.rfind("\n"))
        raise YamlSyntaxError(f"invalid YAML: {str(exc).splitlines()[0]}", where) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML: {exc}", Mark(1, 1)) from exc
    finally:
        loader.dispose()
    if node is None:
        return None, []
    builder = _Builder()
    try:
        return builder.build(node), builder.duplicates
    except RecursionError:
        raise YamlSyntaxError("invalid YAML: nested too deeply for a workflow file",
                              _mark(node)) from None
