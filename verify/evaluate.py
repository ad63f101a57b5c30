"""Evaluate a model condition on a concrete patient (a dict of values).

`evaluate` is two-valued and raises MissingValue when a value it needs is absent;
`evaluate3` is three-valued (Kleene logic: None = not known) for partial patients,
as in examples that give only the values their path needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from dsl import model as m
from dsl.cond import CondVisitor, reads
from dsl.model import Value
from dsl.ops import Op


class MissingValue(Exception):
    """A condition needs the value of a variable the patient does not give."""

    def __init__(self, var: str) -> None:
        super().__init__(var)
        self.var = var


def evaluate(cond: m.Cond, patient: Mapping[str, Value]) -> bool:
    """The condition's truth for a patient that gives every value it reads (else MissingValue)."""
    try:
        return compiled(cond)(patient)
    except KeyError:
        raise MissingValue(_first_missing(cond, patient)) from None


Predicate = Callable[[Mapping[str, Value]], bool]
_COMPILED: dict[int, tuple[m.Cond, Predicate]] = {}
_COMPILED_LIMIT = 500_000


def compiled(cond: m.Cond) -> Predicate:
    """The condition as a Python closure (built once per condition object; KeyError if a value is missing)."""
    hit = _COMPILED.get(id(cond))
    if hit is not None and hit[0] is cond:
        return hit[1]
    if len(_COMPILED) >= _COMPILED_LIMIT:
        _COMPILED.clear()
    fn = _compile(cond)
    _COMPILED[id(cond)] = (cond, fn)  # keeps `cond` alive so that its id stays unique
    return fn


def _compile(c: m.Cond) -> Predicate:
    return _COMPILER.visit(c)


class _Compiler(CondVisitor[Predicate]):
    """A condition -> a closure over the patient (no dispatch left at evaluation time)."""

    def visit_const(self, c: m.Const) -> Predicate:
        value = c.value
        return lambda p: value

    def visit_bool_var(self, c: m.BoolVar) -> Predicate:
        name = c.var
        return lambda p: bool(p[name])

    def visit_enum_in(self, c: m.EnumIn) -> Predicate:
        name, values = c.var, frozenset(c.values)
        return lambda p: p[name] in values

    def visit_enum_compare(self, c: m.EnumCompare) -> Predicate:
        a, b = c.left, c.right
        return (lambda p: p[a] == p[b]) if c.op is Op.EQ else (lambda p: p[a] != p[b])

    def visit_compare(self, c: m.Compare) -> Predicate:
        op: Callable[[Any, Any], bool] = c.op.function
        left, right = c.left, c.right
        var, const = left.var, right.constant
        if var is not None and const is not None:
            return lambda p: op(p[var], const)
        var2, const2 = right.var, left.constant
        if var2 is not None and const2 is not None:
            return lambda p: op(const2, p[var2])
        a2, b2 = left.var, right.var
        if a2 is not None and b2 is not None:
            return lambda p: op(p[a2], p[b2])
        # linear: `sum(coef * var) op k` (one variable: `var op' k / coef`, the operator flipped if coef < 0)
        bound = c.bound()
        if bound is not None:
            op1: Callable[[Any, Any], bool] = bound.op.function
            var1, value1 = bound.var, bound.value
            return lambda p: op1(p[var1], value1)
        terms, k = c.normal()
        if not terms:
            truth = op(Fraction(0), k)
            return lambda p: truth

        def linear(p: Mapping[str, Value]) -> bool:
            total = Fraction(0)
            for v, coef in terms:
                total += coef * p[v]  # type: ignore[operator]  # a number: the type checker saw to it
            return op(total, k)

        return linear

    def visit_not(self, c: m.Not) -> Predicate:
        inner = self.visit(c.operand)
        return lambda p: not inner(p)

    def visit_and(self, c: m.And) -> Predicate:
        parts = tuple(self.visit(o) for o in c.operands)

        def conj(p: Mapping[str, Value]) -> bool:
            for f in parts:  # noqa: SIM110 (a plain loop is faster than all() here)
                if not f(p):
                    return False
            return True

        return conj

    def visit_or(self, c: m.Or) -> Predicate:
        parts = tuple(self.visit(o) for o in c.operands)

        def disj(p: Mapping[str, Value]) -> bool:
            for f in parts:  # noqa: SIM110 (a plain loop is faster than any() here)
                if f(p):
                    return True
            return False

        return disj

    def visit_named(self, c: m.Named) -> Predicate:
        return compiled(c.body)  # one closure per define, shared by its uses


