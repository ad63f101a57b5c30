"""Run every `example` of a spec against the compiled graph.

An example is three-valued: the facts it leaves out are unknown (docs/language.md, "Examples").
VP318 when its facts break an assumption (it is then not run), VP308 when the pathway answers
otherwise or its facts do not determine the path, VP319 (a warning on a passed example) when it
gives facts that no decision on its path and no assumption reads.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from compiler.graph import DecisionGraph
from dsl import model as m
from dsl.codes import EXAMPLE_BREAKS_ASSUMPTION, EXAMPLE_FAILED, UNREAD_EXAMPLE_FACT
from dsl.cond import reads
from dsl.diagnostics import Diagnostic, Note, diagnostic
from dsl.evidence import Assignment, PathStep
from dsl.model import result_label
from dsl.source import Span
from verify.counterexample import cond_text, make_evidence, rule_name, unit_of
from verify.evaluate import evaluate3
from verify.results import CheckResult, Report, Verdict
from verify.simulate import Trace, simulate


def _outcome(orders: tuple[m.OrderItem, ...] | None, end: str | None, error: str | None = None) -> str:
    head = "" if orders is None else ("no orders" if not orders else "orders " + m.orders_text(orders))
    tail = f"end {end}" if end is not None else f"stops: {error}"
    return f"{head} then {tail}" if head else tail


def check_example(graph: DecisionGraph, example: m.Example, check: str) -> CheckResult:
    """Run the example: VP318 if its facts break an assumption (then it is not run), VP308 if the
    pathway answers otherwise, and a passed example with a VP319 warning if it gives facts its path
    never reads."""
    t0 = time.perf_counter()
    broken = _assumption_diagnostic(graph.model, example, check)
    if broken is not None:
        return CheckResult(check, Verdict.REFUTED, broken, time.perf_counter() - t0)
    trace = simulate(graph, dict(example.given))
    # at a choice the example states the option taken: it passes if that is one of the options
    orders_ok = example.expect_orders is None or m.orders_match(example.expect_orders, trace.orders)
    if trace.error is None and trace.end == example.expect_end and orders_ok:
        unread = _unread_diagnostic(graph, example, trace, check)
        return CheckResult(check, Verdict.PROVED, unread, time.perf_counter() - t0)
    expected = _outcome(example.expect_orders, example.expect_end)
    actual = _outcome(trace.orders, trace.end, trace.error)
    if trace.missing:
        names = ", ".join(f"'{result_label(n)}'" for n in trace.missing)
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
            patient=_patient(graph.model, example),
            path=[PathStep(kind=s.kind, text=s.text, span=s.span) for s in trace.steps],
            expected=expected,
            actual=actual,
        ),
    )
    return CheckResult(check, Verdict.REFUTED, diag, time.perf_counter() - t0)


def _patient(model: m.Model, example: m.Example) -> list[Assignment]:
    return [Assignment(name=k, value=v, unit=unit_of(model.variable(k))) for k, v in example.given]


def assumption_text(a: m.Assumption, model: m.Model) -> str:
    """How messages name an assumption: its title, else its condition."""
    return a.title if a.title is not None else cond_text(a.cond, model)


def broken_assumptions(model: m.Model, given: Mapping[str, m.Fact]) -> list[m.Assumption]:
    """The assumptions the given facts make false, three-valued (Kleene): an assumption that reads a
    fact left out is unknown unless the given facts decide it, and an unknown one is not broken. A
    finding given several results must satisfy them with each (`dsl.model.fact_views`)."""
    views = list(m.fact_views(model, given))
    return [a for a in model.assumptions if any(evaluate3(a.cond, view) is False for view in views)]


def unread_facts(graph: DecisionGraph, given: Iterable[str], trace: Trace) -> list[str]:
    """The given facts (in their order) that no decision on the trace's path and no assumption reads.

    `given` may name results (`us_result#2`, `dsl.model.flatten_facts`): a result counts as read
    only where a decision reads it, as the latest result of its finding."""
    model = graph.fresh_model  # the decisions as they read later results, the assumptions for each
    read: set[str] = {name for a in model.assumptions for name, _ in reads(a.cond)}
    for step in trace.steps:
        if step.kind == "decision":
            decision = model.decision(graph.table_key(step.node))
            read.update(name for r in decision.rules for name, _ in reads(r.cond))
    return [name for name in given if name not in read]


def _assumption_diagnostic(model: m.Model, example: m.Example, check: str) -> Diagnostic | None:
    """VP318 when the given facts make an assumption false (Kleene: a fact left out makes it unknown, not false)."""
    broken = broken_assumptions(model, dict(example.given))
    if not broken:
        return None
    read = {name for a in broken for name, _ in reads(a.cond)}
    facts = [(name, value) for name, value in example.given if name in read]
    shown = ", ".join(a.text() for a in _patient(model, example) if a.name in read)
    names = ", ".join(f"'{assumption_text(a, model)}'" for a in broken)
    return diagnostic(
        code=EXAMPLE_BREAKS_ASSUMPTION,
        message=f"example '{example.title}' breaks the assumption{'s' if len(broken) > 1 else ''} {names}: {shown}",
        span=example.given_span(facts[0][0]) if facts else example.span,
        hint="every patient satisfies the assumptions, so no patient has these facts: "
        "correct the example's facts (or the assumption)",
        notes=tuple(Note(message=f"assumption '{assumption_text(a, model)}'", span=a.span) for a in broken),
        evidence=make_evidence(check, "refuted", patient=_patient(model, example)),
    )


def _unread_diagnostic(graph: DecisionGraph, example: m.Example, trace: Trace, check: str) -> Diagnostic | None:
    """VP319 when the example gives facts that no decision on its path and no assumption reads."""
    unread = unread_facts(graph, m.flatten_facts(dict(example.given)), trace)
    if not unread:
        return None
    names = ", ".join(f"'{result_label(n)}'" for n in unread)

    def where(key: str) -> Span:
        return example.given_span(m.split_result(key)[0])

    return diagnostic(
        code=UNREAD_EXAMPLE_FACT,
        message=f"example '{example.title}' gives {names}, which no decision on its path (and no assumption) reads",
        span=where(unread[0]),
        hint="delete the fact, or check the path shown: the example may not take the one you meant",
        notes=tuple(Note(message=f"'{result_label(n)}' is given here", span=where(n)) for n in unread[1:]),
        evidence=make_evidence(
            check,
            "refuted",
            patient=_patient(graph.model, example),
            path=[PathStep(kind=s.kind, text=s.text, span=s.span) for s in trace.steps],
        ),
    )


def _divergence(graph: DecisionGraph, example: m.Example, trace: Trace) -> tuple[Note, ...]:
    """The rule taken where the actual run first departs from the expected one."""
    expected = example.expect_orders
    count = 0
    last_rule: str | None = None
    for step in trace.steps:
        if step.kind == "decision":
            last_rule = step.rule
        elif step.kind == "order":
            items: tuple[m.OrderItem, ...] = graph.actions_of(step.node)
            if graph.kind(step.node) == "choice":
                rule_id = graph.attrs(step.node)["rule"]
                items = next(r.orders for d in graph.model.decisions for r in d.rules if r.id == rule_id)
            for item in items:
                if expected is None:
                    break
                if isinstance(item, str):
                    if count >= len(expected) or expected[count] != item:
                        return _rule_note(graph, last_rule, f"'{item}' is ordered here")
                    count += 1
                    continue
                taken = [o for o in item.options if tuple(expected[count : count + len(o)]) == o]
                if not taken:
                    return _rule_note(graph, last_rule, f"'{item.describe()}' is ordered here")
                count += len(taken[0])
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
