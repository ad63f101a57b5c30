"""Run every `example` of a spec against the compiled graph (VP308 when it differs)."""

from __future__ import annotations

import time

from compiler.graph import DecisionGraph
from dsl import model as m
from dsl.codes import EXAMPLE_FAILED
from dsl.diagnostics import Note, diagnostic
from dsl.evidence import Assignment, PathStep
from verify.counterexample import make_evidence, rule_name, unit_of
from verify.results import CheckResult, Report, Verdict
from verify.simulate import Trace, simulate


def _outcome(orders: tuple[str, ...] | None, end: str | None, error: str | None = None) -> str:
    head = "" if orders is None else ("no orders" if not orders else "orders " + ", ".join(orders))
    tail = f"end {end}" if end is not None else f"stops: {error}"
    return f"{head} then {tail}" if head else tail


def check_example(graph: DecisionGraph, example: m.Example, check: str) -> CheckResult:
    t0 = time.perf_counter()
    trace = simulate(graph, dict(example.given))
    orders_ok = example.expect_orders is None or trace.orders == example.expect_orders
    if trace.error is None and trace.end == example.expect_end and orders_ok:
        return CheckResult(check, Verdict.PROVED, None, time.perf_counter() - t0)
    expected = _outcome(example.expect_orders, example.expect_end)
    actual = _outcome(trace.orders, trace.end, trace.error)
    if trace.missing:
        names = ", ".join(f"'{n}'" for n in trace.missing)
        message = f"example '{example.title}' does not give a value for {names}, needed at decision '{trace.decision}'"
        hint = "add the value to 'given', or check that the example takes the path you meant"
    elif trace.error is not None:
        message = f"example '{example.title}' does not reach a disposition: {trace.error}"
        hint = "the pathway or the example is wrong; the path below shows where it stops"
    else:
        what = []
        if not orders_ok:
            what.append("other orders")
        if trace.end != example.expect_end:
            what.append("another disposition")
        message = f"example '{example.title}' gives {' and '.join(what)} than expected"
        hint = "the pathway or the example is wrong; the path below shows which rules applied"
    notes = _divergence(graph, example, trace)
    diag = diagnostic(
        code=EXAMPLE_FAILED,
        message=message,
        span=example.span,
        hint=hint,
        notes=notes,
        evidence=make_evidence(
            check,
            "refuted",
            patient=[Assignment(name=k, value=v, unit=unit_of(graph.model.variable(k))) for k, v in example.given],
            path=[PathStep(kind=s.kind, text=s.text, span=s.span) for s in trace.steps],
            expected=expected,
            actual=actual,
        ),
    )
    return CheckResult(check, Verdict.REFUTED, diag, time.perf_counter() - t0)


def _divergence(graph: DecisionGraph, example: m.Example, trace: Trace) -> tuple[Note, ...]:
    """The rule taken where the actual run first departs from the expected one."""
    expected = example.expect_orders
    count = 0
    last_rule: str | None = None
    for step in trace.steps:
        if step.kind == "decision":
            last_rule = step.rule
        elif step.kind == "order":
            actions = graph.actions_of(step.node)
            for a in actions:
                if expected is not None and (count >= len(expected) or expected[count] != a):
                    return _rule_note(graph, last_rule, f"'{a}' is ordered here")
                count += 1
        elif step.kind == "end":
            if expected is not None and count < len(expected):
                return _rule_note(graph, last_rule, f"the pathway ends before ordering '{expected[count]}'")
            if trace.end != example.expect_end:
                return _rule_note(graph, last_rule, f"the pathway ends in '{trace.end}' here")
    return ()


def _rule_note(graph: DecisionGraph, rule_id: str | None, message: str) -> tuple[Note, ...]:
    if rule_id is None:
        return ()
    name, _, _ = rule_id.partition(".")
    for r in graph.model.decision(name).rules:
        if r.id == rule_id:
            return (Note(message=f"{message} (decision '{name}', rule '{rule_name(r)}')", span=r.span),)
    return ()


def run_examples(graph: DecisionGraph) -> Report:
    """Every example of the spec, in source order; ids "example:TITLE" (with "#k" for repeats)."""
    report = Report()
    seen: dict[str, int] = {}
    for ex in graph.model.examples:
        seen[ex.title] = seen.get(ex.title, 0) + 1
        check = f"example:{ex.title}" + (f"#{seen[ex.title]}" if seen[ex.title] > 1 else "")
        report.results.append(check_example(graph, ex, check))
    return report
