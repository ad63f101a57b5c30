"""Path-dependent semantic checks that need the decision graph.

- every decision is reachable from `start` (VP209);
- no cycle without a `at most N visits` bound (VP210);
- a finding is tested only where every path has ordered the action revealing it (VP208);
- a property's condition does not need a finding that no path reveals (VP231).
- the options of a choice order each repeated study equally often (VP235: else the decisions
  after it would read another result depending on the option taken).
"""

from __future__ import annotations

import networkx as nx

from compiler.graph import DecisionGraph
from dsl.codes import (
    CHOICE_SPLITS_RESULTS,
    FINDING_NOT_KNOWN,
    PATHWAY_CYCLE,
    PROPERTY_NEVER_APPLIES,
    UNREACHABLE_DECISION,
)
from dsl.cond import definitely, is_false, reads
from dsl.diagnostics import Diagnostic, Note, diagnostic


def check(graph: DecisionGraph) -> list[Diagnostic]:
    out = _unreachable(graph)
    cycle = _cycle(graph)
    if cycle:
        out.append(cycle)
        return out  # findings-known is a forward dataflow over a DAG
    out.extend(_findings_known(graph))
    out.extend(_properties_apply(graph))
    out.extend(_choices_split_results(graph))
    return out


def _unreachable(graph: DecisionGraph) -> list[Diagnostic]:
    reached = {graph.graph.nodes[n]["decision"] for n in graph.decision_nodes()}
    return [
        diagnostic(
            UNREACHABLE_DECISION,
            f"decision '{d.name}' is never reached from start '{graph.model.start}'",
            d.span,
            hint="add a rule that continues with 'then " + d.name + "', or remove the decision",
        )
        for d in graph.model.decisions
        if d.name not in reached
    ]


def _cycle(graph: DecisionGraph) -> Diagnostic | None:
    if nx.is_directed_acyclic_graph(graph.graph):
        return None  # the usual case, decided without walking every (parallel) rule edge
    try:
        edges = nx.find_cycle(graph.graph, source=graph.start)
    except nx.NetworkXNoCycle:
        return None
    decisions = [graph.graph.nodes[u]["decision"] for u, *_ in edges if graph.kind(u) == "decision"]
    back = next(
        data["rule"] for u, v, k in edges for data in [graph.graph.edges[u, v, k]] if data.get("kind") == "rule"
    )
    loop = " -> ".join([*decisions, decisions[0]])
    return diagnostic(
        PATHWAY_CYCLE,
        f"the pathway loops: {loop}",
        back.span,
        hint=f"bound the loop with 'at most N visits' on decision '{decisions[0]}'",
        notes=tuple(Note(message=f"decision '{d}'", span=graph.model.decision(d).span) for d in decisions),
    )


def _findings_known(graph: DecisionGraph) -> list[Diagnostic]:
    """Forward must-analysis: the actions ordered on every path into each node."""
    if all(v.revealed_by is None for v in graph.model.variables):
        return []  # no findings: nothing to check (and no condition to walk)
    g = graph.graph
    ordered_on_entry: dict[str, frozenset[str]] = {}
    for node in graph.topological_order():
        preds = list(g.predecessors(node))
        if node == graph.start or not preds:
            ordered_on_entry[node] = frozenset()
            continue
        sets = []
        for p in preds:
            before = ordered_on_entry[p]
            sets.append(before | set(graph.actions_of(p)) if graph.kind(p) == "order" else before)
        ordered_on_entry[node] = frozenset.intersection(*map(frozenset, sets))
    out: list[Diagnostic] = []
    seen: set[tuple[str, int, int]] = set()
    for node in graph.decision_nodes():
        known = ordered_on_entry[node]
        for _, rule in graph.rule_edges(node):
            if rule.is_otherwise:
                continue
            for var_name, span in reads(rule.cond):
                var = graph.model.variable(var_name)
                if var.revealed_by is None or var.revealed_by in known:
                    continue
                key = (var_name, span.line, span.column)
                if key in seen:
                    continue
                seen.add(key)
                out.append(
                    diagnostic(
                        FINDING_NOT_KNOWN,
                        f"finding '{var_name}' is tested at decision '{rule.decision}', but some path reaches it "
                        f"without ordering '{var.revealed_by}'",
                        span,
                        hint=f"order '{var.revealed_by}' on every path to '{rule.decision}', or split the decision",
                    )
                )
    return out


def _properties_apply(graph: DecisionGraph) -> list[Diagnostic]:
    """A property whose condition can never be known to hold: it needs a finding whose action no
    path orders (`dsl.cond.definitely`), so the property would check nothing."""
    model = graph.model
    ordered = {a for n in graph.order_nodes() for a in graph.actions_of(n)}
    out: list[Diagnostic] = []
    for prop in model.properties:
        if prop.condition is None:
            continue
        read = {v for v, _ in reads(prop.condition)}
        never = sorted(v for v in read if model.variable(v).is_finding and model.variable(v).revealed_by not in ordered)
        if not never or not is_false(definitely(prop.condition, frozenset(never))):
            continue
        actions = sorted({model.variable(f).revealed_by or "" for f in never})
        which = f"finding '{never[0]}' is" if len(never) == 1 else f"findings {', '.join(map(repr, never))} are"
        out.append(
            diagnostic(
                PROPERTY_NEVER_APPLIES,
                f"property '{prop.name}' never applies: {which} never known (no path orders "
                + ", ".join(f"'{a}'" for a in actions)
                + "), so its condition never holds",
                prop.condition.span,
                hint="test a finding the pathway reveals, or order its study on the paths the property is about",
            )
        )
    return out


def _choices_split_results(graph: DecisionGraph) -> list[Diagnostic]:
    """Choices whose options lead to different copies of the next decision (VP235): they order a
    repeated study a different number of times, so later decisions would read another result."""
    if graph.fresh is None:
        return []
    repeated = sorted({v.revealed_by for v in graph.fresh.variables if v.result > 1 and v.revealed_by})
    out: list[Diagnostic] = []
    seen: set[str] = set()
    for node, kind in graph.graph.nodes(data="kind"):
        if kind != "choice":
            continue
        options = graph.option_nodes(node)
        if len({graph.next_node(o) for o in options}) == 1:
            continue
        data = graph.attrs(node)
        if data["rule"] in seen:
            continue
        seen.add(data["rule"])
        counts = [[graph.actions_of(o).count(a) for a in repeated] for o in options]
        studies = [a for i, a in enumerate(repeated) if len({c[i] for c in counts}) > 1]
        names = ", ".join(f"'{a}'" for a in studies)
        out.append(
            diagnostic(
                CHOICE_SPLITS_RESULTS,
                f"the options of {data['choice'].describe()} order {names} a different number of times, and "
                "some path orders it again: the decisions after it would read another result depending on "
                "the option taken",
                data["span"],
                hint="order the repeated study in every option or in none (before or after the choice)",
            )
        )
    return out


# The variables a condition reads, in source order (kept under its old name for callers).
uses = reads
