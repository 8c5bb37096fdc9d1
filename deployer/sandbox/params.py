"""Request parameters as Spring's `@RequestParam` binds them: query string first, then the
form body; a missing or unconvertible required value raises `MissingParam`."""

from __future__ import annotations

from typing import Any

from deployer.sandbox.status import ApiError, MissingParam

__all__ = ["REQUIRED", "Params"]

REQUIRED: Any = object()


class Params:
    def __init__(self, values: dict[str, list[str]], path: dict[str, str]) -> None:
        self.values = values
        self.path = path

    def opt(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[0] if found else None

    def text(self, name: str, default: Any = REQUIRED) -> Any:
        value = self.opt(name)
        if value is None:
            if default is REQUIRED:
                raise MissingParam(name)
            return default
        return value

    def num(self, name: str, default: Any = REQUIRED) -> Any:
        value = self.opt(name)
        if value is None or value == "":
            if default is REQUIRED:
                raise MissingParam(name)
            return default
        try:
            return int(value)
        except ValueError:
            raise MissingParam(name, f"Failed to convert '{value}' for '{name}'") from None

    def enum(self, name: str, names: tuple[str, ...], default: Any = REQUIRED) -> Any:
        value = self.text(name, default)
        if value is None or value in names:
            return value
        raise MissingParam(name, f"No enum constant {name}.{value}")

    def var(self, name: str) -> int:
        """A numeric path variable (`long`/`int` in Java)."""
        try:
            return int(self.path[name])
        except ValueError:
            raise MissingParam(name, f"Failed to convert path variable '{name}'") from None

    def paging(self) -> tuple[int, int]:
        page_no, page_size = self.num("pageNo"), self.num("pageSize")
        if page_no <= 0 or page_size <= 0:
            raise ApiError(10001, "pageNo" if page_no <= 0 else "pageSize")
        return page_no, page_size
