"""Coverage hints: the routes and the threshold sides that no example exercises (`check --coverage`).

Each example is run through the pathway (`simulate`) and its path recorded. Then

- a rule that no example takes is an *untested route* (VP320): nothing would notice if its
  orders or its disposition changed, or if its patients went elsewhere. Rules the verifier
  found dead or masked, and rules of decisions no patient reaches, are left out (they have
  findings of their own, and no example can take them);
- a numeric comparison in a rule's condition splits the patients who reach its decision in
  two: those for whom it holds and the others. A side that no example reaching the decision
  is on is an *untested threshold side* (VP321): a threshold moved towards that side, or a
  `<` written for `<=`, changes no example's path. Comparisons of the same input with the
  same number that split the same way (`size_cm < 10` and `size_cm >= 10`) are one threshold,
  reported at its first occurrence in the decision.

An example is on a side when its given facts decide the comparison (three-valued, as examples
are evaluated): one that leaves the input out is on neither side.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass

from compiler.graph import DecisionGraph
from compiler.pretty import describe_cond, describe_outcome
from dsl import model as m
from dsl.codes import UNTESTED_ROUTE, UNTESTED_THRESHOLD
from dsl.cond import compares
from dsl.diagnostics import Diagnostic, diagnostic
from dsl.model import Value
from dsl.ops import Op
from verify.counterexample import cond_text, rule_name
from verify.evaluate import evaluate3, normalise_patient
from verify.simulate import simulate

# `a < c` and `a >= c` split the patients the same way; so do `a <= c` and `a > c`.
_SPLIT = {Op.LT: Op.LT, Op.GE: Op.LT, Op.LE: Op.LE, Op.GT: Op.LE, Op.EQ: Op.EQ, Op.NE: Op.EQ}


@dataclass(frozen=True)
class _Visit:
    """An example's values, at a decision its path reaches."""

    decision: str
    values: dict[str, Value]


def _walk(graph: DecisionGraph) -> tuple[set[str], list[_Visit]]:
    """The rules the examples take (by id) and the decisions they reach, with their values."""
    taken: set[str] = set()
    visits: list[_Visit] = []
    model = graph.model
    for example in model.examples:
        try:
            values = normalise_patient(model, dict(example.given))
        except (KeyError, TypeError, ValueError):
            continue
        trace = simulate(graph, values)
        for step in trace.steps:  # each decision sees the latest result of a repeated study
            if step.kind == "decision" and step.rule is not None:
                taken.add(step.rule)
                visits.append(_Visit(step.rule.partition(".")[0], graph.as_read_at(step.node, values)))
            elif step.kind == "stop" and trace.decision is not None:
                visits.append(_Visit(trace.decision, graph.as_read_at(step.node, values)))
    return taken, visits


def _key(c: m.Compare) -> tuple[object, ...]:
    """Comparisons with the same key split the patients at a decision the same way."""
    bound = c.bound()  # one variable, however written: `2 * x + 1 > 6` splits where `x > 5/2` does
    if bound is not None:
        return (bound.var, _SPLIT[bound.op], bound.value)
    return (describe_cond(c),)


def coverage(graph: DecisionGraph, skip: Container[str] = ()) -> list[Diagnostic]:
    """VP320 for every rule no example takes, VP321 for every threshold side no example is on.

    skip: rule ids (`decision.rule`) and decision names to leave out (dead, masked, unreachable)."""
    model = graph.model
    taken, visits = _walk(graph)
    reached = {v.decision for v in visits}
    in_graph = {graph.graph.nodes[n]["decision"] for n in graph.decision_nodes()}
    out: list[Diagnostic] = []
    for d in model.decisions:
        if d.name in skip or d.name not in in_graph:
            continue
        for r in d.rules:
            if r.id in skip or r.id in taken:
                continue
            does = describe_outcome(r.orders, r.goto, r.end)
            out.append(
                diagnostic(
                    UNTESTED_ROUTE,
                    f"no example takes rule '{rule_name(r)}' of decision '{d.name}' ({does})",
                    r.span,
                    hint="add an example whose patient takes this rule: its expected orders and disposition pin it",
                )
            )
        out.extend(_thresholds(model, d, [v.values for v in visits if v.decision == d.name], d.name in reached))
    return out


def _thresholds(model: m.Model, d: m.Decision, examples: list[dict[str, Value]], reached: bool) -> Iterable[Diagnostic]:
    seen: set[tuple[object, ...]] = set()
    for r in d.rules:
        if r.is_otherwise:
            continue
        for c in compares(r.cond):
            key = _key(c)
            if key in seen:
                continue
            seen.add(key)
            sides = {evaluate3(c, values) for values in examples}
            missing = [side for side in (True, False) if side not in sides]
            if not missing:
                continue
            text = cond_text(c, model)
            negated = cond_text(m.Compare(op=c.op.negate(), left=c.left, right=c.right, span=c.span), model)
            if not reached or len(missing) == 2:
                message = f"no example that reaches decision '{d.name}' decides '{text}': neither side is tested"
                hint = f"add examples reaching '{d.name}' with {text} and with {negated}"
            else:
                side = text if missing[0] else negated
                message = f"no example that reaches decision '{d.name}' has {side} (the other side of '{text}')"
                hint = f"add an example with {side}, close to the threshold, so that a moved threshold is noticed"
            yield diagnostic(UNTESTED_THRESHOLD, message, c.span, hint=hint)
