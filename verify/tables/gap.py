"""Gaps: patients who reach the decision and whom no rule matches (GAP).

The complement of the union of the rule boxes, by a k-d split, each uncovered piece widened
to a maximal box (the region reported) and confirmed by a witness or Z3. Tables whose rules
are not all boxes, or whose split exceeds its budget, fall back to Z3 with blocking clauses.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import z3

from dsl.codes import GAP
from dsl.diagnostics import Note, diagnostic
from dsl.model import Value
from verify.box import Box, with_item
from verify.budgets import (
    MAX_UNREACHABLE_PIECES,
    gap_work,
)
from verify.counterexample import (
    make_evidence,
    region_of,
)
from verify.encode import Encoder
from verify.results import CheckResult, Verdict
from verify.solver import Patient
from verify.space import Space
from verify.tables.dead import dead_result
from verify.tables.unknown import unknown_result
from verify.uncovered import BudgetExceeded, Uncovered, widen

if TYPE_CHECKING:
    from verify.tables.checker import DecisionChecker


@dataclass
class Gap:
    box: Box
    region: str
    patient: Patient
    space: Space  # the coordinates of `box`
    line: str | None = None  # a point on a line where a comparison of several numbers turns: its variable


def box_formula(enc: Encoder, space: Space, box: Box) -> Any:
    """The Z3 formula of a box, to confirm or block a region with the solver."""
    parts = []
    for i, d in enumerate(space.dims):
        item = box[i]
        if item == space.full[i]:
            continue
        x = enc.vars[d.var]
        if d.kind == "bool":
            parts.append(x if item == 0b10 else z3.Not(x))
        elif d.kind == "enum":
            assert isinstance(item, int)
            parts.append(enc.or_(x == k for k in range(len(d.values)) if item >> k & 1))
        elif d.kind == "int":
            assert isinstance(item, tuple)
            parts.extend([x >= item[0], x <= item[1]])
        else:
            assert isinstance(item, tuple)
            lo, lo_open, hi, hi_open = space.real_bounds(d, item[0], item[1])
            parts.append(x > enc.num(lo) if lo_open else x >= enc.num(lo))
            parts.append(x < enc.num(hi) if hi_open else x <= enc.num(hi))
    return enc.and_(parts)


def check_gaps(ck: DecisionChecker) -> list[CheckResult]:
    """Gap results (up to `max_gaps` regions); with an `otherwise` rule, its dead check instead."""
    t0 = time.perf_counter()
    cap = 1 if ck.otherwise is not None else ck.max_gaps
    # For an `otherwise` rule only a patient is needed (its witness), never a region to report:
    # no widening, which on inexact rules costs a Z3 query per step of every dimension.
    gaps, more, unknown = find_gaps(ck, cap, widen_regions=ck.otherwise is None)
    out: list[CheckResult] = []
    gid = f"gap:{ck.name}"
    if ck.otherwise is not None:
        oid = ck.check_id("dead", ck.otherwise)
        if gaps:
            ck.otherwise_witness = gaps[0].patient
            out.append(ck.proved(oid, t0))
        elif unknown is not None:
            out.append(
                unknown_result(
                    oid,
                    f"the 'otherwise' rule of decision '{ck.name}' ever applies",
                    ck.otherwise.span,
                    unknown,
                    t0,
                )
            )
        else:
            out.append(dead_result(ck, oid, ck.otherwise, t0, otherwise=True))
        out.append(ck.proved(gid, t0))  # `otherwise` covers every remaining patient
        return out
    for k, gap in enumerate(gaps):
        cid = gid if k == 0 else f"{gid}:{k + 1}"
        last = k == len(gaps) - 1
        out.append(gap_result(ck, cid, gap, more and last, t0))
    if unknown is not None:
        out.append(
            unknown_result(
                f"{gid}:rest" if gaps else gid,
                f"decision '{ck.name}' covers every patient who can reach it",
                ck.decision.span,
                unknown,
                t0,
            )
        )
    elif not gaps:
        out.append(ck.proved(gid, t0))
    return out


def gap_result(ck: DecisionChecker, cid: str, gap: Gap, more: bool, t0: float) -> CheckResult:
    """The GAP result for one uncovered region, with a simplified patient in it."""

    def holds(q: Mapping[str, Value]) -> bool:
        return gap.space.contains_patient(gap.box, q) and ck.ctx.holds(q) and not ck.matched(q)

    p = ck.minimiser.improve(gap.patient, holds)
    steps, revealed = ck.path(p, f"no rule of decision {ck.name} matches", ck.decision.span)
    notes: tuple[Note, ...] = ()
    if gap.line is not None:
        notes = (
            Note(
                message=f"the uncovered patients are bounded by a comparison of several numbers (such as "
                f"'a > 2 * b'), not a box: the region around this patient holds a single value of '{gap.line}', "
                "and further uncovered patients are not listed one by one"
            ),
        )
    elif more:
        notes = (Note(message=f"further uncovered regions are not listed (limit {ck.max_gaps} per decision)"),)
    diag = diagnostic(
        code=GAP,
        message=f"decision '{ck.name}' does not cover every patient who can reach it",
        span=ck.decision.span,
        hint="add a rule for these patients (an 'uncovered' disposition with a reason if the sources are silent)",
        notes=notes,
        evidence=make_evidence(
            cid,
            "refuted",
            patient=ck.shown(p, revealed),
            path=steps,
            region=region_of(ck.model, gap.space, gap.box),
        ),
    )
    return CheckResult(cid, Verdict.REFUTED, diag, time.perf_counter() - t0)


def find_gaps(ck: DecisionChecker, cap: int, *, widen_regions: bool = True) -> tuple[list[Gap], bool, str | None]:
    """Up to `cap` disjoint uncovered regions with a reachable patient each; more? unknown reason.

    `widen_regions=False`: only the patients matter; a region found by Z3 is the patient's own point."""
    gaps: list[Gap] = []
    blocked: list[Box] = []
    if ck.all_exact:
        try:
            return box_gaps(ck, cap, gaps, blocked)
        except BudgetExceeded:
            pass
    return z3_gaps(ck, cap, gaps, blocked, widen_regions=widen_regions)


