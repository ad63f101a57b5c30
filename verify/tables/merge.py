"""One decision's checks from the checks of its copies (repeated studies).

After a study is repeated, a decision reads the latest results: where paths reach it with
different numbers of orders of the study, it is checked once per copy (`Decision.key`: the
same rules reading `us_result`, or `us_result#2`, ...), each copy in the context of the
patients who reach it. What the author wrote is one decision, so its findings are reported
once, with the check ids they always had:

  gap, conflict, redundant overlap   found in any copy (gaps renumbered `gap:D`, `gap:D:2`, ...,
                                     at most MAX_GAPS of them)
  dead rule                          the rule matches no patient in any copy
  masked rule                        the rule never applies in any copy where it can match

A check undecided in one copy and not settled by another is undecided (VP309).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from verify.results import CheckResult, Verdict
from verify.tables.checker import MAX_GAPS


def merge_copies(name: str, copies: Sequence[Sequence[CheckResult]]) -> list[CheckResult]:
    """The checks of decision `name` from those of its copies (each list in report order)."""
    by_id: dict[str, list[CheckResult]] = {}
    for results in copies:
        for r in results:
            by_id.setdefault(r.check, []).append(r)
    gap = f"gap:{name}"
    # rules some copy could not decide to match anyone: that copy may let them apply
    unsure = {r.check.removeprefix("dead:"): r for rs in by_id.values() for r in rs if _undecided(r, "dead:")}
    out: list[CheckResult] = []
    overlaps = False
    for check, found in by_id.items():
        kind = check.partition(":")[0]
        if check == gap or check.startswith(gap + ":") or check == f"conflicts:{name}":
            continue  # gaps and the overlap summary below
        if kind in ("dead", "masked"):
            doubt = unsure.get(check.removeprefix("masked:")) if kind == "masked" else None
            out.append(_all_copies(found, doubt))
        else:  # a conflict or a redundant overlap found in some copy
            out.append(_any_copy(found))
            overlaps = True
    if not overlaps and f"conflicts:{name}" in by_id:
        out.append(by_id[f"conflicts:{name}"][0])
    out.extend(_gaps(gap, [r for rs in copies for r in rs if r.check == gap or r.check.startswith(gap + ":")]))
    return out


def _undecided(r: CheckResult, prefix: str) -> bool:
    return r.check.startswith(prefix) and r.verdict is Verdict.UNKNOWN


def _all_copies(found: list[CheckResult], doubt: CheckResult | None) -> CheckResult:
    """A finding that holds only if it holds in every copy: passed if any copy passes it;
    undecided if a copy could not decide it, or (`doubt`) whether the rule can match there."""
    for verdict in (Verdict.PROVED, Verdict.UNKNOWN):
        hit = next((r for r in found if r.verdict is verdict), None)
        if hit is not None:
            return hit
    return found[0] if doubt is None else _renamed(doubt, found[0].check)


def _any_copy(found: list[CheckResult]) -> CheckResult:
    """A finding that holds if it holds in some copy."""
    return next((r for r in found if r.verdict is Verdict.REFUTED), found[0])


def _gaps(gap: str, found: list[CheckResult]) -> list[CheckResult]:
    """The uncovered regions of every copy, numbered in order; one undecided result if a copy was."""
    regions = [r for r in found if r.verdict is Verdict.REFUTED][:MAX_GAPS]
    out = [_renamed(r, gap if k == 0 else f"{gap}:{k + 1}") for k, r in enumerate(regions)]
    unknown = next((r for r in found if r.verdict is Verdict.UNKNOWN), None)
    if unknown is not None:
        out.append(_renamed(unknown, f"{gap}:rest" if regions else gap))
    elif not regions:
        out.append(next(r for r in found if r.verdict is Verdict.PROVED))
    return out


def _renamed(r: CheckResult, check: str) -> CheckResult:
    """The result under another check id (in its diagnostic's evidence too)."""
    if r.check == check:
        return r
    diag = r.diagnostic
    if diag is not None and diag.evidence is not None:
        diag = replace(diag, evidence=replace(diag.evidence, check=check))
    return CheckResult(check, r.verdict, diag, r.seconds)
