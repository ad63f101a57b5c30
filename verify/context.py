"""Sessions (one incremental solver per spec) and contexts (who reaches a decision).

A Context describes the patients a check is about, twice: as a Z3 formula for queries,
and as a Python predicate for checking candidate counterexamples without a solver.
It also keeps sample patients known to be in it: a witness built from a sample and a
few changed values satisfies the context for free when the changed variables are not
ones the context depends on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from dsl import model as m
from dsl.evidence import PathStep
from dsl.model import Value
from verify.box import Box, contains_item
from verify.encode import Encoder
from verify.evaluate import MissingValue, evaluate
from verify.reach import Guards
from verify.results import SolverOptions
from verify.solver import Patient, SolverResult, assert_all, check, make_solver, scope
from verify.space import Space, nice_value


class Session:
    """One solver per spec, holding what every query shares: domains, assumptions, definitions."""

    def __init__(self, enc: Encoder, options: SolverOptions, guards: Guards | None = None) -> None:
        self.enc = enc
        self.options = options
        self.guards = guards if guards is not None else Guards(enc)
        self._solver: Any = None
        self._synced = 0

    def solver(self) -> Any:
        if self._solver is None:
            self._solver = make_solver(self.enc.ctx, self.options)
            assert_all(self._solver, self.enc.base())
        if self._synced < len(self.guards.defs):
            assert_all(self._solver, self.guards.defs[self._synced :])
            self._synced = len(self.guards.defs)
        return self._solver

    def add(self, *formulas: Any) -> None:
        """Permanent assertions (definitions of fresh variables only)."""
        if formulas:
            assert_all(self.solver(), formulas)

    def query(self, *formulas: Any) -> SolverResult:
        """Is there a patient satisfying the base and all `formulas`?"""
        s = self.solver()
        with scope(s):
            if formulas:
                assert_all(s, formulas)
            return check(s, self.enc.decode)


def default_patient(model: m.Model) -> Patient:
    """The simplest value of every variable: first enum value, false, 0 or the nearest bound."""
    out: Patient = {}
    for v in model.variables:
        t = v.type
        if isinstance(t, m.BoolType):
            out[v.name] = False
        elif isinstance(t, m.EnumType):
            out[v.name] = t.values[0]
        elif t.integer:
            out[v.name] = Fraction(0) if t.low <= 0 <= t.high else (t.low if t.low > 0 else t.high)
        else:
            out[v.name] = nice_value(t.low, False, t.high, False)
    return out


PathFn = Callable[[Mapping[str, Value]], tuple[list[PathStep], list[str]]]


@dataclass
class Context:
    session: Session
    formula: Any  # the Z3 formula; None until `formula_fn` builds it, on the first query that needs it
    holds_fn: Callable[[Mapping[str, Value]], bool]  # assumptions included
    vars: frozenset[str]
    trivial: bool  # every patient (no assumptions, no path condition)
    samples: list[Patient] = field(default_factory=list)
    path_fn: PathFn | None = None
    conds: list[m.Cond] = field(default_factory=list)  # model conditions the context is made of
    # Optional shortcut for path contexts: how each sample reaches the decision (the decisions
    # on its path and the rule that applied at each), and which variables each decision and
    # the assumptions read. A patient that differs from a sample only in variables that no
    # decision on that path reads follows the same path.
    # the (decision, rule, node) steps of sample k's path to the decision whose decision reads
    # one of the given variables, in path order
    sample_steps_fn: Callable[[int, frozenset[str]], Sequence[tuple[str, int, int]]] | None = None
    decision_vars: Mapping[str, frozenset[str]] = field(default_factory=dict)
    assumption_vars: frozenset[str] = frozenset()
    # does the patient still go where the sample went at this step (same rule, or another rule
    # leading to the same next decision)?
    still_applies: Callable[[Mapping[str, Value], tuple[str, int, int]], bool] | None = None
    # the same question for sample k's whole path to the decision (`still_applies` at each step that
    # reads a changed variable), answered from what earlier questions about the same values found
    follows_fn: Callable[[int, Mapping[str, Value], frozenset[str]], bool] | None = None
    # builds `formula` when it is None: a path context's reach encoding is asserted only if some
    # check of the decision asks Z3 (most are decided from sample patients and boxes alone)
    formula_fn: Callable[[], Any] | None = None
    _default: Patient | None = None

    @property
    def enc(self) -> Encoder:
        return self.session.enc

    def holds(self, patient: Mapping[str, Value]) -> bool:
        if self.trivial:
            return True
        try:
            return self.holds_fn(patient)
        except MissingValue:
            return False

    def query(self, *extra: Any) -> SolverResult:
        if self.formula is None:
            assert self.formula_fn is not None
            self.formula = self.formula_fn()
        return self.session.query(self.formula, *extra)

    def default(self) -> Patient:
        if self._default is None:
            self._default = default_patient(self.enc.model)
        return self._default

    def witness_in(self, space: Space, box: Box) -> Patient | None:
        """A patient in the context whose values lie in the box: a sample already inside it,
        or a sample moved into it along as few variables as possible."""
        if not self.samples:
            return self.witness(space.typical_point(box))
        moves: list[tuple[int, int, dict[str, Value]]] = []
        for k, base in enumerate(self.samples):
            diff = {
                d.var: space.typical(i, box[i])
                for i, d in enumerate(space.dims)
                if not contains_item(box[i], space.value_item(i, base[d.var]))
            }
            if not diff:
                return dict(base)  # a sample is in the context, and already in the box
            moves.append((len(diff), k, diff))
        moves.sort(key=lambda x: (x[0], x[1]))
        candidates: list[Patient] = []
        for _, k, diff in moves:
            p = dict(self.samples[k])
            p.update(diff)
            if self.trivial or not (self.vars & diff.keys()):
                return p
            if self._same_path(p, diff.keys(), k):
                return p
            candidates.append(p)
        return self._first_holding(candidates)

    def witness(self, values: Mapping[str, Value]) -> Patient | None:
        """A patient in the context with the given values, if the cheap tries find one."""
        bases = self.samples if self.samples else [self.default()]
        changed = values.keys()
        candidates = []
        for k, base in enumerate(bases):
            p = dict(base)
            p.update(values)
            if self.trivial or (self.samples and not (self.vars & changed)):
                return p
            if self.samples and self._same_path(p, changed, k):
                return p
            candidates.append(p)
        return self._first_holding(candidates)

    def _first_holding(self, candidates: list[Patient]) -> Patient | None:
        """The first of a few candidates in the context (the full check walks the graph: try a few only)."""
        for p in candidates[:3]:
            if self.holds(p):
                return p
        return None

    def _same_path(self, p: Mapping[str, Value], changed: Iterable[str], k: int) -> bool:
        """Does p still follow sample k's path? (Only decisions reading a changed value are re-checked.)"""
        if self.still_applies is None or self.sample_steps_fn is None:
            return False
        touched = frozenset(changed)
        try:
            if touched & self.assumption_vars and not all(evaluate(c, p) for c in self.conds):
                return False
            if self.follows_fn is not None:
                return self.follows_fn(k, p, touched)
            for step in self.sample_steps_fn(k, touched):
                if not self.still_applies(p, step):
                    return False
        except MissingValue:
            return False
        return True

    def path(self, patient: Mapping[str, Value]) -> tuple[list[PathStep], list[str]]:
        if self.path_fn is None:
            return [], []
        return self.path_fn(patient)