_COMPILER = _Compiler()


def evaluate3(cond: m.Cond, patient: Mapping[str, Value]) -> bool | None:
    """Kleene three-valued truth: None when the patient does not give a value the answer needs."""
    return _Evaluate3(patient).visit(cond)


class _Evaluate3(CondVisitor[bool | None]):
    def __init__(self, patient: Mapping[str, Value]) -> None:
        self.patient = patient

    def visit_const(self, c: m.Const) -> bool | None:
        return c.value

    def visit_bool_var(self, c: m.BoolVar) -> bool | None:
        v = self.patient.get(c.var)
        return None if v is None else bool(v)

    def visit_enum_in(self, c: m.EnumIn) -> bool | None:
        v = self.patient.get(c.var)
        return None if v is None else v in c.values

    def visit_enum_compare(self, c: m.EnumCompare) -> bool | None:
        a, b = self.patient.get(c.left), self.patient.get(c.right)
        if a is None or b is None:
            return None
        return (a == b) if c.op is Op.EQ else (a != b)

    def visit_compare(self, c: m.Compare) -> bool | None:
        x, y = _term(c.left, self.patient), _term(c.right, self.patient)
        if x is None or y is None:
            return None
        return bool(c.op.apply(x, y))

    def visit_not(self, c: m.Not) -> bool | None:
        inner = self.visit(c.operand)
        return None if inner is None else not inner

    def visit_and(self, c: m.And) -> bool | None:
        unknown = False
        for o in c.operands:
            r = self.visit(o)
            if r is False:
                return False
            if r is None:
                unknown = True
        return None if unknown else True

    def visit_or(self, c: m.Or) -> bool | None:
        unknown = False
        for o in c.operands:
            r = self.visit(o)
            if r is True:
                return True
            if r is None:
                unknown = True
        return None if unknown else False

    def visit_named(self, c: m.Named) -> bool | None:
        return self.visit(c.body)


def _term(t: m.Linear, patient: Mapping[str, Value]) -> Fraction | None:
    """The value of a linear expression, or None when the patient does not give a variable it reads."""
    total = t.offset
    for var, coef in t.terms:
        v = patient.get(var)
        if v is None:
            return None
        if isinstance(v, bool | str):
            raise TypeError(f"'{var}' needs a number, not {v!r}")
        total += coef * Fraction(v)
    return total


def _first_missing(cond: m.Cond, patient: Mapping[str, Value]) -> str:
    for name, _ in reads(cond):
        if name not in patient:
            return name
    return "?"


def missing(cond: m.Cond, patient: Mapping[str, Value]) -> list[str]:
    """The variables of `cond` the patient does not give, in source order, each once."""
    out: list[str] = []
    for name, _ in reads(cond):
        if name not in patient and name not in out:
            out.append(name)
    return out


def normalise_value(var: m.Variable, value: object) -> Value:
    """User-supplied values (int, float, Fraction, str, bool) -> the model's Value type."""
    t = var.type
    if isinstance(t, m.BoolType):
        if not isinstance(value, bool):
            raise TypeError(f"'{var.name}' is a bool, not {value!r}")
        return value
    if isinstance(t, m.EnumType):
        if not isinstance(value, str) or value not in t.values:
            raise ValueError(f"'{var.name}' is one of {', '.join(t.values)}, not {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        raise TypeError(f"'{var.name}' is a number, not {value!r}")
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def normalise_patient(model: m.Model, patient: Mapping[str, object]) -> dict[str, Value]:
    """User-supplied facts -> values keyed by result (`dsl.model.flatten_facts`): a finding may be
    given a list or tuple of results, in order (the first, then the result of the next order of
    its study, ...), or a later result under its key (`us_result#2`)."""
    out: dict[str, Value] = {}
    for key, value in patient.items():
        name, k = m.split_result(key)
        if not model.has("variables", name):
            raise KeyError(f"no input or finding named '{name}'")
        var = model.variable(name)
        if isinstance(value, list | tuple):
            if not var.is_finding:
                raise ValueError(f"'{name}' is an input: it has one value, not a list of results")
            for j, item in enumerate(value, start=k):
                out[m.result_key(name, j)] = normalise_value(var, item)
        elif k > 1 and not var.is_finding:
            raise KeyError(f"no input or finding named '{key}'")
        else:
            out[key] = normalise_value(var, value)
    return out
