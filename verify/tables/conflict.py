"""Overlaps: two rules that both apply to a patient, with different outcomes (a conflict)
or the same one (a redundant overlap, where the hit policy allows one matching rule).

Candidate pairs come from the per-dimension bitset index, then an exact box intersection,
then a typical point of the intersection; Z3 only when that point leaves the context.
No pair is sent to Z3 unless its boxes overlap (or a rule is not a box).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

import z3

from dsl import model as m
from dsl.codes import CONFLICT, REDUNDANT_OVERLAP
from dsl.diagnostics import Note, diagnostic
from dsl.model import Value
from verify.box import Box, intersect, intersects
from verify.budgets import (
    MAX_PIECE_TRIES,
    PRIORITY_TIE_WORK,
)
from verify.counterexample import (
    make_evidence,
    rule_name,
)
from verify.overlaps import overlapping_pairs
from verify.reach import rule_score
from verify.results import CheckResult, Verdict
from verify.solver import Patient
from verify.tables.unknown import unknown_result
from verify.uncovered import BudgetExceeded, Uncovered

if TYPE_CHECKING:
    from verify.tables.checker import DecisionChecker


def outcome_text(rule: m.Rule) -> str:
    """What a rule does, as the path step of a conflict shows it ("order mri then d2")."""
    parts = []
    if rule.orders:
        parts.append("order " + m.orders_text(rule.orders))
    if rule.goto is not None:
        parts.append(f"then {rule.goto}")
    if rule.end is not None:
        parts.append(f"end {rule.end}")
    return " ".join(parts)


def check_conflicts(ck: DecisionChecker) -> list[CheckResult]:
    """Conflict and redundant-overlap results for the pairs the hit policy forbids to overlap."""
    t_all = time.perf_counter()
    policy = ck.decision.hit_policy
    n = len(ck.infos)
    # the live rules whose boxes meet (boxes over-approximate inexact rules: a superset of the overlaps)
    pairs = overlapping_pairs(ck.space, ck.index.boxes, [k for k in range(n) if ck.infos[k].live is True])
    out: list[CheckResult] = []
    for i in sorted(pairs):
        a = ck.infos[i]
        for j in pairs[i]:
            b = ck.infos[j]
            same = a.rule.outcome == b.rule.outcome
            if policy == "any" and same:
                continue
            if policy == "priority" and (same or rule_score(a.rule) != rule_score(b.rule)):
                continue
            t0 = time.perf_counter()
            res = overlap_patient(ck, i, j)
            if res is None:
                continue
            out.append(res if isinstance(res, CheckResult) else conflict_result(ck, i, j, res, t0))
    if not any(r.verdict is not Verdict.PROVED for r in out):
        out.append(ck.proved(f"conflicts:{ck.name}", t_all))
    return out


def both_apply(ck: DecisionChecker, i: int, j: int, p: Mapping[str, Value]) -> bool:
    """Whether rules i and j both apply to the patient under the hit policy, in the context."""
    if not ck.ctx.holds(p):
        return False
    if ck.all_exact and ck.decision.hit_policy not in ("first", "priority"):
        # every matching rule applies, and a rule matches where its box holds the patient's point:
        # rules i and j decide it alone, without finding every rule that matches
        point = ck.point_of(p)
        box_i, box_j = ck.infos[i].box, ck.infos[j].box
        assert box_i is not None and box_j is not None  # both rules are live
        return intersects(box_i, point) and intersects(box_j, point)
    top = ck.applies(p)
    return ck.infos[i].rule.index in top and ck.infos[j].rule.index in top


def overlap_patient(ck: DecisionChecker, i: int, j: int) -> Patient | CheckResult | None:
    """A patient to whom both rules apply; None if there is none; a result if unknown."""
    a, b = ck.infos[i], ck.infos[j]
    assert a.box is not None and b.box is not None
    priority = ck.decision.hit_policy == "priority"
    inter = intersect(a.box, b.box)
    if inter is None:
        return None  # even over-approximations do not meet
    for w in (a.witness, b.witness):
        if w is not None and both_apply(ck, i, j, w):
            return w
    if a.exact and b.exact:
        tries: list[Box] = [inter]
        if priority:
            higher = [k for k in ck.index.meeting(inter) if ck.pre_mask(i) >> k & 1]
            if all(ck.infos[k].exact for k in higher):
                tries = []
                try:
                    covers = [c for c in (ck.infos[k].box for k in higher) if c is not None]
                    for piece in Uncovered(ck.space, covers, inter, budget=PRIORITY_TIE_WORK):
                        tries.append(piece)
                        if len(tries) >= MAX_PIECE_TRIES:
                            break
                except BudgetExceeded:
                    tries = [inter]
                if not tries:
                    return None
        for piece in tries:
            p = ck.ctx.witness_in(ck.space, piece)
            if p is not None and both_apply(ck, i, j, p):
                return p
    parts = [ck.enc.encode(a.rule.cond), ck.enc.encode(b.rule.cond)]
    if priority:
        assert a.box is not None
        higher = [k for k in ck.index.meeting(a.box) if ck.pre_mask(i) >> k & 1]
        parts.append(z3.Not(ck.enc.or_(ck.enc.encode(ck.infos[k].rule.cond) for k in higher)))
    res = ck.ctx.query(*parts)
    if res.verdict is Verdict.REFUTED:
        assert res.model is not None
        return res.model
    if res.verdict is Verdict.PROVED:
        return None
    t0 = time.perf_counter()
    cid = ck.check_id("conflict", a.rule, b.rule)
    return unknown_result(
        cid,
        f"rules '{rule_name(a.rule)}' and '{rule_name(b.rule)}' of decision '{ck.name}' overlap",
        b.rule.span,
        res.reason,
        t0,
    )


def conflict_result(ck: DecisionChecker, i: int, j: int, p: Patient, t0: float) -> CheckResult:
    """The CONFLICT or REDUNDANT_OVERLAP result for rules i and j, with a simplified patient."""
    a, b = ck.infos[i].rule, ck.infos[j].rule
    same = a.outcome == b.outcome
    p = ck.minimiser.improve(p, lambda q: both_apply(ck, i, j, q))
    policy = ck.decision.hit_policy
    if same:
        cid = ck.check_id("redundant", a, b)
        code = REDUNDANT_OVERLAP
        message = (
            f"rules '{rule_name(a)}' and '{rule_name(b)}' of decision '{ck.name}' overlap "
            f"(same outcome, but '{policy}' allows one matching rule)"
        )
        hint = "merge the two rules, or make their conditions exclusive"
    else:
        cid = ck.check_id("conflict", a, b)
        code = CONFLICT
        if policy == "priority":
            message = (
                f"rules '{rule_name(a)}' and '{rule_name(b)}' of decision '{ck.name}' both match some patients "
                f"with the same rating score ({rule_score(a)}) but give different outcomes"
            )
            hint = "change one rating, or make the conditions exclusive"
        else:
            message = (
                f"rules '{rule_name(a)}' and '{rule_name(b)}' of decision '{ck.name}' both match some patients "
                f"but give different outcomes"
            )
            hint = "make the conditions exclusive, or use hit policy 'first' if the order is meant to decide"
    final = (
        f"rules {rule_name(a)} ({outcome_text(a)}) and {rule_name(b)} ({outcome_text(b)}) both match"
        if not same
        else f"rules {rule_name(a)} and {rule_name(b)} both match"
    )
    steps, revealed = ck.path(p, final, b.cond_span, explain=(a, b))
    diag = diagnostic(
        code=code,
        message=message,
        span=b.span,
        hint=hint,
        notes=(Note(message=f"overlaps rule '{rule_name(a)}' here", span=a.span),),
        evidence=make_evidence(cid, "refuted", patient=ck.shown(p, revealed), path=steps, rules=[a.id, b.id]),
    )
    return CheckResult(cid, Verdict.REFUTED, diag, time.perf_counter() - t0)
