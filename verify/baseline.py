"""The naive baseline for benchmarks: one Z3 query per pair of rules, per rule, per decision.

Same checks and check ids as `tables.check_decision`, without boxes, indexes or
witnesses. Counterexamples are raw solver models (no simplification).
"""

from __future__ import annotations

import time

import z3

from dsl import model as m
from dsl.codes import CONFLICT, DEAD_RULE, GAP, MASKED_RULE, REDUNDANT_OVERLAP, UNKNOWN_RESULT, Code
from dsl.diagnostics import diagnostic
from verify.context import Session
from verify.counterexample import assignments, make_evidence, rule_name
from verify.encode import Encoder
from verify.reach import Guards, rule_score
from verify.results import DEFAULT_OPTIONS, CheckResult, SolverOptions, Verdict
from verify.solver import SolverResult
from verify.tables import table_context, unreachable_result


def _result(model: m.Model, check: str, res: SolverResult, code: Code, message: str, t0: float) -> CheckResult:
    """A query that looks for a problem: a model means the check is refuted."""
    seconds = time.perf_counter() - t0
    if res.verdict is Verdict.PROVED:
        return CheckResult(check, Verdict.PROVED, None, seconds)
    if res.verdict is Verdict.UNKNOWN:
        diag = diagnostic(
            code=UNKNOWN_RESULT,
            message=f"could not decide {check} (solver: {res.reason})",
            span=None,
            evidence=make_evidence(check, "unknown", reason=res.reason or "unknown"),
        )
        return CheckResult(check, Verdict.UNKNOWN, diag, seconds)
    patient = assignments(model, res.model or {}, (res.model or {}).keys())
    diag = diagnostic(code=code, message=message, span=None, evidence=make_evidence(check, "refuted", patient=patient))
    return CheckResult(check, Verdict.REFUTED, diag, seconds)


def _inverted(res: SolverResult) -> SolverResult:
    """The result of a query that looks for a match, as one that looks for the lack of one."""
    return {
        Verdict.REFUTED: SolverResult(Verdict.PROVED),
        Verdict.PROVED: SolverResult(Verdict.REFUTED, model={}),
        Verdict.UNKNOWN: res,
    }[res.verdict]


def check_decision_naive(
    model: m.Model,
    decision: m.Decision | str,
    context: m.Cond | None = None,
    options: SolverOptions = DEFAULT_OPTIONS,
) -> list[CheckResult]:
    d = model.decision(decision) if isinstance(decision, str) else decision
    enc = Encoder(model)
    guards = Guards(enc)
    session = Session(enc, options, guards)
    ctx = table_context(session, context)
    if not ctx.trivial:
        t0 = time.perf_counter()
        if ctx.query().verdict is Verdict.PROVED:
            return [unreachable_result(d, f"unreachable:decision:{d.name}", t0)]
    conds = [enc.encode(r.cond) for r in d.rules]
    eff = guards.effective(d.name)
    out: list[CheckResult] = []
    live: list[bool] = []
    for r, c in zip(d.rules, conds, strict=True):
        t0 = time.perf_counter()
        res = ctx.query(c)
        live.append(res.verdict is Verdict.REFUTED)
        # dead iff no patient matches: the query looks for a match, so invert
        name = f"dead:{d.name}:{rule_name(r)}"
        out.append(_result(model, name, _inverted(res), DEAD_RULE, f"rule {rule_name(r)} is dead", t0))
    if d.hit_policy in ("first", "priority"):
        for k, (r, e) in enumerate(zip(d.rules, eff, strict=True)):
            if not live[k] or r.is_otherwise:
                continue
            t0 = time.perf_counter()
            res = ctx.query(e)
            name = f"masked:{d.name}:{rule_name(r)}"
            out.append(_result(model, name, _inverted(res), MASKED_RULE, f"rule {rule_name(r)} is masked", t0))
    if d.hit_policy != "first":
        rules = d.rules
        for i in range(len(rules)):
            for j in range(i + 1, len(rules)):
                a, b = rules[i], rules[j]
                if a.is_otherwise or b.is_otherwise or not (live[i] and live[j]):
                    continue
                same = a.outcome == b.outcome
                if d.hit_policy == "any" and same:
                    continue
                parts = [conds[i], conds[j]]
                if d.hit_policy == "priority":
                    if same or rule_score(a) != rule_score(b):
                        continue
                    parts = [eff[i], eff[j]]
                t0 = time.perf_counter()
                res = ctx.query(*parts)
                if res.verdict is Verdict.PROVED:
                    continue
                kind, code = ("redundant", REDUNDANT_OVERLAP) if same else ("conflict", CONFLICT)
                name = f"{kind}:{d.name}:{rule_name(a)}:{rule_name(b)}"
                out.append(_result(model, name, res, code, f"rules {rule_name(a)} and {rule_name(b)} overlap", t0))
    t0 = time.perf_counter()
    res = ctx.query(z3.Not(enc.or_(conds)))
    out.append(_result(model, f"gap:{d.name}", res, GAP, f"decision {d.name} has a gap", t0))
    return out