def box_gaps(ck: DecisionChecker, cap: int, gaps: list[Gap], blocked: list[Box]) -> tuple[list[Gap], bool, str | None]:
    """Uncovered regions by the box split; raises BudgetExceeded to hand over to Z3."""
    covers = [i.box for i in ck.infos if i.box is not None]
    budget = gap_work(len(covers), len(ck.space.dims))
    unc = Uncovered(ck.space, covers, ck.space.full, budget=budget)
    unknown: str | None = None
    for piece in unc:
        region = widen(ck.space, piece, ck.index, extra=[g.box for g in gaps])
        p = ck.ctx.witness_in(ck.space, region) or ck.ctx.witness_in(ck.space, piece)
        if p is None:
            res = ck.ctx.query(box_formula(ck.enc, ck.space, region))
            if res.verdict is Verdict.REFUTED:
                p = res.model
            elif res.verdict is Verdict.UNKNOWN:
                unknown = res.reason
                unc.add_cover(region)
                blocked.append(region)
                continue
            else:
                unc.add_cover(region)
                blocked.append(region)
                if len(blocked) > MAX_UNREACHABLE_PIECES:
                    raise BudgetExceeded
                continue
        assert p is not None
        if len(gaps) >= cap:
            return gaps, True, unknown
        gaps.append(Gap(region, ck.space.describe(region), p, ck.space))
        unc.add_cover(region)
    return gaps, False, unknown


def z3_gaps(
    ck: DecisionChecker, cap: int, gaps: list[Gap], blocked: list[Box], *, widen_regions: bool = True
) -> tuple[list[Gap], bool, str | None]:
    """Uncovered regions by Z3 with blocking clauses, after those already found."""
    enc = ck.enc
    anyrule = enc.or_(enc.encode(i.rule.cond) for i in ck.infos)
    blocks = [box_formula(enc, g.space, g.box) for g in gaps]
    blocks.extend(box_formula(enc, ck.space, b) for b in blocked)
    while True:
        res = ck.ctx.query(z3.Not(anyrule), *(z3.Not(b) for b in blocks))
        if res.verdict is Verdict.PROVED:
            return gaps, False, None
        if res.verdict is Verdict.UNKNOWN:
            return gaps, False, res.reason
        assert res.model is not None
        if len(gaps) >= cap:
            return gaps, True, None
        patient = res.model
        if ck.all_exact:
            space = ck.space
            point = space.point_box(patient)
            region = widen(space, point, ck.index, extra=[g.box for g in gaps]) if widen_regions else point
            gaps.append(Gap(region, space.describe(region), patient, space))
        else:
            patient = ck.minimiser.improve(patient, lambda q: _uncovered(ck, q, gaps, blocked))
            space = space_around(ck, patient)
            point = space.point_box(patient)
            if not widen_regions:
                gaps.append(Gap(point, space.describe(point), patient, space))
                blocks.append(box_formula(enc, space, point))
                continue
            region = widen_z3(ck, space, point, enc.or_([anyrule, *blocks]))
            line = _on_a_line(ck, space, region)
            gaps.append(Gap(region, space.describe(region), patient, space, line))
            if line is not None:  # every other point of the line would be one more region: say so once
                return gaps, False, None
        blocks.append(box_formula(enc, space, region))


