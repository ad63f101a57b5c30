"""The single-table entry point: check one decision table under the assumptions and an
optional condition on the patients considered (benchmarks and tests call it directly).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from dsl import model as m
from dsl.codes import UNREACHABLE
from dsl.cond import reads
from dsl.diagnostics import diagnostic
from dsl.model import Value
from verify.context import Context, Session
from verify.counterexample import Minimiser, make_evidence
from verify.encode import Encoder
from verify.evaluate import evaluate
from verify.results import DEFAULT_OPTIONS, CheckResult, SolverOptions, Verdict
from verify.tables.checker import MAX_GAPS, DecisionChecker


def table_context(session: Session, condition: m.Cond | None) -> Context:
    """The context "assumptions and `condition`" (None: every patient)."""
    enc = session.enc
    model = enc.model
    conds = [a.cond for a in model.assumptions]
    if condition is not None:
        conds.append(condition)
    names = frozenset(v for c in conds for v, _ in reads(c))

    def holds(p: Mapping[str, Value]) -> bool:
        return all(evaluate(c, p) for c in conds)

    formula = enc.encode(condition) if condition is not None else enc.true
    return Context(session=session, formula=formula, holds_fn=holds, vars=names, trivial=not conds, conds=conds)


def unreachable_result(decision: m.Decision, check: str, t0: float, *, why: str = "") -> CheckResult:
    """The result for a decision no patient reaches (its table checks would be vacuous)."""
    diag = diagnostic(
        code=UNREACHABLE,
        message=f"decision '{decision.name}' is never reached by any patient{why}",
        span=decision.span,
        hint="the conditions on every path to it (with the assumptions) exclude every patient",
        evidence=make_evidence(check, "refuted"),
    )
    return CheckResult(check, Verdict.REFUTED, diag, time.perf_counter() - t0)


def check_decision(
    model: m.Model,
    decision: m.Decision | str,
    context: m.Cond | None = None,
    options: SolverOptions = DEFAULT_OPTIONS,
    *,
    max_gaps: int = MAX_GAPS,
) -> list[CheckResult]:
    """Gaps, conflicts, redundancy, masked and dead rules of one decision table.

    `context` restricts the patients considered (with the model's assumptions); None
    means every patient. Results use the ids of `verify_graph`.
    """
    d = model.decision(decision) if isinstance(decision, str) else decision
    t0 = time.perf_counter()
    enc = Encoder(model)
    session = Session(enc, options)
    ctx = table_context(session, context)
    if not ctx.trivial:
        res = ctx.query()
        if res.verdict is Verdict.PROVED:
            return [unreachable_result(d, f"unreachable:decision:{d.name}", t0)]
        if res.verdict is Verdict.REFUTED:
            assert res.model is not None
            ctx.samples.append(Minimiser(model).improve(res.model, ctx.holds))
    return DecisionChecker(d, ctx, max_gaps=max_gaps).run()
