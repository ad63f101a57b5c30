"""Brute-force baselines: enumerate the input space and evaluate every rule on every patient.

The space is finite for enumerations, booleans and integers. A real-valued input only
matters through the constants it is compared with, so it is enumerated at one
representative per elementary interval of those constants (each constant, and a point
between each pair of neighbours); integers at c - 1, c, c + 1 for each constant c (and
their bounds). This abstraction is exact for the conditions of the language (comparisons
with constants), so brute force decides the same questions as the solver.

Patients are numbered in mixed radix and a set of patients is a Python int used as a
bitset, so one rule is evaluated on every patient with a handful of big-integer
operations. It is the fastest brute force we know how to write in pure Python, and it
is still linear in the size of the space, which is exponential in the number of inputs.
No numpy: the benchmarks must type-check and run with the project's own dependencies.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from compiler.graph import DecisionGraph
from dsl import model as m

Value = bool | Fraction | str
Patient = dict[str, Value]

# keyed by the operator's text: the reference does not borrow the verifier's `Op` semantics
_OPS: dict[str, Callable[[Fraction, Fraction], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


# ---- the enumerated space ---------------------------------------------------------------------


def _constants(cond: m.Cond, into: dict[str, set[Fraction]]) -> None:
    stack = [cond]
    while stack:
        c = stack.pop()
        if isinstance(c, m.Compare):
            bound = c.bound()
            if bound is not None:
                into.setdefault(bound.var, set()).add(bound.value)
        elif isinstance(c, m.Not):
            stack.append(c.operand)
        elif isinstance(c, m.And | m.Or):
            stack.extend(c.operands)


def all_conditions(model: m.Model) -> Iterator[m.Cond]:
    for d in model.decisions:
        for r in d.rules:
            yield r.cond
    for p in model.properties:
        if p.condition is not None:
            yield p.condition
    for a in model.assumptions:
        yield a.cond


def domains(model: m.Model) -> dict[str, list[Value]]:
    """The representative values of every variable (see the module docstring)."""
    consts: dict[str, set[Fraction]] = {}
    for cond in all_conditions(model):
        _constants(cond, consts)
    out: dict[str, list[Value]] = {}
    for v in model.variables:
        t = v.type
        if isinstance(t, m.BoolType):
            out[v.name] = [False, True]
        elif isinstance(t, m.EnumType):
            out[v.name] = list(t.values)
        else:
            cs = {c for c in consts.get(v.name, set()) if t.low <= c <= t.high} | {t.low, t.high}
            if t.integer:
                pts = {Fraction(math.floor(c)) + k for c in cs for k in (-1, 0, 1)}
                pts = {p for p in pts if t.low <= p <= t.high}
            else:
                ordered = sorted(cs)
                pts = set(ordered) | {(a + b) / 2 for a, b in itertools.pairwise(ordered)}
            out[v.name] = sorted(pts)
    return out


def space_size(model: m.Model) -> int:
    return math.prod(len(vals) for vals in domains(model).values())


@dataclass
class Space:
    """Every combination of representative values; `bits[var][k]`: the patients whose var is value k."""

    model: m.Model
    domains: dict[str, list[Value]]
    size: int
    radix: list[tuple[str, int, int]]  # (variable, domain size, stride)
    periods: dict[str, tuple[int, int]] = field(default_factory=dict)  # var -> (period, repeats)
    bits: dict[str, list[int]] = field(default_factory=dict)  # booleans and enumerations only
    all: int = 0
    _cache: dict[tuple[Any, ...], int] = field(default_factory=dict)

    @staticmethod
    def of(model: m.Model) -> Space:
        doms = domains(model)
        sizes = [len(doms[v.name]) for v in model.variables]
        total = math.prod(sizes)
        space = Space(model=model, domains=doms, size=total, radix=[], all=(1 << total) - 1)
        stride = total
        for v, size in zip(model.variables, sizes, strict=True):
            stride //= size
            period = stride * size
            repeats = total // period
            block = (1 << stride) - 1
            if not isinstance(v.type, m.NumberType):  # numbers: runs of values, built on demand (`_run`)
                space.bits[v.name] = [_repeat(block << (k * stride), period, repeats) for k in range(size)]
            space.radix.append((v.name, size, stride))
            space.periods[v.name] = (period, repeats)
        return space

    def patient(self, index: int) -> Patient:
        out: Patient = {}
        for name, size, stride in self.radix:
            out[name] = self.domains[name][(index // stride) % size]
        return out

    def first(self, bitset: int) -> Patient:
        return self.patient((bitset & -bitset).bit_length() - 1)

    # -- conditions as bitsets --
    def eval(self, c: m.Cond) -> int:
        if isinstance(c, m.Const):
            return self.all if c.value else 0
        if isinstance(c, m.BoolVar):
            return self.bits[c.var][1]
        if isinstance(c, m.EnumIn):
            key: tuple[Any, ...] = ("in", c.var, c.values)
            got = self._cache.get(key)
            if got is None:
                dom = self.domains[c.var]
                got = 0
                for value in c.values:
                    got |= self.bits[c.var][dom.index(value)]
                self._cache[key] = got
            return got
        if isinstance(c, m.Compare):
            key = ("cmp", c.op, c.left, c.right)
            got = self._cache.get(key)
            if got is None:
                got = self._compare(c)
                self._cache[key] = got
            return got
        if isinstance(c, m.EnumCompare):
            same = 0
            ldom, rdom = self.domains[c.left], self.domains[c.right]
            for i, lv in enumerate(ldom):
                if lv in rdom:
                    same |= self.bits[c.left][i] & self.bits[c.right][rdom.index(lv)]
            return same if c.op.symbol == "==" else self.all ^ same
        if isinstance(c, m.Not):
            return self.all ^ self.eval(c.operand)
        if isinstance(c, m.And):
            out = self.all
            for o in c.operands:
                out &= self.eval(o)
            return out
        if isinstance(c, m.Or):
            out = 0
            for o in c.operands:
                out |= self.eval(o)
            return out
        raise TypeError(f"unknown condition {c!r}")

    def _compare(self, c: m.Compare) -> int:
        bound = c.bound()
        if bound is None:  # several variables: every combination of their values
            terms, k = c.normal()
            op = _OPS[c.op.symbol]
            names = [v for v, _ in terms]
            out = 0
            for combo in itertools.product(*(range(len(self.domains[v])) for v in names)):
                total = sum(
                    (coef * Fraction(self.domains[v][i]) for (v, coef), i in zip(terms, combo, strict=True)),
                    Fraction(0),
                )
                if op(total, k):
                    got = self.all
                    for v, i in zip(names, combo, strict=True):
                        got &= self._run(v, i, i + 1)
                    out |= got
            return out
        op = _OPS[bound.op.symbol]
        var, const = bound.var, bound.value
        hits = [op(Fraction(x), const) for x in self.domains[var]]
        out = 0
        # the domain is sorted, so the values that satisfy the comparison form at most two runs
        for is_hit, run in itertools.groupby(enumerate(hits), key=lambda t: t[1]):
            if is_hit:
                idx = [i for i, _ in run]
                out |= self._run(var, idx[0], idx[-1] + 1)
        return out

    def _run(self, var: str, a: int, b: int) -> int:
        """The patients whose `var` has a value index in [a, b)."""
        _, _, stride = next(r for r in self.radix if r[0] == var)
        period, repeats = self.periods[var]
        return _repeat(((1 << ((b - a) * stride)) - 1) << (a * stride), period, repeats)


def _repeat(unit: int, period: int, repeats: int) -> int:
    """`unit` | unit << period | unit << 2 * period ... (`repeats` copies), by doubling."""
    out, pos, chunk, copies = 0, 0, unit, 1
    while repeats:
        if repeats & 1:
            out |= chunk << pos
            pos += copies * period
        repeats >>= 1
        if repeats:
            chunk |= chunk << (copies * period)
            copies *= 2
    return out


def evaluate(cond: m.Cond, patient: Mapping[str, Value]) -> bool:
    """One condition for one patient (plain Python, for validating counterexamples)."""
    if isinstance(cond, m.Const):
        return cond.value
    if isinstance(cond, m.BoolVar):
        return bool(patient[cond.var])
    if isinstance(cond, m.EnumIn):
        return patient[cond.var] in cond.values
    if isinstance(cond, m.Compare):

        def term(t: m.Linear) -> Fraction:
            return t.offset + sum((k * Fraction(patient[v]) for v, k in t.terms), Fraction(0))

        return _OPS[cond.op.symbol](term(cond.left), term(cond.right))
    if isinstance(cond, m.EnumCompare):
        same = patient[cond.left] == patient[cond.right]
        return same if cond.op.symbol == "==" else not same
    if isinstance(cond, m.Not):
        return not evaluate(cond.operand, patient)
    if isinstance(cond, m.And):
        return all(evaluate(c, patient) for c in cond.operands)
    if isinstance(cond, m.Or):
        return any(evaluate(c, patient) for c in cond.operands)
    raise TypeError(f"unknown condition {cond!r}")


# ---- one decision table --------------------------------------------------------------------------


@dataclass
class TableFindings:
    """What brute force finds in one decision table."""

    points: int  # patients enumerated
    uncovered: int  # bitset of the patients no rule matches
    gap_count: int
    conflicts: set[frozenset[str]]  # pairs of rule ids (unique/any/priority)
    redundant: set[frozenset[str]]
    masked: set[str]  # first: rules that match someone but never first
    dead: set[str]  # rules that match no one


def check_table(space: Space, decision: m.Decision) -> TableFindings:
    covered = 0
    multi = 0
    masks: list[int] = []
    found = TableFindings(
        points=space.size, uncovered=0, gap_count=0, conflicts=set(), redundant=set(), masked=set(), dead=set()
    )
    first_policy = decision.hit_policy == "first"
    for rule in decision.rules:
        mask = space.eval(rule.cond)
        if not mask:
            found.dead.add(rule.id)
        elif first_policy and not mask & ~covered:
            found.masked.add(rule.id)
        multi |= covered & mask
        covered |= mask
        masks.append(mask)
    found.uncovered = space.all & ~covered
    found.gap_count = found.uncovered.bit_count()
    if multi and not first_policy:
        candidates = [(r, mask) for r, mask in zip(decision.rules, masks, strict=True) if mask & multi]
        for (ra, ma), (rb, mb) in itertools.combinations(candidates, 2):
            if ma & mb:
                pair = frozenset((ra.id, rb.id))
                (found.conflicts if ra.outcome != rb.outcome else found.redundant).add(pair)
    return found


# ---- a pathway -----------------------------------------------------------------------------------

# A patient's history, as far as the properties can tell: per action min(count, 2), the
# number of decisions visited, and which 'never X before Y' properties it already broke.
History = tuple[tuple[int, ...], int, frozenset[str]]


@dataclass
class PathwayFindings:
    points: int
    violated: dict[str, bool]  # property -> some patient violates it
    witnesses: dict[str, Patient]
    gaps: dict[str, int]  # decision -> patients who reach it and match no rule
    conflicts: dict[str, int]  # decision -> patients who match rules with different outcomes (not 'first')
    dead_rules: set[str]  # rules no patient takes


def check_pathway(graph: DecisionGraph, space: Space | None = None) -> PathwayFindings:
    """Every patient of the space through the graph at once: per node, a bitset per history."""
    model = graph.model
    space = space or Space.of(model)
    actions = [a.name for a in model.actions]
    a_index = {a: i for i, a in enumerate(actions)}
    props = list(model.properties)
    _inputs_only(model)
    conds = {p.name: space.eval(p.condition) if p.condition is not None else space.all for p in props}
    bad_end: dict[str, int] = {}  # never_end / always_end: the patients who end where the property forbids
    found = PathwayFindings(points=space.size, violated={}, witnesses={}, gaps={}, conflicts={}, dead_rules=set())
    at: dict[str, dict[History, int]] = {graph.start: {((0,) * len(actions), 0, frozenset()): space.all}}
    finished: dict[History, int] = {}
    stuck = 0

    def send(node: str, history: History, who: int) -> None:
        if who:
            bucket = at.setdefault(node, {})
            bucket[history] = bucket.get(history, 0) | who

    for node in graph.topological_order():
        here = at.pop(node, {})
        kind = graph.kind(node)
        if kind == "end":
            disposition = graph.graph.nodes[node]["disposition"]  # the revisit limit is in no set
            for h, who in here.items():
                if node.endswith("__revisit_limit__"):
                    stuck |= who
                finished[h] = finished.get(h, 0) | who
                for p in props:
                    forbidden = p.ends is not None and (disposition in p.ends.dispositions) == (p.kind == "never_end")
                    if p.kind in ("never_end", "always_end") and forbidden:
                        bad_end[p.name] = bad_end.get(p.name, 0) | (who & conds[p.name])
            continue
        if kind == "order":
            target = graph.next_node(node)
            for (counts, steps, broken), who in here.items():
                cs = list(counts)
                newly = set(broken)
                for a in graph.actions_of(node):
                    for p in props:
                        first, then = _before(p)
                        if a in then and not any(cs[a_index[o]] for o in first):
                            newly.add(p.name)
                    cs[a_index[a]] = min(2, cs[a_index[a]] + 1)
                send(target, (tuple(cs), steps, frozenset(newly)), who)
            continue
        edges = list(graph.rule_edges(node))
        decision = str(graph.graph.nodes[node]["decision"])
        policy = graph.graph.nodes[node]["hit_policy"]
        order = list(range(len(edges)))
        if policy == "priority":
            order.sort(key=lambda i: -(edges[i][1].score or 0))
        masks = [space.eval(r.cond) for _, r in edges]
        reach = 0
        for who in here.values():
            reach |= who
        taken_any = [0] * len(edges)
        for (counts, steps, broken), who in here.items():
            rest = who
            for i in order:
                take = rest & masks[i]
                if take:
                    taken_any[i] |= take
                    send(edges[i][0], (counts, steps + 1, broken), take)
                    rest &= ~take
            if rest:
                found.gaps[decision] = found.gaps.get(decision, 0) + rest.bit_count()
                stuck |= rest
        for i, (_, rule) in enumerate(edges):
            if not taken_any[i] and (policy == "first" or not masks[i] & reach):
                found.dead_rules.add(rule.id)
        if policy != "first":
            bad = 0
            for i, j in itertools.combinations(range(len(edges)), 2):
                if edges[i][1].outcome != edges[j][1].outcome:
                    bad |= masks[i] & masks[j] & reach
            if bad:
                found.conflicts[decision] = bad.bit_count()
    for p in props:
        bad = 0
        cond = conds[p.name]
        targets = [a_index[a] for a in (p.target.actions if p.target else ()) if a in a_index]
        for (counts, steps, broken), who in finished.items():
            if p.kind in ("never_before", "always_before"):
                hit = p.name in broken
                who &= cond
            elif p.kind in ("when_never", "never"):
                hit = any(counts[t] for t in targets)
                who &= cond
            elif p.kind == "eventually":
                hit = not any(counts[t] for t in targets)
                who &= cond
            elif p.kind == "no_repeat":
                hit = any(c > 1 for a, c in zip(actions, counts, strict=True) if a not in p.exceptions)
            elif p.kind == "max_steps":
                assert p.bound is not None
                hit = steps > p.bound
            else:  # always_ends, never_end, always_end: judged below
                hit = False
            if hit:
                bad |= who
        if p.kind == "always_ends":
            bad = stuck
        if p.kind in ("never_end", "always_end"):
            bad = bad_end.get(p.name, 0)
        found.violated[p.name] = bool(bad)
        if bad:
            found.witnesses[p.name] = space.first(bad)
    return found


def _before(p: m.Property) -> tuple[frozenset[str], frozenset[str]]:
    """(must come first, then) of an ordering property: `never T before O` is (O, T), `always T
    before O` is (T, O); empty for the other kinds."""
    t = frozenset(p.target.actions) if p.target else frozenset()
    o = frozenset(p.other.actions) if p.other else frozenset()
    if p.kind == "never_before":
        return o, t
    if p.kind == "always_before":
        return t, o
    return frozenset(), frozenset()


def _inputs_only(model: m.Model) -> None:
    """The baseline evaluates property conditions on the whole patient: exact for conditions on
    inputs, not for those on findings (three-valued along the path), which it refuses."""
    findings = {v.name for v in model.findings}
    for p in model.properties:
        stack = [p.condition] if p.condition is not None else []
        while stack:
            c = stack.pop()
            if isinstance(c, m.Not):
                stack.append(c.operand)
            elif isinstance(c, m.And | m.Or):
                stack.extend(c.operands)
            elif isinstance(c, m.BoolVar | m.EnumIn) and c.var in findings:
                raise ValueError(f"property '{p.name}' tests a finding; the baseline supports input conditions only")


def simulate(graph: DecisionGraph, patient: Mapping[str, Value]) -> tuple[list[str], str | None, int]:
    """(orders, disposition or None when stuck, decisions visited) for one patient; first match wins."""
    node = graph.start
    orders: list[str] = []
    steps = 0
    while True:
        kind = graph.kind(node)
        if kind == "end":
            return orders, str(graph.graph.nodes[node]["disposition"]), steps
        if kind == "order":
            orders.extend(graph.actions_of(node))
            node = graph.next_node(node)
            continue
        if kind == "choice":  # generated benchmark specs have none
            raise ValueError("the benchmark baseline does not follow choices")
        steps += 1
        edges = list(graph.rule_edges(node))
        if graph.graph.nodes[node]["hit_policy"] == "priority":
            edges.sort(key=lambda e: -(e[1].score or 0))
        for target, rule in edges:
            if evaluate(rule.cond, patient):
                node = target
                break
        else:
            return orders, None, steps


def violates(graph: DecisionGraph, prop: m.Property, patient: Mapping[str, Value]) -> bool:
    """Does this patient's path violate the property? (To validate counterexamples.)"""
    orders, end, steps = simulate(graph, patient)
    _inputs_only(graph.model)
    holds = prop.condition is None or evaluate(prop.condition, patient)
    targets = set(prop.target.actions) if prop.target else set()
    if prop.kind in ("never_before", "always_before"):
        first, then = _before(prop)
        for a in orders:
            if a in first:
                return False
            if a in then:
                return holds
        return False
    if prop.kind in ("never_end", "always_end"):
        inside = end is not None and prop.ends is not None and end in prop.ends.dispositions
        return holds and end is not None and inside == (prop.kind == "never_end")
    if prop.kind in ("when_never", "never"):
        return holds and any(a in targets for a in orders)
    if prop.kind == "eventually":
        return holds and not any(a in targets for a in orders)
    if prop.kind == "always_ends":
        return end is None or end == "__revisit_limit__"
    if prop.kind == "no_repeat":
        seen: set[str] = set()
        for a in orders:
            if a in seen and a not in prop.exceptions:
                return True
            seen.add(a)
        return False
    if prop.kind == "max_steps":
        assert prop.bound is not None
        return steps > prop.bound
    raise ValueError(f"unknown property kind {prop.kind}")


def complete_patient(model: m.Model, partial: Mapping[str, Any]) -> Patient:
    """A counterexample may leave inputs out (any value will do); fill them with a value of their domain."""
    out: Patient = {}
    for v in model.variables:
        raw = partial.get(v.name)
        t = v.type
        if raw is None:
            if isinstance(t, m.BoolType):
                out[v.name] = False
            elif isinstance(t, m.EnumType):
                out[v.name] = t.values[0]
            else:
                out[v.name] = t.low
        elif isinstance(t, m.BoolType):
            out[v.name] = raw == "true" if isinstance(raw, str) else bool(raw)
        elif isinstance(t, m.EnumType):
            out[v.name] = str(raw)
        else:
            out[v.name] = raw if isinstance(raw, Fraction) else Fraction(str(raw))
    return out