def _uncovered(ck: DecisionChecker, q: Mapping[str, Value], gaps: list[Gap], blocked: list[Box]) -> bool:
    """Whether a patient reaches the decision, matches no rule, and lies in no region already reported
    (the minimiser's test for a gap patient of a decision whose rules are not all boxes)."""
    if not ck.ctx.holds(q) or ck.matched(q):
        return False
    return not any(g.space.contains_patient(g.box, q) for g in gaps) and not any(
        ck.space.contains_patient(b, q) for b in blocked
    )


def _on_a_line(ck: DecisionChecker, space: Space, region: Box) -> str | None:
    """The real number (if any) that the widened region holds at one value that is no threshold of the
    decision, where a comparison of several numbers reads it: the uncovered patients then lie on the
    line where that comparison turns (`a = 2 * b`), and every point of it would be one more region."""
    linear = {v for terms, _ in ck.linear for v, _ in terms}
    thresholds = {d.var: set(d.points) for d in ck.space.dims}
    for i, d in enumerate(space.dims):
        item = region[i]
        if d.kind != "real" or d.var not in linear or not isinstance(item, tuple) or item[0] != item[1]:
            continue
        value = space.real_bounds(d, item[0], item[1])[0]
        if value not in thresholds.get(d.var, ()):
            return d.var
    return None


def space_around(ck: DecisionChecker, patient: Patient) -> Space:
    """The space with extra points for comparisons over several numbers: the patient's values,
    and where each such comparison turns for one variable while the others keep the patient's
    values (`x < 2 * y`: x at twice the patient's y). Z3 confirms every region widened on it."""
    extra: dict[str, list[Fraction]] = {}
    for d in ck.space.dims:
        if d.kind == "real":
            v = patient[d.var]
            assert isinstance(v, Fraction)
            points = extra.setdefault(d.var, [v])
            for terms, k in ck.linear:
                coef = dict(terms).get(d.var)
                if coef is None:
                    continue
                rest = Fraction(0)
                for other, c in terms:
                    if other != d.var:
                        w = patient[other]
                        assert isinstance(w, Fraction)
                        rest += c * w
                points.append((k - rest) / coef)
    return Space(ck.model, [r.cond for r in ck.main], extra_points=extra)


def widen_z3(ck: DecisionChecker, space: Space, box: Box, taken: Any) -> Box:
    """Grow a box while no patient in it who reaches the decision is `taken` (matched, or reported)."""

    def ok(b: Box) -> bool:
        res = ck.ctx.query(box_formula(ck.enc, space, b), taken)
        return res.verdict is Verdict.PROVED

    if not ok(box):
        return box  # cannot happen with the patient's values as points; keep the point
    for i in range(len(space.dims)):
        full = space.full[i]
        item = box[i]
        if ok(with_item(box, i, full)):
            box = with_item(box, i, full)
            continue
        if isinstance(item, int):
            assert isinstance(full, int)
            for v in range(full.bit_length()):
                if full >> v & 1 and not item >> v & 1 and ok(with_item(box, i, item | 1 << v)):
                    item |= 1 << v
            box = with_item(box, i, item)
            continue
        assert isinstance(item, tuple) and isinstance(full, tuple)
        lo, hi = item
        a, b = full[0], lo  # the smallest lower bound that still works, in [full, lo]
        while a < b:
            mid = (a + b) // 2
            if ok(with_item(box, i, (mid, hi))):
                b = mid
            else:
                a = mid + 1
        lo = a
        a, b = hi, full[1]  # the largest upper bound, in [hi, full]
        while a < b:
            mid = (a + b + 1) // 2
            if ok(with_item(box, i, (lo, mid))):
                a = mid
            else:
                b = mid - 1
        box = with_item(box, i, (lo, a))
    return box
