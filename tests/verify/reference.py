"""Brute-force reference semantics for small specs: enumerate patients and paths.

Independent of verify's encoding, products and boxes: it only shares the condition
evaluator (`verify.evaluate`, tested on its own). Numbers are enumerated at the
interesting points (every value at which a comparison turns, the points between and
around them, the bounds), which is exact for comparisons with constants and for linear
comparisons with at most one real variable beside small integers (`thresholds`).
Repeated studies, independently of the compiler's copies of decisions: a patient has, for
each finding, as many results as the most orders of its study on any path (the k-th under
`dsl.model.result_key`); a path counts the orders of each study as it walks, and every
decision on it evaluates the spec's own rules on the patient as it stands at that point
(each finding read as its latest result: `view`). An assumption holds for every result (the
findings of one study read the same result; different studies every combination).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

from compiler.graph import LIMIT_NODE, DecisionGraph
from dsl import model as m
from dsl.model import Value, result_key
from verify.evaluate import evaluate, evaluate3

Patient = dict[str, Value]


def _comparisons(model: m.Model) -> list[m.Compare]:
    out: list[m.Compare] = []
    conds: list[m.Cond] = [a.cond for a in model.assumptions]
    conds += [r.cond for d in model.decisions for r in d.rules]
    conds += [p.condition for p in model.properties if p.condition is not None]
    stack = list(conds)
    while stack:
        c = stack.pop()
        if isinstance(c, m.Compare):
            out.append(c)
        elif isinstance(c, m.Not):
            stack.append(c.operand)
        elif isinstance(c, m.And | m.Or):
            stack.extend(c.operands)
        elif isinstance(c, m.Named):
            stack.append(c.body)
    return out


def thresholds(model: m.Model) -> dict[str, set[Fraction]]:
    """Per numeric variable, the values at which some comparison of the model turns.

    A comparison `sum(a_i * x_i) op k` turns for x_j where a_j * x_j = k - (the rest): for one
    variable that is one threshold; for several, one per combination of values of the others,
    which are enumerated over their integer domains. This is exact for comparisons that name at
    most one real variable (the random specs never name two), the others being small integers."""
    out: dict[str, set[Fraction]] = {}
    for c in _comparisons(model):
        coef: dict[str, Fraction] = {}
        for v, a in c.left.terms:
            coef[v] = coef.get(v, Fraction(0)) + a
        for v, a in c.right.terms:
            coef[v] = coef.get(v, Fraction(0)) - a
        k = c.right.offset - c.left.offset
        names = [v for v, a in coef.items() if a]
        for x in names:
            others = [v for v in names if v != x]
            ranges = []
            for o in others:
                t = model.variable(o).type
                assert isinstance(t, m.NumberType)
                ranges.append(
                    [Fraction(i) for i in range(math.ceil(t.low), math.floor(t.high) + 1)] if t.integer else []
                )
            for combo in itertools.product(*ranges):
                rest = sum((coef[o] * v for o, v in zip(others, combo, strict=True)), Fraction(0))
                out.setdefault(x, set()).add((k - rest) / coef[x])
    return out


def domain(model: m.Model, var: m.Variable) -> list[Value]:
    t = var.type
    if isinstance(t, m.BoolType):
        return [False, True]
    if isinstance(t, m.EnumType):
        return list(t.values)
    consts = sorted(c for c in thresholds(model).get(var.name, set()) if t.low <= c <= t.high)
    pts: set[Fraction] = {t.low, t.high}
    if t.integer:
        if t.high - t.low <= 12:
            return [Fraction(k) for k in range(int(t.low), int(t.high) + 1)]
        for c in consts:
            for k in (math.floor(c) - 1, math.floor(c), math.ceil(c), math.ceil(c) + 1):
                if t.low <= k <= t.high:
                    pts.add(Fraction(k))
        return sorted(pts)
    edges = sorted({t.low, t.high, *consts})
    pts.update(edges)
    pts.update((a + b) / 2 for a, b in itertools.pairwise(edges))
    return sorted(pts)


def most_orders(graph: DecisionGraph) -> dict[str, int]:
    """The most orders of each action on one path (longest-path counting over the DAG)."""
    g = graph.graph
    best: dict[str, dict[str, int]] = {}
    for n in graph.topological_order():
        here: dict[str, int] = {}
        for p in g.predecessors(n):
            for a, c in best[p].items():
                here[a] = max(here.get(a, 0), c)
        if graph.kind(n) == "order":
            for a in graph.actions_of(n):
                here[a] = here.get(a, 0) + 1
        best[n] = here
    out: dict[str, int] = {}
    for counts in best.values():
        for a, c in counts.items():
            out[a] = max(out.get(a, 0), c)
    return out


def results(model: m.Model, graph: DecisionGraph | None, *more: DecisionGraph) -> dict[str, int]:
    """How many results each finding has: the most orders of its study on a path of any of the
    graphs (1 without a graph, or when its study is never repeated)."""
    most: dict[str, int] = {}
    for g in (graph, *more):
        if g is not None:
            for a, c in most_orders(g).items():
                most[a] = max(most.get(a, 0), c)
    return {v.name: max(1, most.get(v.revealed_by or "", 1)) for v in model.findings}


def space_size(graph: DecisionGraph) -> int:
    """How many patients `patients` enumerates (before the assumptions): every variable's
    interesting points, once per result of a finding whose study is repeated."""
    model = graph.model
    n = results(model, graph)
    return math.prod(len(domain(model, v)) ** n.get(v.name, 1) for v in model.variables)


def view(model: m.Model, p: Mapping[str, Value], counts: Mapping[str, int]) -> Patient:
    """The patient as a decision sees it after `counts` orders of each action: each finding is
    its latest result (the first before its study is ordered)."""
    out = dict(p)
    for v in model.findings:
        k = counts.get(v.revealed_by or "", 0)
        if k >= 2:
            key = result_key(v.name, k)
            if key in p:
                out[v.name] = p[key]
            else:
                out.pop(v.name, None)
    return out


def every_result(model: m.Model, p: Mapping[str, Value], n: Mapping[str, int]) -> Iterator[Patient]:
    """The patient with every combination of results of the studies (for the assumptions)."""
    studies = sorted({v.revealed_by for v in model.findings if n[v.name] > 1 and v.revealed_by})
    most = {a: max(n[v.name] for v in model.findings if v.revealed_by == a) for a in studies}
    for ks in itertools.product(*(range(1, most[a] + 1) for a in studies)):
        yield view(model, p, dict(zip(studies, ks, strict=True)))


def patients(model: m.Model, graph: DecisionGraph | None = None, *more: DecisionGraph) -> Iterator[Patient]:
    """Every patient (over the interesting points) who satisfies the assumptions; with graphs,
    every finding has a result per order of its study on the longest path of any of them."""
    n = results(model, graph, *more)
    names: list[str] = []
    values: list[list[Value]] = []
    for v in model.variables:
        for k in range(1, n.get(v.name, 1) + 1):
            names.append(result_key(v.name, k))
            values.append(domain(model, v))
    for combo in itertools.product(*values):
        p = dict(zip(names, combo, strict=True))
        if all(evaluate(a.cond, q) for a in model.assumptions for q in every_result(model, p, n)):
            yield p


def score(rule: m.Rule) -> int:
    return rule.score or 0


def applicable(decision: m.Decision, p: Mapping[str, Value]) -> list[m.Rule]:
    matched = [r for r in decision.rules if evaluate(r.cond, p)]
    if not matched:
        return []
    if decision.hit_policy == "first":
        return matched[:1]
    if decision.hit_policy == "priority":
        top = max(score(r) for r in matched)
        return [r for r in matched if score(r) == top]
    return matched


@dataclass(frozen=True)
class Path:
    nodes: tuple[str, ...]  # graph nodes visited, in order
    stuck: bool  # ends at a decision where no rule applies
    views: tuple[tuple[str, Patient], ...] = ()  # each decision on the path, and the patient it sees


Counts = tuple[tuple[str, int], ...]


def paths(graph: DecisionGraph, p: Mapping[str, Value]) -> list[Path]:
    """Every path the patient can follow (several where overlapping rules all apply)."""
    model = graph.model
    out: list[Path] = []
    Item = tuple[str, tuple[str, ...], Counts, tuple[tuple[str, Patient], ...]]
    stack: list[Item] = [(graph.start, (graph.start,), (), ())]
    while stack:
        node, seen, counts, views = stack.pop()
        kind = graph.kind(node)
        if kind == "end":
            out.append(Path(seen, False, views))
        elif kind == "order":
            now = dict(counts)
            for a in graph.actions_of(node):
                now[a] = now.get(a, 0) + 1
            nxt = graph.next_node(node)
            stack.append((nxt, (*seen, nxt), tuple(sorted(now.items())), views))
        elif kind == "choice":  # the clinician may take any option: one path per option
            for option in graph.graph.successors(node):
                stack.append((option, (*seen, option), counts, views))
        else:
            name = graph.graph.nodes[node]["decision"]
            decision = model.decision(name)
            seen_here = view(model, p, dict(counts))
            here = (*views, (name, seen_here))
            rules = applicable(decision, seen_here)
            if not rules:
                out.append(Path(seen, True, here))
            targets = {t for t, r in graph.rule_edges(node) for a in rules if r.index == a.index}
            for t in sorted(targets):
                stack.append((t, (*seen, t), counts, here))
    return out


def orders(graph: DecisionGraph, path: Path) -> list[str]:
    return [a for n in path.nodes if graph.kind(n) == "order" for a in graph.actions_of(n)]


def violates(graph: DecisionGraph, prop: m.Property, p: Mapping[str, Value], path: Path) -> bool:
    """Whether the path violates the property, walked step by step.

    The condition `when C` is evaluated three-valued (`evaluate3`) where a violation would
    happen, with what is known there: the inputs, and the findings of the actions of the
    order steps before (a step's results are known after the step). The property applies
    only where C is true."""
    model = graph.model
    acts = orders(graph, path)
    target = set(prop.target.actions) if prop.target else set()
    other = set(prop.other.actions) if prop.other else set()
    ends = set(prop.ends.dispositions) if prop.ends else set()
    if prop.kind == "always_ends":
        return path.stuck or path.nodes[-1] == LIMIT_NODE
    if prop.kind == "no_repeat":
        counted = [a for a in acts if a not in prop.exceptions]
        return len(counted) != len(set(counted))
    if prop.kind == "max_steps":
        return sum(1 for n in path.nodes if graph.kind(n) == "decision") > (prop.bound or 0)
    known: dict[str, Value] = {v.name: p[v.name] for v in model.inputs}

    def applies() -> bool:
        return prop.condition is None or evaluate3(prop.condition, known) is True

    ordered: list[str] = []
    for node in path.nodes:
        kind = graph.kind(node)
        if kind == "order":
            for a in graph.actions_of(node):
                first_target = prop.kind == "never_before" and a in target and not (set(ordered) & other)
                first_other = prop.kind == "always_before" and a in other and not (set(ordered) & target)
                never = prop.kind in ("when_never", "never") and a in target
                if (first_target or first_other or never) and applies():
                    return True
                ordered.append(a)
            # the k-th order of a study reveals its k-th result: the condition reads the latest
            for v in model.findings:
                k = ordered.count(v.revealed_by or "")
                if v.revealed_by in graph.actions_of(node) and result_key(v.name, k) in p:
                    known[v.name] = p[result_key(v.name, k)]
        elif kind == "end" and not path.stuck:
            disposition = graph.graph.nodes[node]["disposition"]  # the revisit limit is in no set
            if prop.kind == "eventually" and not (set(acts) & target) and applies():
                return True
            if prop.kind == "never_end" and disposition in ends and applies():
                return True
            if prop.kind == "always_end" and disposition not in ends and applies():
                return True
    return False


def rule_name(rule: m.Rule) -> str:
    return rule.label or f"r{rule.index}"


def visits(graph: DecisionGraph, p: Mapping[str, Value], decision: str) -> list[Patient]:
    """The patient as the decision sees it, at each visit on each path (empty: never reached)."""
    return [seen for path in paths(graph, p) for name, seen in path.views if name == decision]


def reaches(graph: DecisionGraph, p: Mapping[str, Value], decision: str) -> bool:
    return bool(visits(graph, p, decision))


def findings(graph: DecisionGraph) -> set[str]:
    """The check ids that must be refuted, by brute force (gaps as 'gap:D')."""
    model = graph.model
    everyone = list(patients(model, graph))
    if not everyone:
        return {"assumptions"}
    out: set[str] = set()
    node_hit: set[str] = set()
    rule_live: set[str] = set()
    rule_applies: set[str] = set()
    for p in everyone:
        ps = paths(graph, p)
        for path in ps:
            node_hit.update(path.nodes)
        seen_at = {(name, tuple(sorted(seen.items()))) for path in ps for name, seen in path.views}
        for name, items in sorted(seen_at):
            d = model.decision(name)
            q = dict(items)
            matched = [r for r in d.rules if evaluate(r.cond, q)]
            app = applicable(d, q)
            rule_live.update(f"{name}:{rule_name(r)}" for r in matched)
            rule_applies.update(f"{name}:{rule_name(r)}" for r in app)
            if not matched:
                out.add(f"gap:{name}")
            if d.hit_policy != "first":
                for a, b in itertools.combinations(app, 2):
                    same = a.outcome == b.outcome
                    if d.hit_policy == "unique":
                        kind = "redundant" if same else "conflict"
                    elif same:
                        continue
                    else:
                        kind = "conflict"
                    out.add(f"{kind}:{name}:{rule_name(a)}:{rule_name(b)}")
        for prop in model.properties:
            if any(violates(graph, prop, p, path) for path in ps):
                out.add(f"property:{prop.name}")
    reached_decisions = {graph.graph.nodes[n]["decision"] for n in node_hit if graph.kind(n) == "decision"}
    for d in model.decisions:
        if d.name not in reached_decisions:
            out.add(f"unreachable:decision:{d.name}")
            continue
        for r in d.rules:
            key = f"{d.name}:{rule_name(r)}"
            if key not in rule_live:
                out.add(f"dead:{key}")
            elif d.hit_policy in ("first", "priority") and key not in rule_applies and not r.is_otherwise:
                out.add(f"masked:{key}")
    for action in model.actions:
        ordered_in = [n for n in graph.order_nodes() if action.name in graph.actions_of(n)]
        if ordered_in and not any(n in node_hit for n in ordered_in):
            out.add(f"unreachable:action:{action.name}")
    for disp in model.dispositions:
        node = f"end:{disp.name}"
        if node in graph.graph and node not in node_hit:
            out.add(f"unreachable:disposition:{disp.name}")
    return out
