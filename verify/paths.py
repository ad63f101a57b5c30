"""Path properties over the decision graph, one Z3 query each, without enumerating paths.

Each property is a small monitor automaton run along paths; the product of the graph
(a DAG) with the monitor is a DAG whose size is the graph's times the monitor's. A
violation is a product node in the monitor's violation state that some patient
reaches, and "some patient reaches it" is encoded with one Boolean per product node
(see `reach`), so the query is linear in the size of the product:

  never T before O    states: no O yet / some O ordered; violation: a T ordered with no O before it
  always T before O   the same monitor as never O before T
  when C always eventually T
                      states: no T yet / T ordered; violation: an end node with no T
  when C never T      violation: a T ordered
  never T             violation: a T ordered
  never end in S      violation: an end node in S (the revisit-limit node is in no set)
  always end in S     violation: an end node not in S (the revisit-limit node included)
  always ends         no monitor; violation: a reached decision where no rule matches, or the
                      revisit-limit node
  no repeated orders  the monitor guesses which action will repeat (states: none / tracking a);
                      only actions that occur twice on some path of the graph are tracked
  at most N steps     an integer path-length variable per node (linear, instead of N states)

`when C` (any ordering or disposition form, `when C never ...` for `never`) restricts the
violations to those where C is definitely true (three-valued, `dsl.cond.definitely`), with
what is known at the violation: the inputs, and the findings revealed by the order steps
before it. When C reads findings, the monitor is wrapped in `Known`, which adds the set of
those findings revealed so far to its state, so each violation node of the product knows
which of them are known there; the query is OR over violation nodes t of
reach(t) and definitely(C, known(t)). A violation where C can never be known to hold
(`definitely` folds it to false) is dropped before the query. `Known` also resumes the path
past each violation (`Monitor.resume`): it counts only for patients for whom C is known to hold
there, and a later node of the same path may violate the property with more findings known.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, Protocol, assert_never

import z3

from compiler.graph import LIMIT_NODE, DecisionGraph
from dsl import model as m
from dsl.codes import PROPERTY_VIOLATED
from dsl.cond import definitely, is_false, reads, rename
from dsl.diagnostics import diagnostic
from dsl.evidence import PathStep
from dsl.model import Value
from verify.budgets import MAX_STEPS_TRIES, PROPERTY_SAMPLE_TRIES, property_improve_budget
from verify.context import Session
from verify.counterexample import Minimiser, assignments, cond_text, define_steps, make_evidence, path_steps
from verify.encode import Encoder
from verify.evaluate import MissingValue, evaluate
from verify.reach import (
    VIOLATION,
    Firing,
    Firings,
    GuardKey,
    Guards,
    Monitor,
    Product,
    Violation,
    build_product,
    encode_reach,
    run_product,
)
from verify.results import CheckResult, Verdict
from verify.solver import Patient, SolverResult
from verify.tables import unknown_result


class PathwayVerifier(Protocol):
    """What the property checks need from the pathway verifier (`verify.pathway.PathwayVerifier`).

    A protocol, so that `pathway` imports this module and not the other way round.
    """

    @property
    def graph(self) -> DecisionGraph: ...
    @property
    def model(self) -> m.Model: ...
    @property
    def enc(self) -> Encoder: ...
    @property
    def guards(self) -> Guards: ...
    @property
    def session(self) -> Session: ...
    @property
    def base(self) -> Product: ...
    @property
    def minimiser(self) -> Minimiser: ...
    @property
    def decision_vars(self) -> Mapping[str, frozenset[str]]: ...
    @property
    def rule_texts(self) -> dict[int, str]: ...

    def reach_expr(self, i: int) -> Any: ...
    def ends_proved(self) -> bool: ...
    def reached_patients(self, nodes: Iterable[int]) -> list[Patient]: ...


# -- monitors -------------------------------------------------------------------------------------


class NeverBefore(Monitor):
    passive = frozenset({"decision", "choice", "end"})

    def __init__(self, target: frozenset[str], other: frozenset[str]) -> None:
        self.target, self.other = target, other

    def enter(self, state: Hashable, graph: DecisionGraph, node: str) -> tuple[Hashable, ...]:
        if graph.kind(node) != "order":
            return (state,)
        for a in graph.actions_of(node):
            if state == 0 and a in self.target:
                return (VIOLATION,)
            if a in self.other:
                state = 1
        return (state,)

    def resume(self, state: Hashable, graph: DecisionGraph, node: str) -> tuple[Hashable, ...]:
        return (1 if any(a in self.other for a in graph.actions_of(node)) else state,)


class EndIn(Monitor):
    """A violation at an end node whose disposition is in the set (`inside`) or not in it. The
    revisit-limit node is no disposition, so it is in no set."""

    passive = frozenset({"decision", "choice", "order"})

    def __init__(self, dispositions: frozenset[str], inside: bool) -> None:
        self.dispositions, self.inside = dispositions, inside

    def enter(self, state: Hashable, graph: DecisionGraph, node: str) -> tuple[Hashable, ...]:
        if graph.kind(node) == "end" and (graph.graph.nodes[node]["disposition"] in self.dispositions) == self.inside:
            return (VIOLATION,)
        return (state,)


class Known(Monitor):
    """Another monitor, run with the findings of `tracked` revealed so far on the path.

    States are (the other monitor's state, the tracked findings revealed). A violation carries
    the findings revealed by the order steps BEFORE the node where it happens: the results of an
    order step are known after the step, so an action ordered in the same step as a study does
    not know that study's result. A violation is also resumed past (`Monitor.resume`): whether
    it counts depends on the patient's findings, and where it does not, a later node of the
    same path may still violate the property with more findings known."""

    def __init__(self, inner: Monitor, tracked: frozenset[str]) -> None:
        self.inner, self.tracked = inner, tracked
        self.initial = (inner.initial, frozenset())
        self.passive = inner.passive - {"order"}  # an order step may reveal a tracked finding

    def enter(self, state: Hashable, graph: DecisionGraph, node: str) -> tuple[Hashable, ...]:
        assert isinstance(state, tuple)
        inner, known = state
        after = known
        if graph.kind(node) == "order":
            # each tracked finding as its latest result (`us_result#2` after a study's second order)
            latest = {m.split_result(k)[0]: k for k in graph.results_of(node) if m.split_result(k)[0] in self.tracked}
            if latest:
                after = frozenset(k for k in known if m.split_result(k)[0] not in latest) | frozenset(latest.values())
        out: list[Hashable] = []
        for q in self.inner.enter(inner, graph, node):
            if isinstance(q, Violation):
                # the violation counts only where the condition is known to hold (`applies_at`);
                # where it is not, the path goes on and may violate the property later
                out.append(Violation(known))
                out.extend((r, after) for r in self.inner.resume(inner, graph, node))
            else:
                out.append((q, after))
        return tuple(dict.fromkeys(out))


class Eventually(Monitor):
    passive = frozenset({"decision", "choice"})

    def __init__(self, target: frozenset[str]) -> None:
        self.target = target

    def enter(self, state: Hashable, graph: DecisionGraph, node: str) -> tuple[Hashable, ...]:
        kind = graph.kind(node)
        if kind == "order" and any(a in self.target for a in graph.actions_of(node)):
            return (1,)
        if kind == "end" and state == 0:
            return (VIOLATION,)
        return (state,)


class Never(Monitor):
    passive = frozenset({"decision", "choice", "end"})

    def __init__(self, target: frozenset[str]) -> None:
        self.target = target

    def enter(self, state: Hashable, graph: DecisionGraph, node: str) -> tuple[Hashable, ...]:
        if graph.kind(node) == "order" and any(a in self.target for a in graph.actions_of(node)):
            return (VIOLATION,)
        return (state,)


class NoRepeat(Monitor):
    initial: Hashable = ""
    passive = frozenset({"decision", "choice", "end"})

    def __init__(self, tracked: frozenset[str]) -> None:
        self.tracked = tracked

    def enter(self, state: Hashable, graph: DecisionGraph, node: str) -> tuple[Hashable, ...]:
        if graph.kind(node) != "order":
            return (state,)
        states: list[Hashable] = [state]
        for a in graph.actions_of(node):
            nxt: list[Hashable] = []
            for s in states:
                if s == VIOLATION or (s != a and s != ""):
                    nxt.append(s)
                elif s == a:
                    nxt.append(VIOLATION)
                else:  # tracking nothing yet: keep waiting, or start tracking a
                    nxt.append("")
                    if a in self.tracked:
                        nxt.append(a)
            states = list(dict.fromkeys(nxt))
        return tuple(states)


def repeatable(graph: DecisionGraph, exceptions: frozenset[str]) -> frozenset[str]:
    """Actions that occur at least twice on some path of the graph (structurally).

    One pass in topological order: for each node, the most orders of each action on a path ending
    there (a node's counts are shared with its successor when it orders nothing)."""
    g = graph.graph
    out: set[str] = set()
    best: dict[str, dict[str, int]] = {}
    empty: dict[str, int] = {}
    for n in graph.topological_order():
        preds = [best[p] for p in g.predecessors(n) if p in best]
        if len(preds) == 1:
            acc = preds[0]
        elif not preds:
            acc = empty
        else:
            acc = {}
            for counts in preds:
                for a, k in counts.items():
                    if k > acc.get(a, 0):
                        acc[a] = k
        if graph.kind(n) == "order":
            mine = [a for a in graph.actions_of(n) if a not in exceptions]
            if mine:
                acc = dict(acc)
                for a in mine:
                    acc[a] = acc.get(a, 0) + 1
                    if acc[a] >= 2:
                        out.add(a)
        best[n] = acc
    return frozenset(out)


# -- checking ---------------------------------------------------------------------------------------


def check_properties(pv: PathwayVerifier) -> list[CheckResult]:
    return [check_property(pv, p) for p in pv.model.properties]


def _names(s: m.ActionSet | None) -> frozenset[str]:
    return frozenset(s.actions) if s is not None else frozenset()


def _ends(s: m.DispositionSet | None) -> frozenset[str]:
    return frozenset(s.dispositions) if s is not None else frozenset()


def tested_findings(model: m.Model, prop: m.Property) -> frozenset[str]:
    """The findings the property's condition reads (they may be unknown where it is checked)."""
    if prop.condition is None:
        return frozenset()
    return frozenset(v for v, _ in reads(prop.condition) if model.variable(v).is_finding)


def monitor_of(prop: m.Property, graph: DecisionGraph) -> Monitor:
    """The monitor automaton of an ordering or disposition property (see the module docstring); the
    property applies at its violations where its condition is known to hold (`applies_at`)."""
    tracked = tested_findings(graph.model, prop)
    monitor: Monitor
    match prop.kind:
        case "never_before":
            monitor = NeverBefore(_names(prop.target), _names(prop.other))
        case "always_before":  # always T before O: never an O before a T
            monitor = NeverBefore(_names(prop.other), _names(prop.target))
        case "eventually":
            monitor = Eventually(_names(prop.target))
        case "when_never" | "never":
            monitor = Never(_names(prop.target))
        case "never_end":
            monitor = EndIn(_ends(prop.ends), inside=True)
        case "always_end":
            monitor = EndIn(_ends(prop.ends), inside=False)
        case "no_repeat":
            monitor = NoRepeat(repeatable(graph, frozenset(prop.exceptions)))
        case "always_ends" | "max_steps":
            raise AssertionError(f"property kind {prop.kind} has no monitor")
        case _:
            assert_never(prop.kind)
    return Known(monitor, tracked) if tracked else monitor


def applies_at(model: m.Model, prop: m.Property, state: Hashable) -> m.Cond:
    """When the property applies at a violation state: its condition, definitely true with the
    findings the state knows (`dsl.cond.definitely`); true when it has no condition."""
    if prop.condition is None:
        return m.Const(value=True, span=prop.span)
    assert isinstance(state, Violation)
    known = known_findings(state)
    cond = definitely(prop.condition, tested_findings(model, prop) - frozenset(known))
    # a finding of a repeated study: the latest result on the path (`Known` tracks which)
    return rename(cond, {name: key for name, key in known.items() if key != name})


def known_findings(state: Violation) -> dict[str, str]:
    """The findings known at a violation, each with the key of its latest result there."""
    return {m.split_result(key)[0]: key for key in sorted(state.known)}


def check_property(pv: PathwayVerifier, prop: m.Property) -> CheckResult:
    t0 = time.perf_counter()
    if prop.kind == "max_steps":
        return _max_steps(pv, prop, t0)
    if prop.kind == "always_ends":
        return _always_ends(pv, prop, t0)
    graph = pv.graph
    prod = build_product(graph, monitor_of(prop, graph))
    applies = {t: applies_at(pv.model, prop, prod.nodes[t][1]) for t in prod.violations()}
    # violations where the condition can never be known to hold are no violations
    targets = [t for t, c in applies.items() if not is_false(c)]
    if not targets:
        return CheckResult(f"property:{prop.name}", Verdict.PROVED, None, time.perf_counter() - t0)
    ancestors = prod.ancestors(targets)  # ascending: all that a run needs to know about the targets
    firings = Firings(pv.model, pv.decision_vars)

    def violated(p: Mapping[str, Value]) -> list[tuple[int, GuardKey]] | None:
        if not all(evaluate(a.cond, p) for a in pv.model.assumptions):
            return None
        run = run_product(prod, firings(p), only=ancestors)
        for t in targets:
            if run.reached[t] and evaluate(applies[t], p):
                return run.path_to(t)
        return None

    # a known patient who violates the property refutes it without a query (else Z3 decides)
    res = _known_violation(pv, prod, targets, applies, violated)
    if res is None:
        encoding = encode_reach(prod, pv.guards, ancestors)
        enc = pv.enc
        by_state: dict[Hashable, list[int]] = {}
        for t in targets:
            by_state.setdefault(prod.nodes[t][1], []).append(t)
        violation = enc.or_(
            enc.and_([enc.encode(applies[ts[0]]), enc.or_(encoding.reach[t] for t in ts)]) for ts in by_state.values()
        )
        res = pv.session.query(*encoding.defs, violation)
    return _conclude(pv, prop, prod, res, violated, t0)


def _known_violation(
    pv: PathwayVerifier,
    prod: Product,
    targets: list[int],
    applies: Mapping[int, m.Cond],
    violated: Callable[[Mapping[str, Value]], list[tuple[int, GuardKey]] | None],
) -> SolverResult | None:
    """A refutation by a patient the verifier already knows: one of the sample patients reaching the
    graph node of a violation, for whom the property's condition holds there, and whose run through
    the product reaches a violation (`violated`). At most `PROPERTY_SAMPLE_TRIES` runs; None if none
    of them violates the property."""
    base = pv.base
    initial = base.nodes[base.start][1]
    nodes = sorted({i for t in targets if (i := base.index.get((prod.nodes[t][0], initial))) is not None})
    conds = list({id(c): c for c in applies.values()}.values())
    tries = 0
    for p in pv.reached_patients(nodes):
        if tries >= PROPERTY_SAMPLE_TRIES:
            break
        try:
            if not any(evaluate(c, p) for c in conds):
                continue
            tries += 1
            if violated(p) is not None:
                return SolverResult(Verdict.REFUTED, model=dict(p))
        except MissingValue:
            continue
    return None


def _always_ends(pv: PathwayVerifier, prop: m.Property, t0: float) -> CheckResult:
    if pv.ends_proved():  # every reachable decision proved complete, the revisit limit unreachable
        return CheckResult(f"property:{prop.name}", Verdict.PROVED, None, time.perf_counter() - t0)
    prod = pv.base
    graph = pv.graph
    enc = pv.enc
    ways = []
    for i, (node, _) in enumerate(prod.nodes):
        if node == LIMIT_NODE:
            ways.append(pv.reach_expr(i))
        elif graph.kind(node) == "decision":
            name = graph.table_key(node)
            decision = pv.model.decision(name)
            if decision.rules and decision.rules[-1].is_otherwise:
                continue
            ways.append(enc.and_([pv.reach_expr(i), z3.Not(pv.guards.matched_any(name))]))
    if not ways:
        return CheckResult(f"property:{prop.name}", Verdict.PROVED, None, time.perf_counter() - t0)
    res = pv.session.query(enc.or_(ways))

    def violated(p: Mapping[str, Value]) -> list[tuple[int, GuardKey]] | None:
        if not all(evaluate(a.cond, p) for a in pv.model.assumptions):
            return None
        firing = Firing(pv.model, p)
        run = run_product(prod, firing)
        for i, (node, _) in enumerate(prod.nodes):
            if not run.reached[i]:
                continue
            if node == LIMIT_NODE:
                return run.path_to(i)
            if graph.kind(node) == "decision" and not firing.applies(graph.table_key(node)):
                return run.path_to(i)
        return None

    return _conclude(pv, prop, prod, res, violated, t0)


def _max_steps(pv: PathwayVerifier, prop: m.Property, t0: float) -> CheckResult:
    prod = pv.base
    graph = pv.graph
    bound = prop.bound or 0
    is_decision = [graph.kind(n) == "decision" for n, _ in prod.nodes]
    depth = [0] * len(prod.nodes)
    for i in range(len(prod.nodes)):
        before = max((depth[p] for p, _ in prod.preds[i]), default=0)
        depth[i] = before + int(is_decision[i])
    targets = [i for i in range(len(prod.nodes)) if is_decision[i] and depth[i] > bound]
    if not targets:  # the longest path of the DAG is within the bound
        return CheckResult(f"property:{prop.name}", Verdict.PROVED, None, time.perf_counter() - t0)

    def violated(p: Mapping[str, Value]) -> list[tuple[int, GuardKey]] | None:
        if not all(evaluate(a.cond, p) for a in pv.model.assumptions):
            return None
        firing = Firing(pv.model, p)
        best: list[int] = [-1] * len(prod.nodes)
        parent: list[tuple[int, GuardKey] | None] = [None] * len(prod.nodes)
        best[prod.start] = 1
        for i in range(len(prod.nodes)):
            if i == prod.start:
                continue
            for q, key in prod.preds[i]:
                if best[q] >= 0 and firing.enabled(key) and best[q] + int(is_decision[i]) > best[i]:
                    best[i] = best[q] + int(is_decision[i])
                    parent[i] = (q, key)
        for t in targets:
            if best[t] > bound:
                path: list[tuple[int, GuardKey]] = []
                node = t
                while True:
                    back = parent[node]
                    path.append((node, back[1] if back else None))
                    if back is None:
                        break
                    node = back[0]
                path.reverse()
                # cut the path at the first decision beyond the bound
                count = 0
                for k, (i, _) in enumerate(path):
                    count += int(is_decision[i])
                    if count > bound:
                        return path[: k + 1]
                return path
        return None

    res: Any = None
    # a known patient that reaches a node beyond the bound may take a path that long: a
    # counterexample without a query (the longest path may be infeasible, so else ask Z3)
    for p in pv.reached_patients(targets)[:MAX_STEPS_TRIES]:
        try:
            if violated(p) is not None:
                res = SolverResult(Verdict.REFUTED, model=dict(p))
                break
        except MissingValue:
            continue
    if res is None:
        res = pv.session.query(*_steps_encoding(pv, prod, targets, is_decision, bound))
    return _conclude(pv, prop, prod, res, violated, t0)


def _steps_encoding(
    pv: PathwayVerifier, prod: Product, targets: list[int], is_decision: list[bool], bound: int
) -> list[Any]:
    """The definitions of path lengths and the violation: a reached target beyond the bound."""
    enc = pv.enc
    nodes = prod.ancestors(targets)
    reach: dict[int, Any] = {}
    length: dict[int, Any] = {}
    defs = []
    for i in nodes:
        if i == prod.start:
            reach[i], length[i] = enc.true, z3.IntVal(1, enc.ctx)
            continue
        if not prod.preds[i]:
            reach[i], length[i] = enc.false, z3.IntVal(0, enc.ctx)
            continue
        r, n = enc.fresh_bool("reach"), enc.fresh_int("steps")
        reach[i], length[i] = r, n
        ways = [
            enc.and_([reach[p], pv.guards.guard(key), n == length[p] + int(is_decision[i])]) for p, key in prod.preds[i]
        ]
        defs.append(enc.implies(r, enc.or_(ways)))
    return [*defs, enc.or_(enc.and_([reach[t], length[t] > bound]) for t in targets)]


def _conclude(
    pv: PathwayVerifier,
    prop: m.Property,
    prod: Product,
    res: Any,
    violated: Any,
    t0: float,
) -> CheckResult:
    cid = f"property:{prop.name}"
    if res.verdict is Verdict.PROVED:
        return CheckResult(cid, Verdict.PROVED, None, time.perf_counter() - t0)
    if res.verdict is Verdict.UNKNOWN:
        return unknown_result(cid, f"property '{prop.name}' holds", prop.span, res.reason, t0)
    patient: Patient = res.model

    def holds(p: Mapping[str, Value]) -> bool:
        try:
            return violated(p) is not None
        except MissingValue:
            return False

    if holds(patient):
        # each evaluation walks the product: spend less on large ones
        patient = pv.minimiser.improve(patient, holds, budget=property_improve_budget(len(prod.nodes)))
    path = violated(patient)
    steps: list[PathStep] = []
    revealed: list[str] = []
    if path is not None:
        # a property violated by an order step is violated before the step's results are known
        at_order = pv.graph.kind(prod.nodes[path[-1][0]][0]) == "order"
        steps, revealed = path_steps(pv.graph, prod, path, patient, results_of_last=not at_order, texts=pv.rule_texts)
    steps.append(PathStep(kind="final", text=_final(prop, pv, prod, path, patient), span=prop.span))
    # named conditions with what is known at the violation (a finding not yet revealed is unknown)
    known = {k: v for k, v in patient.items() if not pv.model.variable(k).is_finding or k in revealed}
    state = prod.nodes[path[-1][0]][1] if path is not None else None
    if pv.graph.fresh is not None and isinstance(state, Violation):  # the latest results there
        known = {k: v for k, v in patient.items() if not pv.model.variable(k).is_finding}
        known.update((name, patient[key]) for name, key in known_findings(state).items() if key in patient)
    steps.extend(define_steps(pv.model, known, prop.condition))
    title = f" ({prop.title})" if prop.title else ""
    diag = diagnostic(
        code=PROPERTY_VIOLATED,
        message=f"property '{prop.name}'{title} is violated: {_explain(prop, pv.model)}",
        span=prop.span,
        hint="the path below is one a patient can follow; change the rules on it, or the property",
        evidence=make_evidence(cid, "refuted", patient=assignments(pv.model, patient, revealed), path=steps),
    )
    return CheckResult(cid, Verdict.REFUTED, diag, time.perf_counter() - t0)


def _explain(prop: m.Property, model: m.Model) -> str:
    t = prop.target.description if prop.target else ""
    o = prop.other.description if prop.other else ""
    e = prop.ends.description if prop.ends else ""
    c = cond_text(prop.condition, model) if prop.condition is not None else ""
    who = f"for a patient with {c}, " if c else ""
    match prop.kind:
        case "never_before":
            return f"{who}{t} can be ordered before {o}"
        case "always_before":
            return f"{who}{o} can be ordered with no {t} before it"
        case "eventually":
            return f"a patient with {c} can reach the end of the pathway without {t}"
        case "when_never":
            return f"a patient with {c} can be ordered {t}"
        case "never":
            return f"{t} is ordered for some patients"
        case "never_end":
            return f"a patient with {c} can end in {e}" if c else f"the pathway can end in {e}"
        case "always_end":
            return f"a patient with {c} can reach an end outside {e}" if c else f"the pathway can end outside {e}"
        case "always_ends":
            return "some patients are left without a disposition"
        case "no_repeat":
            return "an action can be ordered twice on one path"
        case "max_steps":
            return f"some paths pass through more than {prop.bound} decisions"
        case _:
            assert_never(prop.kind)


def _final(
    prop: m.Property,
    pv: PathwayVerifier,
    prod: Product,
    path: list[tuple[int, GuardKey]] | None,
    patient: Mapping[str, Value],
) -> str:
    if path is None:
        return "violation"
    state = prod.nodes[path[-1][0]][1]
    return _violation(prop, pv, prod, path) + _not_known(pv.model, prop, state)


def _not_known(model: m.Model, prop: m.Property, state: Hashable) -> str:
    """The findings the condition tests that are not known where the violation happens, if any:
    the condition holds whatever their values (a counterexample names every fact it tests)."""
    if not isinstance(state, Violation):
        return ""
    missing = sorted(tested_findings(model, prop) - frozenset(known_findings(state)))
    if not missing:
        return ""
    names = ", ".join(missing)
    verb, result = ("is", "result") if len(missing) == 1 else ("are", "results")
    return f" ({names} {verb} not known at this point; the condition holds whatever the {result})"


def _violation(
    prop: m.Property,
    pv: PathwayVerifier,
    prod: Product,
    path: list[tuple[int, GuardKey]],
) -> str:
    graph = pv.graph
    last = prod.nodes[path[-1][0]][0]
    kind = graph.kind(last)
    if kind == "order" and prop.kind in ("never_before", "when_never", "never", "always_before"):
        first = prop.kind == "always_before"  # always T before O: an O is ordered first
        hit = [a for a in graph.actions_of(last) if a in _names(prop.other if first else prop.target)]
        what = hit[0] if hit else "it"
        if prop.kind == "never_before":
            return f"violation: {what} is ordered before {prop.other.description if prop.other else ''}"
        if first:
            return f"violation: {what} is ordered with no {prop.target.description if prop.target else ''} before it"
        return f"violation: {what} is ordered"
    if prop.kind == "eventually":
        return f"violation: the pathway ends without {prop.target.description if prop.target else ''}"
    if prop.kind in ("never_end", "always_end") and kind == "end":
        where = prop.ends.description if prop.ends else ""
        if last == LIMIT_NODE:
            return f"violation: the revisit limit is reached, not an end in {where}"
        name = graph.graph.nodes[last]["disposition"]
        if prop.kind == "never_end":
            return f"violation: the pathway ends in {name}" + ("" if where == name else f" (in {where})")
        return f"violation: the pathway ends in {name}, not in {where}"
    if prop.kind == "no_repeat" and kind == "order":
        seen: set[str] = set()
        for i, _ in path[:-1]:
            node = prod.nodes[i][0]
            if graph.kind(node) == "order":
                seen.update(graph.actions_of(node))
        again = [a for a in graph.actions_of(last) if a in seen]
        return f"violation: {again[0] if again else 'an action'} is ordered a second time"
    if prop.kind == "always_ends":
        if last == LIMIT_NODE:
            return "violation: the revisit limit is reached without a disposition"
        name = graph.graph.nodes[last]["decision"]
        return f"violation: no rule of decision {name} matches; the pathway stops without a disposition"
    if prop.kind == "max_steps":
        return f"violation: this is decision number {(prop.bound or 0) + 1} on the path (at most {prop.bound})"
    return "violation"
