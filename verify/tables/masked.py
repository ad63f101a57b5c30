"""Masked rules: under 'first' or 'priority', a rule that never applies because the rules
that pre-empt it match every patient it matches.

First a witness of the rule that no pre-empting rule matches; else the part of the rule's
box that the pre-empting boxes leave uncovered; else Z3.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

import z3

from dsl.codes import MASKED_RULE
from dsl.diagnostics import Note, diagnostic
from dsl.model import Value
from verify.budgets import (
    MASKED_WORK,
    MAX_PIECE_TRIES,
)
from verify.counterexample import (
    make_evidence,
    rule_name,
)
from verify.evaluate import evaluate
from verify.results import CheckResult, Verdict
from verify.tables.unknown import unknown_result
from verify.uncovered import BudgetExceeded, Uncovered

if TYPE_CHECKING:
    from verify.tables.checker import DecisionChecker


def check_masked(ck: DecisionChecker) -> list[CheckResult]:
    """Masked-rule results for the live rules of a 'first' or 'priority' table."""
    out: list[CheckResult] = []
    for k, info in enumerate(ck.infos):
        if info.live is not True:
            continue
        t0 = time.perf_counter()
        rule = info.rule
        cid = ck.check_id("masked", rule)
        pre = ck.pre_mask(k)
        if not pre:
            out.append(ck.proved(cid, t0))
            continue
        w = ck.rule_witness(info)
        assert info.box is not None
        if not ck.matched(w, pre):
            out.append(ck.proved(cid, t0))
            continue
        meeting = [j for j in ck.index.meeting(info.box) if pre >> j & 1]
        verdict: Verdict | None = None
        if info.exact and all(ck.infos[j].exact for j in meeting):
            covers = [ck.infos[j].box for j in meeting]
            unc = Uncovered(ck.space, [c for c in covers if c is not None], info.box, budget=MASKED_WORK)
            pieces = 0
            try:
                for piece in unc:
                    pieces += 1
                    p = ck.ctx.witness_in(ck.space, piece)
                    if p is not None:
                        verdict = Verdict.PROVED
                        break
                    if pieces >= MAX_PIECE_TRIES:
                        break
                else:
                    if pieces == 0:
                        verdict = Verdict.REFUTED
            except BudgetExceeded:
                pass
        reason = None
        if verdict is None:
            others = ck.enc.or_(ck.enc.encode(ck.infos[j].rule.cond) for j in meeting)
            res = ck.ctx.query(ck.enc.encode(rule.cond), z3.Not(others))
            # a patient to whom the rule applies (REFUTED) means the rule is not masked
            verdict = {Verdict.REFUTED: Verdict.PROVED, Verdict.PROVED: Verdict.REFUTED}.get(
                res.verdict, Verdict.UNKNOWN
            )
            reason = res.reason
        if verdict is Verdict.PROVED:
            out.append(ck.proved(cid, t0))
        elif verdict is Verdict.UNKNOWN:
            out.append(
                unknown_result(
                    cid, f"rule '{rule_name(rule)}' of decision '{ck.name}' ever applies", rule.span, reason, t0
                )
            )
        else:
            out.append(masked_result(ck, cid, k, meeting, t0))
    return out


def masked_result(ck: DecisionChecker, cid: str, k: int, meeting: list[int], t0: float) -> CheckResult:
    """The MASKED_RULE result for rule k, with a simplified patient it matches but that a pre-empting rule takes."""
    info = ck.infos[k]
    rule = info.rule
    cond = rule.cond

    def holds(q: Mapping[str, Value]) -> bool:
        return evaluate(cond, q) and ck.ctx.holds(q) and rule.index not in ck.applies(q)

    p = ck.minimiser.improve(ck.rule_witness(info), holds)
    winner = ck.decision.rules[ck.applies(p)[0] - 1] if ck.applies(p) else None
    first = ck.decision.hit_policy == "first"
    final = f"rule {rule_name(rule)} matches, but " + (
        f"rule {rule_name(winner)} applies {'first' if first else 'with a higher rating'}" if winner else "not it"
    )
    steps, revealed = ck.path(p, final, rule.cond_span, explain=(rule, winner) if winner else (rule,))
    by = "earlier rules" if first else "rules with a higher rating"
    notes = tuple(
        Note(message=f"pre-empted by rule '{rule_name(ck.infos[j].rule)}'", span=ck.infos[j].rule.span)
        for j in meeting[:5]
    )
    diag = diagnostic(
        code=MASKED_RULE,
        message=f"rule '{rule_name(rule)}' of decision '{ck.name}' never applies: {by} match every patient it matches",
        span=rule.span,
        hint="reorder the rules, narrow the earlier ones, or remove this one"
        if first
        else "change the ratings or narrow the higher-rated rules",
        notes=notes,
        evidence=make_evidence(cid, "refuted", patient=ck.shown(p, revealed), path=steps),
    )
    return CheckResult(cid, Verdict.REFUTED, diag, time.perf_counter() - t0)
