"""Who can reach what: effective guards, products of the graph with monitors, reach encodings.

The effective guard of a rule edge is when that rule is the one that applies:
  first     cond and not (any earlier cond)
  priority  cond and not (any cond with a higher rating score; unrated = 0)
  unique    cond        (an overlap is a conflict, reported separately; both edges stay open)
  any       cond        (overlapping rules must agree; likewise)
It depends only on the decision and the patient, so unrolled copies of a decision share it;
after a repeated study, copies that read later results have guards of their own (the
decision's copy in the graph's `fresh_model`, keyed by `Decision.key`).

A product pairs each graph node with the state of a small monitor automaton (the
property being checked); the product is a DAG because the graph is. Reachability is
encoded with one Boolean per product node:  reach(n) -> OR over incoming edges of
(reach(pred) and guard(edge)), which is linear in the size of the product; a node with one
incoming edge gets no Boolean of its own: its reach is that edge's term. The same
product is evaluated concretely for one patient to recover the path it follows.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compiler.graph import DecisionGraph
from dsl import model as m
from dsl.model import Value
from verify.boxindex import INDEX_MIN_RULES, rule_boxes
from verify.encode import Encoder
from verify.evaluate import MissingValue, evaluate

# (decision, rule index), or None for an unconditional edge; the decision is a key of the
# graph's `fresh_model` (its name, or the key of its copy reading later results)
GuardKey = tuple[str, int] | None


@dataclass(frozen=True, slots=True)
class Violation:
    """The monitor state of a violation (a product node in it is never left).

    `known`: for a property whose condition reads findings, those of them revealed on the path
    before the step where the violation happens (`verify.paths.Known`), each as its latest result
    (a result key: `us_result`, or `us_result#2` after a repeated study); empty otherwise."""

    known: frozenset[str] = frozenset()


VIOLATION = Violation()


def rule_score(rule: m.Rule) -> int:
    """The score `priority` compares: the rule's (the highest of its options'), 0 when unrated."""
    return rule.score or 0


def applicable(decision: m.Decision, matched: Sequence[int]) -> tuple[int, ...]:
    """Indices (1-based) of the rules that apply, given the indices of the rules that match."""
    if not matched:
        return ()
    if decision.hit_policy == "first":
        return (min(matched),)
    if decision.hit_policy == "priority":
        top = max(rule_score(decision.rules[i - 1]) for i in matched)
        return tuple(i for i in matched if rule_score(decision.rules[i - 1]) == top)
    return tuple(matched)


def matching(decision: m.Decision, patient: Mapping[str, Value], model: m.Model | None = None) -> tuple[int, ...]:
    """Indices (1-based) of the rules whose condition holds for the patient (with the model, through
    the decision's rule boxes, which find them without evaluating every condition)."""
    if model is not None and len(decision.rules) >= INDEX_MIN_RULES:
        hit = rule_boxes(model, decision).matching(patient)
        if hit is not None:
            return hit
    return tuple(r.index for r in decision.rules if evaluate(r.cond, patient))


class Guards:
    """Z3 effective guards per decision, built lazily (definitions of helper variables in `defs`)."""

    def __init__(self, enc: Encoder) -> None:
        self.enc = enc
        self.model = enc.model
        self._eff: dict[str, list[Any]] = {}
        self._any: dict[str, Any] = {}
        self.defs: list[Any] = []

    def conds(self, name: str) -> list[Any]:
        return [self.enc.encode(r.cond) for r in self.model.decision(name).rules]

    def effective(self, name: str) -> list[Any]:
        """The effective guard of each rule of the decision, in rule order."""
        hit = self._eff.get(name)
        if hit is None:
            hit = self._eff[name] = self.effective_of(self.model.decision(name))
        return hit

    def effective_of(self, decision: m.Decision) -> list[Any]:
        """The effective guards of any decision over the model's variables (e.g. an edited copy
        of one of its decisions), in rule order; not cached."""
        enc = self.enc
        name = decision.name
        conds = [enc.encode(r.cond) for r in decision.rules]
        out: list[Any]
        if decision.hit_policy == "first":
            out = []
            none_yet = enc.true  # no earlier rule matched
            for i, c in enumerate(conds):
                out.append(c if i == 0 else enc.and_([c, none_yet]))
                if i + 1 < len(conds):
                    nxt = enc.fresh_bool(f"none_before_{name}")
                    self.defs.append(nxt == enc.and_([none_yet, enc.not_(c)]) if i else nxt == enc.not_(c))
                    none_yet = nxt
        elif decision.hit_policy == "priority":
            scores = sorted({rule_score(r) for r in decision.rules}, reverse=True)
            higher: dict[int, Any] = {}
            acc = enc.false
            for s in scores:
                higher[s] = acc
                level = [c for r, c in zip(decision.rules, conds, strict=True) if rule_score(r) == s]
                nxt = enc.fresh_bool(f"higher_{name}")
                self.defs.append(nxt == enc.or_([acc, *level]))
                acc = nxt
            out = [
                c if z3_is_false(higher[rule_score(r)]) else enc.and_([c, enc.not_(higher[rule_score(r)])])
                for r, c in zip(decision.rules, conds, strict=True)
            ]
        else:
            out = conds
        return out

    def matched_any(self, name: str) -> Any:
        hit = self._any.get(name)
        if hit is None:
            hit = self.enc.or_(self.conds(name))
            self._any[name] = hit
        return hit

    def guard(self, key: GuardKey) -> Any:
        if key is None:
            return self.enc.true
        return self.effective(key[0])[key[1] - 1]


def z3_is_false(x: Any) -> bool:
    import z3

    return bool(z3.is_false(x))


class Firing:
    """Concrete counterpart of Guards for one patient (cached per decision)."""

    def __init__(self, model: m.Model, patient: Mapping[str, Value]) -> None:
        self.model = model
        self.patient = patient
        self._cache: dict[str, tuple[int, ...]] = {}
        self._matched: dict[str, tuple[int, ...]] = {}

    def matched(self, name: str) -> tuple[int, ...]:
        hit = self._matched.get(name)
        if hit is None:
            hit = matching(self.model.decision(name), self.patient, self.model)
            self._matched[name] = hit
        return hit

    def applies(self, name: str) -> tuple[int, ...]:
        hit = self._cache.get(name)
        if hit is None:
            decision = self.model.decision(name)
            if decision.hit_policy == "first":  # the first match is enough
                if len(decision.rules) >= INDEX_MIN_RULES:
                    hit = rule_boxes(self.model, decision).first(self.patient)
                if hit is None:
                    hit = next(((r.index,) for r in decision.rules if evaluate(r.cond, self.patient)), ())
            else:
                hit = applicable(decision, self.matched(name))
            self._cache[name] = hit
        return hit

    def enabled(self, key: GuardKey) -> bool:
        return key is None or key[1] in self.applies(key[0])


class Firings:
    """Firings of a run of patients that differ from one another in few values (a counterexample
    simplified one value at a time): each patient's Firing starts with what the previous patient's
    found at the decisions that read none of the values that changed, so that only the decisions
    reading a changed value are evaluated again.

    `reads`: the variables each table (decision, or copy reading later results: `Decision.key`)
    reads; a table missing from it is always evaluated afresh."""

    def __init__(self, model: m.Model, reads: Mapping[str, frozenset[str]]) -> None:
        self.model = model
        self._readers: dict[str, list[str]] = {}  # variable -> the tables that read it
        for name, used in reads.items():
            for v in used:
                self._readers.setdefault(v, []).append(name)
        self._known = frozenset(reads)
        self._last: tuple[dict[str, Value], Firing] | None = None

    def __call__(self, patient: Mapping[str, Value]) -> Firing:
        values = dict(patient)  # the patient may be changed in place later (the minimiser does)
        firing = Firing(self.model, values)
        last = self._last
        self._last = (values, firing)
        if last is None or last[0].keys() != values.keys():
            return firing
        before, old = last
        stale: set[str] = set()
        for k, v in values.items():
            w = before[k]
            if v != w or type(v) is not type(w):
                stale.update(self._readers.get(k, ()))
        known = self._known
        firing._cache = {n: hit for n, hit in old._cache.items() if n in known and n not in stale}
        firing._matched = {n: hit for n, hit in old._matched.items() if n in known and n not in stale}
        return firing


# -- monitors -----------------------------------------------------------------------------------


class Monitor:
    """A small automaton run along a path; `enter` gives the states after entering a node.

    A violation state is never left. `resume` gives the states after a node where `enter`
    found a violation, for a path on which that violation does not count (a property whose
    condition is not known to hold there may still be violated further on: `verify.paths.Known`)."""

    initial: Hashable = 0
    # the kinds of node at which `enter` always returns the state unchanged (products skip it there)
    passive: frozenset[str] = frozenset()

    def enter(self, state: Hashable, graph: DecisionGraph, node: str) -> tuple[Hashable, ...]:
        return (state,)

    def resume(self, state: Hashable, graph: DecisionGraph, node: str) -> tuple[Hashable, ...]:
        return (state,)


class Trivial(Monitor):
    passive = frozenset({"decision", "order", "choice", "end"})


# -- products -----------------------------------------------------------------------------------


@dataclass
class Product:
    graph: DecisionGraph
    nodes: list[tuple[str, Hashable]] = field(default_factory=list)  # topological order
    preds: list[list[tuple[int, GuardKey]]] = field(default_factory=list)
    index: dict[tuple[str, Hashable], int] = field(default_factory=dict)
    start: int = 0
    _succ: list[list[tuple[int, GuardKey]]] | None = None

    def successors(self) -> list[list[tuple[int, GuardKey]]]:
        """(successor, guard key) of each node, ascending by successor (built on first use; the product
        is not changed after)."""
        if self._succ is None:
            succ: list[list[tuple[int, GuardKey]]] = [[] for _ in self.nodes]
            for i, ps in enumerate(self.preds):
                for p, key in ps:
                    succ[p].append((i, key))
            self._succ = succ
        return self._succ

    def violations(self) -> list[int]:
        return [i for i, (_, q) in enumerate(self.nodes) if isinstance(q, Violation)]

    def ancestors(self, targets: Iterable[int]) -> list[int]:
        """Product nodes from which some target can be reached, ascending (topological)."""
        seen = set(targets)
        stack = list(seen)
        while stack:
            i = stack.pop()
            for p, _ in self.preds[i]:
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return sorted(seen)


def out_edges(graph: DecisionGraph, node: str) -> list[tuple[str, GuardKey]]:
    """(target, guard key) of each edge leaving a node, rules in rule order."""
    if graph.kind(node) == "decision":
        edges = sorted(graph.rule_edges(node), key=lambda tr: tr[1].index)
        key = graph.table_key(node)  # the decision, or its copy reading later results
        return [(t, (key, r.index)) for t, r in edges]
    if graph.kind(node) == "order":
        return [(graph.next_node(node), None)]
    if graph.kind(node) == "choice":  # every option is open: the clinician may take any of them
        return [(t, None) for t in graph.option_nodes(node)]
    return []


class _Shape:
    """What every product of one graph walks: its topological order and each node's out-edges."""

    def __init__(self, graph: DecisionGraph) -> None:
        self.graph = graph  # keeps it alive, so that its id stays unique while cached
        self.order = graph.topological_order()
        self.position = {n: i for i, n in enumerate(self.order)}
        self.kinds = {u: graph.kind(u) for u in self.order}
        self.edges = {u: out_edges(graph, u) for u in self.order}


_SHAPES: dict[int, _Shape] = {}


def _shape(graph: DecisionGraph) -> _Shape:
    """The graph's _Shape, built once per graph object (a lowered graph is never changed): every
    property builds a product of the same graph."""
    hit = _SHAPES.get(id(graph))
    if hit is not None and hit.graph is graph:
        return hit
    if len(_SHAPES) >= 8:
        _SHAPES.clear()
    shape = _SHAPES[id(graph)] = _Shape(graph)
    return shape


def build_product(graph: DecisionGraph, monitor: Monitor) -> Product:
    shape = _shape(graph)
    order = shape.order
    position = shape.position
    kinds = shape.kinds
    passive = monitor.passive
    enter = monitor.enter
    memo: dict[tuple[Hashable, str], tuple[Hashable, ...]] = {}  # `enter` depends on the state and node only
    prod = Product(graph=graph)
    # collect per graph node its states (in creation order) and incoming edges
    states: dict[str, dict[Hashable, list[tuple[tuple[str, Hashable], GuardKey]]]] = {}
    first = enter(monitor.initial, graph, graph.start)
    for q in first:
        states.setdefault(graph.start, {}).setdefault(q, [])
    for u in order:
        here = states.get(u)
        if not here:
            continue
        edges = shape.edges[u]
        for q in list(here):
            if isinstance(q, Violation):
                continue
            src = (u, q)
            for v, key in edges:
                at = states.get(v)
                if at is None:
                    at = states[v] = {}
                if kinds[v] in passive:  # the monitor keeps its state at nodes of this kind
                    into = at.get(q)
                    if into is None:
                        into = at[q] = []
                    into.append((src, key))
                    continue
                nxt = memo.get((q, v))
                if nxt is None:
                    nxt = memo[(q, v)] = enter(q, graph, v)
                for q2 in nxt:
                    into = at.get(q2)
                    if into is None:
                        into = at[q2] = []
                    into.append((src, key))
    index = prod.index
    nodes = prod.nodes
    for u in sorted(states, key=position.__getitem__):
        for q in states[u]:
            index[(u, q)] = len(nodes)
            nodes.append((u, q))
    preds: list[list[tuple[int, GuardKey]]] = [[] for _ in nodes]
    for u, qs in states.items():
        for q, incoming in qs.items():
            preds[index[(u, q)]] = [(index[src], key) for src, key in incoming]
    prod.preds = preds
    prod.start = index[(graph.start, first[0])]
    return prod


@dataclass
class ReachEncoding:
    reach: dict[int, Any]  # product node -> Bool (or the constant true for the start)
    defs: list[Any]


def encode_reach(
    prod: Product, guards: Guards, nodes: Sequence[int], known: Mapping[int, Any] | None = None
) -> ReachEncoding:
    """reach(n) -> OR(reach(p) and guard) for the given product nodes, whose predecessors are
    among them or already encoded in `known`."""
    enc = guards.enc
    reach: dict[int, Any] = {}
    defs: list[Any] = []
    old = known or {}
    true = enc.true
    for i in sorted(nodes):
        preds = prod.preds[i]
        if not preds:
            reach[i] = true if i == prod.start else enc.false
            continue
        ways = []
        for p, key in preds:
            rp = reach[p] if p in reach else old[p]
            ways.append(rp if key is None else (guards.guard(key) if rp is true else enc.and_([rp, guards.guard(key)])))
        if len(ways) == 1:
            # one way in (an order step after its rule, a choice's option): the way itself, no variable
            reach[i] = ways[0]
            continue
        r = enc.fresh_bool("reach")
        reach[i] = r
        defs.append(enc.implies(r, enc.or_(ways)))
    return ReachEncoding(reach=reach, defs=defs)


@dataclass
class Run:
    """One patient through a product: which nodes it reaches, and how (first way found)."""

    reached: list[bool]
    parent: list[tuple[int, GuardKey] | None]

    def path_to(self, i: int) -> list[tuple[int, GuardKey]]:
        """[(node, key of the edge taken into it)] from the start to node i."""
        out: list[tuple[int, GuardKey]] = []
        node = i
        while True:
            back = self.parent[node]
            out.append((node, back[1] if back else None))
            if back is None:
                break
            node = back[0]
        out.reverse()
        return out


def run_product(prod: Product, firing: Firing, upto: int | None = None, only: Sequence[int] | None = None) -> Run:
    """Which product nodes the patient reaches: every node (up to `upto`), or only the
    given ancestor-closed, ascending list of nodes.

    Forward from the start, so that its cost is that of the nodes the patient reaches (a few
    paths) rather than of the whole product; each reached node's parent is then its first
    predecessor, in predecessor order, that is reached by an enabled edge, as `scan_product`
    finds it. A condition that cannot be evaluated (`MissingValue`) makes it fall back to
    `scan_product`, which raises it exactly when a scan meets it."""
    try:
        return _forward(prod, firing, upto, only)
    except MissingValue:
        return scan_product(prod, firing, upto, only)


def scan_product(prod: Product, firing: Firing, upto: int | None = None, only: Sequence[int] | None = None) -> Run:
    """`run_product` by visiting every node (up to `upto`, or in `only`) in topological order."""
    n = len(prod.nodes) if upto is None else upto + 1
    reached = [False] * len(prod.nodes)
    parent: list[tuple[int, GuardKey] | None] = [None] * len(prod.nodes)
    reached[prod.start] = True
    preds = prod.preds
    applies = firing.applies  # `firing.enabled`, inlined: this loop visits every edge
    for i in only if only is not None else range(n):
        if i == prod.start:
            continue
        for p, key in preds[i]:
            if reached[p] and (key is None or key[1] in applies(key[0])):
                reached[i] = True
                parent[i] = (p, key)
                break
    return Run(reached=reached, parent=parent)


def _forward(prod: Product, firing: Firing, upto: int | None, only: Sequence[int] | None) -> Run:
    size = len(prod.nodes)
    allowed: list[bool] | None = None
    if only is not None:
        allowed = [False] * size
        for i in only:
            allowed[i] = True
    last = size - 1 if upto is None else upto
    succ = prod.successors()
    preds = prod.preds
    applies = firing.applies
    reached = [False] * size
    parent: list[tuple[int, GuardKey] | None] = [None] * size
    start = prod.start
    reached[start] = True
    found: list[int] = []
    # any order of visits finds the same nodes (the parents are chosen below, once all are known)
    todo = [start]
    while todo:
        u = todo.pop()
        for v, key in succ[u]:
            if v > last:
                break  # each node's successors are ascending (`Product.successors`)
            if reached[v] or (allowed is not None and not allowed[v]):
                continue
            if key is None or key[1] in applies(key[0]):
                reached[v] = True
                found.append(v)
                todo.append(v)
    for v in found:  # the parent a scan in topological order finds: the first way in
        for p, key in preds[v]:
            if reached[p] and (key is None or key[1] in applies(key[0])):
                parent[v] = (p, key)
                break
    return Run(reached=reached, parent=parent)
