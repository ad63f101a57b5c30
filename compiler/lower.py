"""Model -> DecisionGraph.

Node ids are derived from source names so the same spec always gives the same graph,
and nodes and edges are added in source order (networkx keeps insertion order).
"""

from __future__ import annotations

from collections import deque

import networkx as nx

from compiler.graph import LIMIT_NODE, DecisionGraph
from dsl.codes import GRAPH_TOO_LARGE
from dsl.diagnostics import Diagnostic, VeripathError, error
from dsl.model import Decision, Model, Rule
from dsl.resolve import MAX_VISITS

Visits = tuple[int, ...]

__all__ = ["MAX_GRAPH_SIZE", "MAX_VISITS", "GraphTooLarge", "lower", "lower_checked"]
MAX_GRAPH_SIZE = 200_000
"""The most nodes plus edges of one unrolled decision graph (a few hundred MB with the verifier's data)."""


class GraphTooLarge(VeripathError):
    """The unrolled graph would exceed MAX_GRAPH_SIZE; `diagnostic` says where and why (VP224)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def lower_checked(model: Model) -> tuple[DecisionGraph | None, list[Diagnostic]]:
    """`lower`, with a graph too large to build reported as a diagnostic instead of raised."""
    try:
        return lower(model), []
    except GraphTooLarge as exc:
        return None, [exc.diagnostic]


def _suffix(before: Visits) -> str:
    if not any(before):
        return ""
    return "@" + ".".join(map(str, before)) if len(before) > 1 else f"@{before[0]}"


def lower(model: Model) -> DecisionGraph:
    if model.start is None:
        raise ValueError("a catalogue has no pathway to lower")
    graph = nx.MultiDiGraph(name=model.name, title=model.title, version=model.version or "")
    bounded = [d.name for d in model.decisions if d.max_visits is not None]
    reveals: dict[str, list[str]] = {}
    for var in model.findings:
        assert var.revealed_by is not None
        reveals.setdefault(var.revealed_by, []).append(var.name)

    suffixes: dict[Visits, str] = {}

    def suffix(before: Visits) -> str:
        # Ids name the visits made *before* this one: `review`, `review@1`, `review@2`.
        # The whole vector is shown once any count is non-zero, so ids are injective.
        known = suffixes.get(before)
        if known is None:
            known = suffixes[before] = _suffix(before)
        return known

    def bump(decision: Decision, visits: Visits) -> Visits | None:
        if decision.name not in bounded:
            return visits
        i = bounded.index(decision.name)
        count = visits[i] + 1
        assert decision.max_visits is not None
        if count > decision.max_visits:
            return None
        return (*visits[:i], count, *visits[i + 1 :])

    def add_end(name: str) -> str:
        node = f"end:{name}"
        if node not in graph:
            disp = model.disposition(name)
            graph.add_node(
                node,
                kind="end",
                disposition=name,
                title=disp.title,
                disposition_kind=disp.kind,
                span=disp.span,
            )
        return node

    def add_limit() -> str:
        if LIMIT_NODE not in graph:
            graph.add_node(
                LIMIT_NODE,
                kind="end",
                disposition="__revisit_limit__",
                title="Revisit limit reached",
                disposition_kind="uncovered",
                span=None,
            )
        return LIMIT_NODE

    # Iterative (a worklist, not recursion) so that long pathways cannot overflow the stack.
    pending: deque[tuple[Decision, Visits, str, str]] = deque()
    size = [0]  # nodes plus edges so far

    # Reported at the first bounded decision (or the start): a stable place, whichever copy overflows.
    blame = model.decision(bounded[0] if bounded else model.start).span

    def grow(count: int) -> None:
        size[0] += count
        if size[0] > MAX_GRAPH_SIZE:
            loops = ", ".join(f"'{name}'" for name in bounded)
            raise GraphTooLarge(
                error(
                    GRAPH_TOO_LARGE,
                    f"the decision graph would have more than {MAX_GRAPH_SIZE:,} nodes and edges"
                    + (f" once the loops through {loops} are unrolled" if bounded else ""),
                    blame,
                    hint="lower the 'at most N visits' bounds, or split the pathway"
                    if bounded
                    else "split the pathway into smaller guidelines",
                )
            )

    def node_for(decision: Decision, before: Visits) -> str:
        visits = bump(decision, before)
        if visits is None:
            return add_limit()
        tag = suffix(before)
        node = f"decision:{decision.name}{tag}"
        if node not in graph:
            graph.add_node(
                node,
                kind="decision",
                decision=decision.name,
                title=decision.title,
                hit_policy=decision.hit_policy,
                span=decision.span,
            )
            grow(1)
            pending.append((decision, visits, node, tag))
        return node

    def target_of(rule: Rule, visits: Visits) -> str:
        if rule.end is not None:
            return add_end(rule.end)
        assert rule.goto is not None
        return node_for(model.decision(rule.goto), visits)

    def add_order(node: str, rule: Rule, actions: tuple[str, ...], **extra: object) -> None:
        graph.add_node(
            node,
            kind="order",
            rule=rule.id,
            actions=actions,
            reveals=tuple(f for a in actions for f in reveals.get(a, ())),
            span=rule.span,
            **extra,
        )

    start = node_for(model.decision(model.start), tuple(0 for _ in bounded))
    while pending:
        decision, visits, node, tag = pending.popleft()
        for rule in decision.rules:
            choice = rule.choice
            if choice is not None:
                # decision -rule-> choice -option-> one order step per option -next-> the rule's target
                grow(2 + 3 * len(choice.options))
                fork = f"choice:{rule.id}{tag}"
                graph.add_node(fork, kind="choice", rule=rule.id, choice=choice, span=choice.span)
                graph.add_edge(node, fork, key=rule.id, kind="rule", rule=rule, decision=decision.name)
                target = target_of(rule, visits)
                for option, actions in zip(choice.options, rule.sequences, strict=True):
                    label = "+".join(option)
                    step = f"order:{rule.id}/{label}{tag}"
                    add_order(step, rule, actions, option=option, choice=fork)
                    graph.add_edge(fork, step, key=label, kind="option", option=option)
                    graph.add_edge(step, target, key="next", kind="next")
            elif rule.orders:
                grow(3)
                step = f"order:{rule.id}{tag}"
                add_order(step, rule, rule.sequences[0])
                graph.add_edge(node, step, key=rule.id, kind="rule", rule=rule, decision=decision.name)
                graph.add_edge(step, target_of(rule, visits), key="next", kind="next")
            else:
                grow(1)
                target = target_of(rule, visits)
                graph.add_edge(node, target, key=rule.id, kind="rule", rule=rule, decision=decision.name)
    return DecisionGraph(model=model, graph=graph, start=start)
