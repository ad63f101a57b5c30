"""Model -> DecisionGraph.

Node ids are derived from source names so the same spec always gives the same graph,
and nodes and edges are added in source order (networkx keeps insertion order).

Bounded loops are unrolled (node ids count the earlier visits: `decision:review@1`).
When some path orders an action with findings twice (a repeated study), the pathway is
unrolled a second time counting the orders of each repeated study too, so that every
node knows which result of each finding is the latest (`compiler.graph` describes the
attributes); a spec that repeats no study is unrolled once and gets the graph it always had.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import replace

import networkx as nx

from compiler.graph import LIMIT_NODE, DecisionGraph
from dsl.codes import GRAPH_TOO_LARGE
from dsl.cond import reads, rename
from dsl.diagnostics import Diagnostic, VeripathError, error
from dsl.model import Assumption, Decision, Model, Rule, Variable, result_key
from dsl.resolve import MAX_VISITS

Visits = tuple[int, ...]
Counts = tuple[int, ...]  # orders of each repeated study so far, aligned with `_Unroller.repeated`

__all__ = [
    "MAX_GRAPH_SIZE",
    "MAX_VISITS",
    "GraphTooLarge",
    "lower",
    "lower_checked",
    "reading_latest",
    "repeated_studies",
]
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
    graph = _Unroller(model, ()).run()
    repeated = repeated_studies(graph)
    if not repeated:
        return graph
    return _Unroller(model, repeated).run()


def repeated_studies(graph: DecisionGraph) -> tuple[str, ...]:
    """The actions with findings that some path of the graph orders twice, in declaration order
    (none when the graph has a cycle: an unbounded loop, reported by `wellformed`)."""
    model = graph.model
    studies = {v.revealed_by for v in model.findings}
    g = graph.graph
    actions: dict[str, tuple[str, ...]] = {n: a for n, a in g.nodes(data="actions", default=()) if a}
    # only a study ordered at more than one order node (or twice at one) can be ordered twice on a path
    places: dict[str, int] = {}
    for ordered in actions.values():
        for a in ordered:
            if a in studies:
                places[a] = places.get(a, 0) + 1
    candidates = [a.name for a in model.actions if places.get(a.name, 0) >= 2]
    if not candidates:
        return ()
    # the most orders of each candidate on a path into each node, pushed along the edges in a
    # topological order (Kahn's algorithm over the raw adjacency: this runs on every large spec)
    succ = {n: list(g.succ[n]) for n in g}
    waiting = dict.fromkeys(succ, 0)
    for targets in succ.values():
        for v in targets:
            waiting[v] += 1
    most = {n: [0] * len(candidates) for n in succ}
    ready = [n for n, k in waiting.items() if k == 0]
    found: set[str] = set()
    done = 0
    while ready:
        u = ready.pop()
        done += 1
        here = most[u]
        for i, a in enumerate(candidates):
            here[i] += actions.get(u, ()).count(a)
            if here[i] >= 2:
                found.add(a)
        for v in succ[u]:
            there = most[v]
            for i, c in enumerate(here):
                if c > there[i]:
                    there[i] = c
            waiting[v] -= 1
            if waiting[v] == 0:
                ready.append(v)
    if done < len(succ):  # a cycle
        return ()
    return tuple(a for a in candidates if a in found)


def reading_latest(decision: Decision, latest: tuple[tuple[str, str], ...]) -> Decision:
    """A copy of `decision` whose rules read, for each (finding, result key) of `latest`, that
    result instead of the finding (`Decision.latest`; the decision itself when `latest` is empty)."""
    if not latest:
        return decision
    names = dict(latest)
    rules = tuple(replace(r, cond=rename(r.cond, names)) for r in decision.rules)
    return replace(decision, rules=rules, latest=latest)


class _Unroller:
    """One unrolling of the pathway; with `repeated` studies, counting their orders too."""

    def __init__(self, model: Model, repeated: tuple[str, ...]) -> None:
        self.model = model
        self.repeated = repeated
        self.graph = nx.MultiDiGraph(name=model.name, title=model.title, version=model.version or "")
        self.bounded = [d.name for d in model.decisions if d.max_visits is not None]
        self.reveals: dict[str, list[str]] = {}
        for var in model.findings:
            assert var.revealed_by is not None
            self.reveals.setdefault(var.revealed_by, []).append(var.name)
        # the variables each decision reads: only asked about with repeated studies (which decisions
        # read a later result), so only walked then (a large table's conditions are many)
        self.reads: dict[str, frozenset[str]] = {}
        if repeated:
            self.reads = {d.name: frozenset(v for r in d.rules for v, _ in reads(r.cond)) for d in model.decisions}
        self.suffixes: dict[tuple[Visits, Counts], str] = {}
        self.visit_tags: dict[str, str] = {}  # a suffix -> its visits part
        self.tags: dict[str, str] = {}  # decision and order node -> its suffix
        self.latest_copies: dict[tuple[str, tuple[tuple[str, str], ...]], Decision] = {}
        self.most = [0 for _ in repeated]  # the most orders of each repeated study on a path
        # Iterative (a worklist, not recursion) so that long pathways cannot overflow the stack.
        self.pending: deque[tuple[Decision, Visits, Counts, str, str]] = deque()
        self.size = 0  # nodes plus edges so far
        # Reported at the first bounded decision (or the start): a stable place, whichever copy overflows.
        assert model.start is not None
        self.blame = model.decision(self.bounded[0] if self.bounded else model.start).span

    # -- ids ------------------------------------------------------------------------------
    def suffix(self, before: Visits, counts: Counts) -> str:
        # Ids name the visits made *before* this one: `review`, `review@1`, `review@2`, and the
        # orders of each repeated study so far: `+us_plain=2`. The whole visit vector is shown
        # once any count is non-zero, every repeated study ordered so far, so ids are injective.
        # (`short_ids` then drops the orders where the visits alone tell the copies apart.)
        known = self.suffixes.get((before, counts))
        if known is None:
            studies = "".join(f"+{a}={c}" for a, c in zip(self.repeated, counts, strict=True) if c)
            known = self.suffixes[(before, counts)] = _suffix(before) + studies
            self.visit_tags[known] = _suffix(before)
        return known

    def short_ids(self, start: str) -> str:
        """Rename nodes to drop the counts of orders from their ids wherever the visits alone
        tell the copies of a decision (or of an order step) apart: the copies are split only where
        paths reaching them disagree on how often a study was ordered. Returns the new start."""
        groups: dict[str, list[str]] = {}
        plain: dict[str, str] = {}
        for node in self.graph.nodes:
            tag = self.tags.get(node)
            if tag is None:
                continue
            base = node[: len(node) - len(tag)] + self.visit_tags[tag]
            plain[node] = base
            groups.setdefault(base, []).append(node)
        mapping = {node: base for node, base in plain.items() if len(groups[base]) == 1 and node != base}
        if mapping:
            self.graph = nx.relabel_nodes(self.graph, mapping, copy=True)
            for _, data in self.graph.nodes(data=True):
                if "choice" in data and data.get("kind") == "order":  # an option's step names its choice node
                    data["choice"] = mapping.get(data["choice"], data["choice"])
        return mapping.get(start, start)

    def grow(self, count: int) -> None:
        self.size += count
        if self.size > MAX_GRAPH_SIZE:
            loops = ", ".join(f"'{name}'" for name in self.bounded)
            studies = ", ".join(f"'{a}'" for a in self.repeated)
            why = f" once the loops through {loops} are unrolled" if self.bounded else ""
            if studies:
                why += f"{' and' if why else ' once'} the repeated orders of {studies} are counted"
            raise GraphTooLarge(
                error(
                    GRAPH_TOO_LARGE,
                    f"the decision graph would have more than {MAX_GRAPH_SIZE:,} nodes and edges{why}",
                    self.blame,
                    hint="lower the 'at most N visits' bounds, or split the pathway"
                    if self.bounded
                    else "split the pathway into smaller guidelines",
                )
            )

    # -- nodes ----------------------------------------------------------------------------
    def bump(self, decision: Decision, visits: Visits) -> Visits | None:
        if decision.name not in self.bounded:
            return visits
        i = self.bounded.index(decision.name)
        count = visits[i] + 1
        assert decision.max_visits is not None
        if count > decision.max_visits:
            return None
        return (*visits[:i], count, *visits[i + 1 :])

    def add_end(self, name: str) -> str:
        node = f"end:{name}"
        if node not in self.graph:
            disp = self.model.disposition(name)
            self.graph.add_node(
                node,
                kind="end",
                disposition=name,
                title=disp.title,
                disposition_kind=disp.kind,
                span=disp.span,
            )
        return node

    def add_limit(self) -> str:
        if LIMIT_NODE not in self.graph:
            self.graph.add_node(
                LIMIT_NODE,
                kind="end",
                disposition="__revisit_limit__",
                title="Revisit limit reached",
                disposition_kind="uncovered",
                span=None,
            )
        return LIMIT_NODE

    def latest(self, counts: Counts) -> tuple[tuple[str, str], ...]:
        """(finding, key of its latest result) for each finding whose study was ordered twice or more."""
        return tuple(
            (f, result_key(f, c))
            for a, c in zip(self.repeated, counts, strict=True)
            if c >= 2
            for f in self.reveals.get(a, ())
        )

    def variant(self, decision: Decision, latest: tuple[tuple[str, str], ...]) -> Decision:
        """The copy of `decision` that reads the given latest results (made once per pair)."""
        hit = self.latest_copies.get((decision.name, latest))
        if hit is None:
            hit = self.latest_copies[(decision.name, latest)] = reading_latest(decision, latest)
        return hit

    def node_for(self, decision: Decision, before: Visits, counts: Counts) -> str:
        visits = self.bump(decision, before)
        if visits is None:
            return self.add_limit()
        tag = self.suffix(before, counts)
        node = f"decision:{decision.name}{tag}"
        if node not in self.graph:
            extra: dict[str, object] = {}
            if self.repeated:
                latest = self.latest(counts)
                extra["latest"] = latest
                read = tuple(pair for pair in latest if pair[0] in self.reads[decision.name])
                if read:
                    extra["table"] = self.variant(decision, read).key
            self.graph.add_node(
                node,
                kind="decision",
                decision=decision.name,
                title=decision.title,
                hit_policy=decision.hit_policy,
                span=decision.span,
                **extra,
            )
            self.tags[node] = tag
            self.grow(1)
            self.pending.append((decision, visits, counts, node, tag))
        return node

    def target_of(self, rule: Rule, visits: Visits, counts: Counts) -> str:
        if rule.end is not None:
            return self.add_end(rule.end)
        assert rule.goto is not None
        return self.node_for(self.model.decision(rule.goto), visits, counts)

    def ordered(self, actions: tuple[str, ...], counts: Counts) -> tuple[Counts, tuple[str, ...]]:
        """The counts after these orders, and the result keys they reveal, in order."""
        now = list(counts)
        results: list[str] = []
        for a in actions:
            k = 1
            if a in self.repeated:
                i = self.repeated.index(a)
                now[i] += 1
                k = now[i]
                self.most[i] = max(self.most[i], k)
            results.extend(result_key(f, k) for f in self.reveals.get(a, ()))
        return tuple(now), tuple(results)

    def add_order(
        self, step: str, tag: str, rule: Rule, actions: tuple[str, ...], results: tuple[str, ...], **extra: object
    ) -> None:
        """An order step (of a rule, or of one option of its choice), revealing `results`."""
        if self.repeated:
            extra["results"] = results
        self.tags[step] = tag
        self.graph.add_node(
            step,
            kind="order",
            rule=rule.id,
            actions=actions,
            reveals=tuple(f for a in actions for f in self.reveals.get(a, ())),
            span=rule.span,
            **extra,
        )

    # -- the walk -------------------------------------------------------------------------
    def run(self) -> DecisionGraph:
        model = self.model
        graph = self.graph
        assert model.start is not None
        start = self.node_for(
            model.decision(model.start), tuple(0 for _ in self.bounded), tuple(0 for _ in self.repeated)
        )
        while self.pending:
            decision, visits, counts, node, tag = self.pending.popleft()
            for rule in decision.rules:
                choice = rule.choice
                if choice is not None:
                    # decision -rule-> choice -option-> one order step per option -next-> the rule's
                    # target (after a repeated study, each option's target counts its own orders)
                    self.grow(2 + 3 * len(choice.options))
                    fork = f"choice:{rule.id}{tag}"
                    self.tags[fork] = tag
                    graph.add_node(fork, kind="choice", rule=rule.id, choice=choice, span=choice.span)
                    graph.add_edge(node, fork, key=rule.id, kind="rule", rule=rule, decision=decision.name)
                    orders = [self.ordered(actions, counts) for actions in rule.sequences]
                    targets = [self.target_of(rule, visits, after) for after, _ in orders]
                    for option, actions, (_, results), target in zip(
                        choice.options, rule.sequences, orders, targets, strict=True
                    ):
                        label = "+".join(option)
                        step = f"order:{rule.id}/{label}{tag}"
                        self.add_order(step, tag, rule, actions, results, option=option, choice=fork)
                        graph.add_edge(fork, step, key=label, kind="option", option=option)
                        graph.add_edge(step, target, key="next", kind="next")
                elif rule.orders:
                    self.grow(3)
                    step = f"order:{rule.id}{tag}"
                    after, results = self.ordered(rule.sequences[0], counts)
                    self.add_order(step, tag, rule, rule.sequences[0], results)
                    graph.add_edge(node, step, key=rule.id, kind="rule", rule=rule, decision=decision.name)
                    graph.add_edge(step, self.target_of(rule, visits, after), key="next", kind="next")
                else:
                    self.grow(1)
                    target = self.target_of(rule, visits, counts)
                    graph.add_edge(node, target, key=rule.id, kind="rule", rule=rule, decision=decision.name)
        if not self.repeated:
            return DecisionGraph(model=model, graph=graph, start=start)
        start = self.short_ids(start)
        return DecisionGraph(model=model, graph=self.graph, start=start, fresh=self.fresh_model())

    # -- the model of fresh results ---------------------------------------------------------
    def fresh_model(self) -> Model:
        """The model with a variable per later result, the assumptions for every result and the
        decisions' copies that read later results."""
        model = self.model
        most = dict(zip(self.repeated, self.most, strict=True))
        variables: list[Variable] = []
        for v in model.variables:
            variables.append(v)
            for k in range(2, most.get(v.revealed_by or "", 0) + 1):
                variables.append(replace(v, name=result_key(v.name, k)))
        return replace(
            model,
            variables=tuple(variables),
            assumptions=tuple(a2 for a in model.assumptions for a2 in self.every_result(a, most)),
            latest_copies=tuple(self.latest_copies.values()),
        )

    def every_result(self, a: Assumption, most: dict[str, int]) -> list[Assumption]:
        """The assumption for every result it reads: the findings of one study read the same
        result, those of different studies every combination (the assumption itself first)."""
        studies = list(
            dict.fromkeys(
                var.revealed_by
                for name, _ in reads(a.cond)
                for var in [self.model.variable(name)]
                if var.revealed_by in most
            )
        )
        out: list[Assumption] = []
        for ks in itertools.product(*(range(1, most[s] + 1) for s in studies)):
            names = {f: result_key(f, k) for s, k in zip(studies, ks, strict=True) for f in self.reveals[s] if k > 1}
            out.append(replace(a, cond=rename(a.cond, names)) if names else a)
        return out
