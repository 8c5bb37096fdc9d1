"""The verdict of one replay: every difference allowed, regressed or unexplained, counted.

    replay 3.2.2 (dialect 3.2): 1022 exchanges compared, 38 endpoints, 3 files
      equal: 900 exchanges; with differences: 122 (all allowed)
      allowed by kind: data.order 56, data.type 300, envelope.msg 41
      ...
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from deployer.sandbox.replay.allowances import Allowance, Allowances
from deployer.sandbox.replay.compare import Difference
from deployer.sandbox.replay.recording import Exchange
from deployer.sandbox.replay.replayer import Replay

__all__ = ["Verdict", "judge"]

EXAMPLES = 2


@dataclass
class Verdict:
    replay: Replay
    allowances: Allowances
    allowed: Counter[Allowance] = field(default_factory=Counter)
    allowed_kinds: Counter[str] = field(default_factory=Counter)
    unexplained: dict[tuple[str, str, str, str], list[tuple[Exchange, Difference]]] = field(
        default_factory=dict)
    regressions: dict[Allowance, list[tuple[Exchange, Difference]]] = field(default_factory=dict)
    clean: int = 0

    @property
    def stale(self) -> list[Allowance]:
        return [a for a in self.allowances.allowed if not self.allowed[a] and not a.sometimes]

    @property
    def ok(self) -> bool:
        return not (self.unexplained or self.regressions or self.stale
                    or self.replay.internal_errors)

    def lines(self) -> list[str]:
        rep = self.replay
        rec = rep.recording
        total = sum(self.allowed.values())
        endpoints = {r.exchange.endpoint for r in rep.results}
        out = [f"replay {rec.name} (dialect {rec.dialect}): {len(rep.results)} exchanges "
               f"compared, {len(endpoints)} endpoints, {len(rec.files)} files",
               f"  equal: {self.clean} exchanges; differences: {total} allowed, "
               f"{sum(len(v) for v in self.unexplained.values())} unexplained, "
               f"{sum(len(v) for v in self.regressions.values())} regressed",
               "  allowed by kind: " + (", ".join(
                   f"{k} {n}" for k, n in sorted(self.allowed_kinds.items())) or "none")]
        for allowance in self.allowances.allowed:
            out.append(f"    {self.allowed[allowance]:>5}  {allowance.label()}: "
                       f"{allowance.reason}")
        for allowance in self.allowances.fixed:
            seen = sum(1 for r in rep.results if _endpoint_match(allowance, r.exchange))
            verdict = "REGRESSED" if allowance in self.regressions else "equal"
            out.append(f"  fixed ({verdict} in {seen} exchanges): {allowance.label()} "
                       f"[{allowance.test or 'the recording itself'}]")
        for signature, found in self.unexplained.items():
            out.append(f"  UNEXPLAINED x{len(found)}: {' | '.join(s for s in signature if s)}")
            out.extend(_examples(found))
        for allowance, found in self.regressions.items():
            out.append(f"  REGRESSION x{len(found)} of fixed: {allowance.label()}")
            out.extend(_examples(found))
        out.extend(f"  STALE allowance (matches nothing): {a.label()}" for a in self.stale)
        out.extend(f"  SANDBOX ERROR: {e}" for e in rep.internal_errors)
        return out


def _endpoint_match(allowance: Allowance, ex: Exchange) -> bool:
    from fnmatch import fnmatchcase

    return fnmatchcase(ex.endpoint, allowance.endpoint)


def _examples(found: list[tuple[Exchange, Difference]]) -> list[str]:
    return [f"      e.g. {ex.file}:{ex.line} {ex.test} ({ex.phase}): recorded={d.recorded} "
            f"sandbox={d.sandbox}" for ex, d in found[:EXAMPLES]]


def judge(rep: Replay, allowances: Allowances) -> Verdict:
    verdict = Verdict(rep, allowances)
    for result in rep.results:
        if not result.differences:
            verdict.clean += 1
        for diff in result.differences:
            test = result.exchange.test
            fixed = allowances.regression(diff, test)
            allowance = allowances.allowance_for(diff, test)
            if fixed is not None and allowance is None:
                verdict.regressions.setdefault(fixed, []).append((result.exchange, diff))
            elif allowance is not None:
                verdict.allowed[allowance] += 1
                verdict.allowed_kinds[diff.kind] += 1
            else:
                verdict.unexplained.setdefault(diff.signature, []).append(
                    (result.exchange, diff))
    return verdict
