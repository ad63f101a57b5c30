"""Dead rules: a rule no patient who reaches the decision matches (DEAD_RULE).

A typical point of the rule's box, completed from a sample patient of the context, is a
witness; Z3 is asked only when that point leaves the context or the rule is not a box.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from dsl import model as m
from dsl.codes import DEAD_RULE
from dsl.diagnostics import diagnostic
from verify.counterexample import (
    make_evidence,
    rule_name,
    rule_text,
)
from verify.evaluate import evaluate
from verify.results import CheckResult, Verdict
from verify.tables.unknown import unknown_result

if TYPE_CHECKING:
    from verify.tables.checker import DecisionChecker


def check_dead(ck: DecisionChecker) -> list[CheckResult]:
    """Dead-rule results, one per main rule; records each rule's liveness and witness for the later checks."""
    out: list[CheckResult] = []
    for info in ck.infos:
        t0 = time.perf_counter()
        rule = info.rule
        cid = ck.check_id("dead", rule)
        if info.box is not None:
            if ck.ctx.trivial and info.exact:
                info.live = True  # a witness is made when needed (see _witness)
                out.append(ck.proved(cid, t0))
                continue
            p = ck.ctx.witness_in(ck.space, info.box)
            if p is not None and (info.exact or evaluate(rule.cond, p)):
                info.live, info.witness = True, p
                out.append(ck.proved(cid, t0))
                continue
            res = ck.ctx.query(ck.enc.encode(rule.cond))
            if res.verdict is Verdict.REFUTED:
                assert res.model is not None
                info.live, info.witness = True, res.model
                out.append(ck.proved(cid, t0))
                continue
            if res.verdict is Verdict.UNKNOWN:
                what = f"rule '{rule_name(rule)}' of decision '{ck.name}' can match"
                out.append(unknown_result(cid, what, rule.span, res.reason, t0))
                continue
        info.live = False
        out.append(dead_result(ck, cid, rule, t0))
    return out


def dead_result(ck: DecisionChecker, cid: str, rule: m.Rule, t0: float, *, otherwise: bool = False) -> CheckResult:
    """The DEAD_RULE result for a rule (or the `otherwise` rule) that matches no patient in the context."""
    who = "who can reach the decision" if not ck.ctx.trivial else ""
    if otherwise:
        message = (
            f"the 'otherwise' rule of decision '{ck.name}' never applies: the rules above match every "
            f"patient {who}".rstrip()
        )
        hint = "remove it, or check whether the rules above are meant to overlap less"
    else:
        message = f"rule '{rule_name(rule)}' of decision '{ck.name}' matches no patient {who}".rstrip()
        hint = f"its condition contradicts the assumptions or the conditions on every path to '{ck.name}'"
    diag = diagnostic(
        code=DEAD_RULE,
        message=message,
        span=rule.span,
        hint=hint,
        evidence=make_evidence(cid, "refuted", condition=rule_text(rule, ck.model)),
    )
    return CheckResult(cid, Verdict.REFUTED, diag, time.perf_counter() - t0)
