"""Expressions: AST -> typed model conditions, checking names, types, units and bounds.

Numeric comparisons are linear: each side is a sum of numeric variables times constants,
plus a constant (`size_cm > 2 * depth_cm`, `score + 1/2 >= 4 points`). A product or a
quotient of two variables is refused (NONLINEAR), so the verifier stays in linear
arithmetic. Units are checked across the whole comparison at once: every variable and
every number with a unit is converted exactly (Fractions) to the unit of the first
variable the comparison names; a number without a unit is in that unit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import assert_never

from dsl import ast
from dsl import model as m
from dsl.codes import (
    BAD_ARITHMETIC,
    CALENDAR_DURATION,
    EMPTY_RANGE,
    NONLINEAR,
    OUT_OF_BOUNDS,
    TYPE_MISMATCH,
    UNDEFINED_NAME,
    UNIT_MISMATCH,
    UNITLESS_NUMBER,
    UNKNOWN_VALUE,
)
from dsl.diagnostics import Diagnostic, diagnostic, did_you_mean
from dsl.ops import Op
from dsl.source import Span, maker
from dsl.units import UNITS, conversion_problem, factor_between, is_calendar_mix, kind_of


@dataclass(frozen=True, slots=True)
class _Item:
    """One term of a linear expression being checked: `coef * var`, or the constant `coef`."""

    var: str | None
    coef: Fraction
    unit: str | None  # the variable's declared unit, or the number's unit (None: none given)
    span: Span
    unit_span: Span | None = None  # where a number's unit is written
    written: Fraction | None = None  # a number as the source writes it

    def scaled(self, k: Fraction) -> _Item:
        return _Item(self.var, self.coef * k, self.unit, self.span, self.unit_span, self.written)


class _Invalid(Exception):
    """An expression was reported as wrong; the condition it belongs to becomes `false`."""


class ExprChecker:
    """Turns AST expressions into `model.Cond`, reporting problems instead of raising."""

    def __init__(
        self,
        variables: Mapping[str, m.Variable],
        other_names: Callable[[str], str | None],
        report: Callable[[Diagnostic], None],
        *,
        invalid: Collection[str] = (),
        named: Callable[[ast.Name], m.Cond | None] = lambda name: None,
        used: Callable[[ast.Name], None] = lambda name: None,
    ) -> None:
        self.variables = variables
        self.other_names = other_names  # name -> what kind of declaration it is, if any
        self.report = report
        self.invalid = invalid  # inputs and findings whose declarations were rejected (already reported)
        self.named = named  # a use of a named condition -> its `Named` node; None when the name is no define
        self.used = used  # told of every reference to an input or finding
        self._plain: dict[str, m.Linear] = {}  # a variable -> `1 * variable` (immutable: shared)
        # A number -> the constant expression of it, keyed by the Fraction's identity (the parser
        # shares the Fraction of a repeated number; hashing a Fraction costs more than making a node).
        self._constants: dict[int, tuple[m.Linear, int, int]] = {}
        # An enumeration -> each of its values -> the one-value set `(value,)` (immutable: shared).
        self._singletons: dict[str, dict[str, tuple[str, ...]]] = {}
        self._value_sets: dict[tuple[str, ...], tuple[str, ...]] = {}  # a set of values, shared by its equals

    # -- helpers ----------------------------------------------------------------
    def _false(self, span: Span) -> m.Cond:
        return m.Const(value=False, span=span)

    def variable(self, name: ast.Name) -> m.Variable | None:
        var = self.variables.get(name.text)
        if var is not None:
            self.used(name)
            return var
        if name.text in self.invalid:
            return None  # the declaration's own error says what is wrong; a second one would mislead
        kind = self.other_names(name.text)
        if kind is not None:
            hint = (
                f"a named condition is a condition on its own: write '{name.text}' or 'not {name.text}'"
                if kind == "a named condition"
                else None
            )
            self.report(
                diagnostic(TYPE_MISMATCH, f"'{name.text}' is {kind}, not an input or finding", name.span, hint=hint)
            )
        else:
            self.report(
                diagnostic(
                    UNDEFINED_NAME,
                    f"undefined name '{name.text}'",
                    name.span,
                    hint=did_you_mean(name.text, list(self.variables)),
                )
            )
        return None

    def enum_value(self, var: m.Variable, value: ast.Name) -> bool:
        assert isinstance(var.type, m.EnumType)
        if value.text in var.type.values:
            return True
        hint = did_you_mean(value.text, var.type.values) or f"'{var.name}' is one of: {var.type.describe()}"
        self.report(diagnostic(UNKNOWN_VALUE, f"'{value.text}' is not a value of '{var.name}'", value.span, hint=hint))
        return False

    def number(self, var: m.Variable, lit: ast.NumberLit, *, check_bounds: bool = True) -> Fraction | None:
        """A literal converted to the variable's unit, checked against its bounds."""
        assert isinstance(var.type, m.NumberType)
        value = lit.value
        if lit.unit is not None:
            factor = self._unit_factor(lit.unit.text, lit.unit.span, var)
            if factor is None:
                return None
            value *= factor
        if check_bounds and not (var.type.low <= value <= var.type.high):
            self.report(
                diagnostic(
                    OUT_OF_BOUNDS,
                    f"{m.format_value(value)} is outside the range of '{var.name}' ({var.type.describe()})",
                    lit.span,
                    hint="the comparison is constant for every patient",
                )
            )
            return None
        return value

    def _unit_factor(self, unit: str, span: Span, var: m.Variable) -> Fraction | None:
        """The factor from a number's `unit` to the declared unit of `var` (reported when there is none)."""
        assert isinstance(var.type, m.NumberType)
        declared = var.type.unit
        if declared is None:
            self.report(diagnostic(UNIT_MISMATCH, f"'{var.name}' has no unit, but the number is in {unit}", span))
            return None
        factor = factor_between(unit, declared)
        if factor is None:
            what = f"'{var.name}' is measured in {declared}"
            self._refuse(what, f"{what}; {unit} cannot be converted", unit, declared, span, var.name)
        return factor

    def _refuse(
        self, what: str, message: str, unit: str, declared: str, span: Span, var: str, *, two_variables: bool = False
    ) -> None:
        """Report that a quantity in `unit` cannot be compared with `var`, measured in `declared`:
        `message` with the reason as a hint, or for months against weeks (CALENDAR_DURATION)
        `what` with the reason and a hint naming the units that would do."""
        reason = conversion_problem(unit, declared)
        assert reason is not None
        if is_calendar_mix(unit, declared):
            clock, calendar = "weeks, days, hours or minutes", "months or years"
            mine, other = (calendar, clock) if kind_of(declared) == "calendar" else (clock, calendar)
            if two_variables:
                hint = f"declare both in {calendar}, or both in {clock}, as the source measures them"
            else:
                hint = f"give the number in {mine}, as the source states it, or declare '{var}' in {other}"
            self.report(diagnostic(CALENDAR_DURATION, f"{what}; {reason}", span, hint=hint))
            return
        self.report(diagnostic(UNIT_MISMATCH, message, span, hint=reason))

    # -- expressions ----------------------------------------------------------------
    def check(self, expr: ast.Expression) -> m.Cond:
        span = expr.span
        match expr:  # the frequent kinds first: a large table has hundreds of thousands
            case ast.Compare():
                return self._plain_compare(expr) or self._compare(expr)
            case ast.And():
                return self._conjunction(expr)
            case ast.NameRef():
                return self._name_cond(expr)
            case ast.InRange():
                return self._plain_range(expr) or self._range(expr)
            case ast.Member():
                return self._plain_member(expr) or self._member(expr)
            case ast.Not(operand=operand):
                return _make_not(span, self.check(operand))
            case ast.Or(operands=operands):
                return m.Or(operands=tuple([self.check(e) for e in operands]), span=span)
            case ast.BoolLit(value=value):
                return m.Const(value=value, span=span)
            case ast.Implies(left=left, right=right):
                return m.Or(operands=(m.Not(operand=self.check(left), span=left.span), self.check(right)), span=span)
            case ast.NumberLit() | ast.Arith() | ast.Neg():
                self.report(
                    diagnostic(
                        TYPE_MISMATCH,
                        "a number is not a condition",
                        span,
                        hint="compare it, e.g. '... > 5'",
                    )
                )
                return self._false(span)
            case _:
                assert_never(expr)

    def _conjunction(self, expr: ast.And) -> m.Cond:
        """`a and b and ...`: a rule of a large table is one, its atoms checked here without a call of `check` each."""
        out: list[m.Cond] = []
        for e in expr.operands:
            if isinstance(e, ast.Compare):
                out.append(self._plain_compare(e) or self._compare(e))
            elif isinstance(e, ast.InRange):
                out.append(self._plain_range(e) or self._range(e))
            else:
                out.append(self.check(e))
        return _make_and(expr.span, tuple(out))

    # -- the frequent atoms, without the general route's work ---------------------------------
    # Each gives exactly what the general route gives, or None (having done nothing, reported
    # nothing) when the atom is not of its plain form: then the general route says what it is.
    # A reference is told to `used` only where that could report something: a variable declared
    # in another file than the atom's (CATALOGUE_USES_IMPORTER); those atoms take the general route.

    def _plain_compare(self, expr: ast.Compare) -> m.Cond | None:
        """`x == value` (x an enumeration) and `x op 5` (x a number, the number in x's unit, inside its range)."""
        left, right = expr.left, expr.right
        if not isinstance(left, ast.NameRef):
            return None
        var = self._local(left.name)
        if var is None:
            return None
        typ = var.type
        if isinstance(typ, m.EnumType):
            op = expr.op
            if not isinstance(right, ast.NameRef) or (op is not Op.EQ and op is not Op.NE):
                return None
            one = self._singletons_of(var.name, typ).get(right.name.text)
            if one is None:
                return None
            cond: m.Cond = _make_enum_in(expr.span, var.name, one)
            return cond if op is Op.EQ else _make_not(expr.span, cond)
        if isinstance(typ, m.NumberType) and isinstance(right, ast.NumberLit):
            if right.unit is not None and right.unit.text != typ.unit:
                return None
            value = right.value
            if not _within(value, typ.low, typ.high):
                return None
            plain = self._plain_var(var.name)
            return _make_compare(expr.span, expr.op, plain, self._constant(value)[0])
        return None

    def _plain_range(self, expr: ast.InRange) -> m.Cond | None:
        """`x in [low, high)` with both bounds numbers in x's unit, the range not empty."""
        low, high = expr.low, expr.high
        if not isinstance(low, ast.NumberLit) or not isinstance(high, ast.NumberLit):
            return None
        var = self._local(expr.name)
        if var is None:
            return None
        typ = var.type
        if not isinstance(typ, m.NumberType):
            return None
        if expr.unit is not None or low.unit is not None or high.unit is not None:
            unit = expr.unit.text if expr.unit is not None else None
            for bound in (low, high):
                if (bound.unit.text if bound.unit is not None else unit) not in (None, typ.unit):
                    return None
        lo, lo_num, lo_den = self._constant(low.value)
        hi, hi_num, hi_den = self._constant(high.value)
        order = lo_num * hi_den - hi_num * lo_den  # lo > hi, or lo == hi, in integers
        if order > 0 or (order == 0 and not (expr.low_closed and expr.high_closed)):
            return None
        span = expr.span
        plain = self._plain_var(var.name)
        return _make_and(
            span,
            (
                _make_compare(span, Op.GE if expr.low_closed else Op.GT, plain, lo),
                _make_compare(span, Op.LE if expr.high_closed else Op.LT, plain, hi),
            ),
        )

    def _plain_member(self, expr: ast.Member) -> m.Cond | None:
        """`x in {a, b}` and `x not in {a, b}` with x an enumeration and every name one of its values."""
        var = self._local(expr.name)
        if var is None:
            return None
        typ = var.type
        if not isinstance(typ, m.EnumType):
            return None
        known = self._singletons_of(var.name, typ)
        texts = [v.text for v in expr.values]
        for text in texts:
            if text not in known:
                return None
        ordered = tuple([v for v in typ.values if v in texts])
        ordered = self._value_sets.setdefault(ordered, ordered)
        cond: m.Cond = _make_enum_in(expr.span, var.name, ordered)
        return _make_not(expr.span, cond) if expr.negated else cond

    def _local(self, name: ast.Name) -> m.Variable | None:
        """The input or finding `name` refers to when it is declared in the same file (so that
        `used` has nothing to say), else None."""
        var = self.variables.get(name.text)
        return var if var is not None and var.span.file == name.span.file else None

    def _singletons_of(self, name: str, typ: m.EnumType) -> dict[str, tuple[str, ...]]:
        """Each value of the enumeration `name` -> the one-value set `(value,)`, shared."""
        values = self._singletons.get(name)
        if values is None:
            values = self._singletons[name] = {v: (v,) for v in typ.values}
        return values

    def _plain_var(self, name: str) -> m.Linear:
        """`1 * name`, shared."""
        plain = self._plain.get(name)
        if plain is None:
            plain = self._plain[name] = m.Linear(terms=((name, _ONE),), offset=_ZERO)
        return plain

    def _constant(self, value: Fraction) -> tuple[m.Linear, int, int]:
        """The constant expression `value`, shared by every comparison with the same Fraction; and
        the value's numerator and denominator (read once: they are properties, not attributes)."""
        known = self._constants.get(id(value))
        if known is None or known[0].offset is not value:
            known = self._constants[id(value)] = (m.Linear(terms=(), offset=value), value.numerator, value.denominator)
        return known

    def _name_cond(self, expr: ast.NameRef) -> m.Cond:
        use = self.named(expr.name)
        if use is not None:
            return use
        var = self._local(expr.name)
        if var is not None and isinstance(var.type, m.BoolType):
            return _make_bool_var(expr.span, var.name)  # the frequent case (`used` has nothing to say)
        var = self.variable(expr.name)
        if var is None:
            return self._false(expr.span)
        if not isinstance(var.type, m.BoolType):
            self.report(
                diagnostic(
                    TYPE_MISMATCH,
                    f"'{var.name}' is {var.type.describe()}, not a bool",
                    expr.span,
                    hint=f"compare it, e.g. '{var.name} == ...'",
                )
            )
            return self._false(expr.span)
        return m.BoolVar(var=var.name, span=expr.span)

    def _member(self, expr: ast.Member) -> m.Cond:
        var = self.variable(expr.name)
        if var is None:
            return self._false(expr.span)
        if not isinstance(var.type, m.EnumType):
            self.report(
                diagnostic(
                    TYPE_MISMATCH,
                    f"'{var.name}' is {var.type.describe()}, not an enumeration",
                    expr.name.span,
                )
            )
            return self._false(expr.span)
        values = [v.text for v in expr.values if self.enum_value(var, v)]
        ordered = tuple(v for v in var.type.values if v in values)
        cond: m.Cond = m.EnumIn(var=var.name, values=ordered, span=expr.span)
        return m.Not(operand=cond, span=expr.span) if expr.negated else cond

    def _range(self, expr: ast.InRange) -> m.Cond:
        """`x in [low, high)` is `x >= low and x < high`; a unit after the range is that of bounds without one."""
        var = self.variable(expr.name)
        if var is None:
            return self._false(expr.span)
        if not isinstance(var.type, m.NumberType):
            self.report(
                diagnostic(TYPE_MISMATCH, f"'{var.name}' is {var.type.describe()}, not a number", expr.name.span)
            )
            return self._false(expr.span)
        this = ast.NameRef(name=expr.name, span=expr.name.span)
        unit = expr.unit
        try:
            if unit is not None:
                self._known_unit(unit)
            low = self._comparison(
                Op.GE if expr.low_closed else Op.GT, this, expr.low, expr.span, default_unit=unit, check_bounds=False
            )
            high = self._comparison(
                Op.LE if expr.high_closed else Op.LT, this, expr.high, expr.span, default_unit=unit, check_bounds=False
            )
        except _Invalid:
            return self._false(expr.span)
        lo, hi = low.right.constant, high.right.constant
        # lo > hi, or lo == hi, in integers (Fraction's own comparisons cost more than the rest of a range)
        order = None if lo is None or hi is None else lo.numerator * hi.denominator - hi.numerator * lo.denominator
        if order is not None and (order > 0 or (order == 0 and not (expr.low_closed and expr.high_closed))):
            self.report(
                diagnostic(
                    EMPTY_RANGE,
                    "this range contains no value",
                    expr.span,
                    hint="is the range reversed?",
                )
            )
            return self._false(expr.span)
        return m.And(operands=(low, high), span=expr.span)

    def _known_unit(self, unit: ast.Name) -> None:
        # The grammar admits only the units of dsl.units; this guards the two lists against drifting apart.
        assert unit.text in UNITS, unit.text

    def _compare(self, expr: ast.Compare) -> m.Cond:
        left, op, right = expr.left, expr.op, expr.right
        # Put a variable on the left: `5 < size` reads as `size > 5`, `superficial == depth` too.
        if not self._is_variable(left) and self._is_variable(right):
            left, right, op = right, left, op.flip()
        if isinstance(left, ast.BoolLit) and isinstance(right, ast.BoolLit | ast.NumberLit):
            self.report(diagnostic(TYPE_MISMATCH, "comparison of two constants", expr.span, hint=_CONSTANTS_HINT))
            return self._false(expr.span)
        if isinstance(left, ast.NameRef):
            var = self.variables.get(left.name.text)
            if var is None and not self._numeric(right):
                self.variable(left.name)  # undefined, or not an input: reported
                return self._false(expr.span)
            if var is not None and isinstance(var.type, m.EnumType | m.BoolType):
                self.used(left.name)  # (a catalogue may only use what it imports, as for a number)
                if isinstance(var.type, m.EnumType):
                    return self._compare_enum(expr, var, op, right)
                return self._compare_bool(expr, var, op, right)
        elif isinstance(left, ast.BoolLit):
            self.report(
                diagnostic(TYPE_MISMATCH, "the left side of a comparison must be an input or finding", left.span)
            )
            return self._false(expr.span)
        try:
            return self._comparison(op, left, right, expr.span)
        except _Invalid:
            return self._false(expr.span)

    def _is_variable(self, e: ast.Expression) -> bool:
        return isinstance(e, ast.NameRef) and e.name.text in self.variables

    def _numeric(self, e: ast.Expression) -> bool:
        """Whether an expression is arithmetic on its face (a number or an operator), whatever its names are."""
        return isinstance(e, ast.NumberLit | ast.Arith | ast.Neg)

    def _compare_enum(self, expr: ast.Compare, var: m.Variable, op: Op, right: ast.Expression) -> m.Cond:
        assert isinstance(var.type, m.EnumType)
        if not op.is_equality:
            self.report(
                diagnostic(
                    TYPE_MISMATCH,
                    f"'{op.symbol}' does not apply to '{var.name}' ({var.type.describe()})",
                    expr.span,
                    hint="enumerations are compared with == or !=, or 'in {...}'",
                )
            )
            return self._false(expr.span)
        if not isinstance(right, ast.NameRef):
            self.report(diagnostic(TYPE_MISMATCH, f"'{var.name}' takes one of: {var.type.describe()}", right.span))
            return self._false(expr.span)
        if right.name.text not in var.type.values and right.name.text in self.variables:
            other = self.variables[right.name.text]
            self.used(right.name)
            if other.type != var.type:
                self.report(
                    diagnostic(
                        TYPE_MISMATCH,
                        f"'{var.name}' and '{other.name}' have different value sets",
                        expr.span,
                    )
                )
                return self._false(expr.span)
            return m.EnumCompare(op=op, left=var.name, right=other.name, span=expr.span)
        if not self.enum_value(var, right.name):
            return self._false(expr.span)
        cond: m.Cond = m.EnumIn(var=var.name, values=(right.name.text,), span=expr.span)
        return cond if op is Op.EQ else m.Not(operand=cond, span=expr.span)

    def _compare_bool(self, expr: ast.Compare, var: m.Variable, op: Op, right: ast.Expression) -> m.Cond:
        if not op.is_equality:
            self.report(diagnostic(TYPE_MISMATCH, f"'{op.symbol}' does not apply to a bool", expr.span))
            return self._false(expr.span)
        this: m.Cond = m.BoolVar(var=var.name, span=expr.span)
        if isinstance(right, ast.BoolLit):
            positive = right.value == (op is Op.EQ)
            return this if positive else m.Not(operand=this, span=expr.span)
        if isinstance(right, ast.NameRef):
            other = self.variable(right.name)
            if other is None:
                return self._false(expr.span)
            if not isinstance(other.type, m.BoolType):
                self.report(diagnostic(TYPE_MISMATCH, f"'{other.name}' is not a bool", right.span))
                return self._false(expr.span)
            that: m.Cond = m.BoolVar(var=other.name, span=expr.span)
            same = m.Or(
                operands=(
                    m.And(operands=(this, that), span=expr.span),
                    m.And(
                        operands=(
                            m.Not(operand=this, span=expr.span),
                            m.Not(operand=that, span=expr.span),
                        ),
                        span=expr.span,
                    ),
                ),
                span=expr.span,
            )
            return same if op is Op.EQ else m.Not(operand=same, span=expr.span)
        self.report(diagnostic(TYPE_MISMATCH, f"'{var.name}' is a bool; compare it with true or false", right.span))
        return self._false(expr.span)

    # -- numeric comparisons ---------------------------------------------------------
    def _comparison(
        self,
        op: Op,
        left: ast.Expression,
        right: ast.Expression,
        span: Span,
        *,
        default_unit: ast.Name | None = None,
        check_bounds: bool = True,
    ) -> m.Compare:
        """`left op right` over linear expressions, in one unit (raises _Invalid once reported)."""
        simple = self._simple_comparison(op, left, right, span, default_unit)
        if simple is not None:
            if check_bounds:
                self._check_bounds(left, right, simple)
            return simple
        problems = 0
        sides: list[list[_Item]] = []
        for side in (left, right):
            try:
                sides.append(self._linear(side))
            except _Invalid:
                problems += 1
                sides.append([])
        if problems:
            raise _Invalid
        items = [*sides[0], *sides[1]]
        variables = [i for i in items if i.var is not None]
        if not variables:
            self.report(diagnostic(TYPE_MISMATCH, "comparison of two constants", span, hint=_CONSTANTS_HINT))
            raise _Invalid
        first = self.variables[variables[0].var or ""]
        assert isinstance(first.type, m.NumberType)
        target = first.type.unit
        var_units = {self._declared_unit(i) for i in variables}
        # variables first: a variable in the wrong unit is the first thing to say
        done = {id(i): self._to_unit(i, first, target, var_units, default_unit) for i in variables}
        converted = [
            [
                done[id(i)] if i.var is not None else self._to_unit(i, first, target, var_units, default_unit)
                for i in side
            ]
            for side in sides
        ]
        compare = m.Compare(op=op, left=_linear_of(converted[0]), right=_linear_of(converted[1]), span=span)
        terms, _ = compare.normal()
        if not terms:
            self.report(
                diagnostic(
                    TYPE_MISMATCH,
                    "the variables cancel out: the comparison is the same for every patient",
                    span,
                    hint="compare an input with a value",
                )
            )
            raise _Invalid
        if check_bounds:
            self._check_bounds(left, right, compare)
        return compare

    def _simple_comparison(
        self, op: Op, left: ast.Expression, right: ast.Expression, span: Span, default_unit: ast.Name | None
    ) -> m.Compare | None:
        """`x op 5` (or `5 cm` with x in cm): what the general route gives, without its work; None
        for anything else. Most comparisons of a large table are of this form."""
        if not (isinstance(left, ast.NameRef) and isinstance(right, ast.NumberLit)):
            return None
        var = self.variables.get(left.name.text)
        if var is None or not isinstance(var.type, m.NumberType):
            return None
        unit = right.unit.text if right.unit is not None else default_unit.text if default_unit is not None else None
        if unit is not None and unit != var.type.unit:
            return None  # a conversion, or a unit the variable lacks: the general route says what
        if right.unit is not None:
            self._known_unit(right.unit)
        self.used(left.name)
        return m.Compare(op=op, left=self._plain_var(var.name), right=self._constant(right.value)[0], span=span)

    def _check_bounds(self, left: ast.Expression, right: ast.Expression, compare: m.Compare) -> None:
        """`x op 500` with x in [0, 60]: a plain variable compared with a number outside its range."""
        var = compare.left.var
        value = compare.right.constant
        if var is None or value is None or not isinstance(right, ast.NumberLit) or not isinstance(left, ast.NameRef):
            return
        t = self.variables[var].type
        assert isinstance(t, m.NumberType)
        if not (t.low <= value <= t.high):
            self.report(
                diagnostic(
                    OUT_OF_BOUNDS,
                    f"{m.format_value(value)} is outside the range of '{var}' ({t.describe()})",
                    right.span,
                    hint="the comparison is constant for every patient",
                )
            )
            raise _Invalid

    def _declared_unit(self, item: _Item) -> str | None:
        assert item.var is not None
        t = self.variables[item.var].type
        assert isinstance(t, m.NumberType)
        return t.unit

    def _to_unit(
        self,
        item: _Item,
        first: m.Variable,
        target: str | None,
        var_units: set[str | None],
        default_unit: ast.Name | None,
    ) -> _Item:
        """The item in the comparison's unit `target` (the unit of `first`, its first variable)."""
        if item.var is not None:
            unit = self._declared_unit(item)
            if unit == target:
                return item
            if unit is None or target is None:
                self.report(
                    diagnostic(
                        UNIT_MISMATCH,
                        f"'{first.name}' is in {target or 'no unit'} but '{item.var}' is in {unit or 'no unit'}",
                        item.span,
                    )
                )
                raise _Invalid
            factor = factor_between(unit, target)
            if factor is None:
                what = f"'{first.name}' is in {target} but '{item.var}' is in {unit}"
                self._refuse(what, what, unit, target, item.span, first.name, two_variables=True)
                raise _Invalid
            return item.scaled(factor)
        unit = item.unit
        if unit is None and default_unit is not None:
            unit = default_unit.text
        if unit is None:
            if len(var_units) > 1:
                written = m.format_value(item.written if item.written is not None else item.coef)
                units = " and ".join(sorted(u or "no unit" for u in var_units))
                self.report(
                    diagnostic(
                        UNITLESS_NUMBER,
                        f"the number {written} has no unit, and the comparison mixes {units}",
                        item.span,
                        hint=f"give its unit, e.g. '{written} {target}'",
                    )
                )
                raise _Invalid
            return item
        factor = self._unit_factor(unit, item.unit_span or item.span, first)
        if factor is None:
            raise _Invalid
        return _Item(None, item.coef * factor, target, item.span)

    def _linear(self, expr: ast.Expression) -> list[_Item]:
        """An arithmetic expression as a list of items (raises _Invalid once reported)."""
        span = expr.span
        match expr:
            case ast.NumberLit(value=value, unit=unit):
                if unit is not None:
                    self._known_unit(unit)
                return [_Item(None, value, unit.text if unit else None, span, unit.span if unit else None, value)]
            case ast.NameRef(name=name):
                var = self.variable(name)
                if var is None:
                    raise _Invalid
                if not isinstance(var.type, m.NumberType):
                    self.report(diagnostic(TYPE_MISMATCH, f"'{var.name}' is {var.type.describe()}, not a number", span))
                    raise _Invalid
                return [_Item(var.name, Fraction(1), var.type.unit, span)]
            case ast.Neg(operand=operand):
                return [i.scaled(Fraction(-1)) for i in self._linear(operand)]
            case ast.Arith(op="+" | "-" as op, left=a, right=b):
                x, y = self._both(a, b)
                return [*x, *(i.scaled(Fraction(-1)) for i in y)] if op == "-" else [*x, *y]
            case ast.Arith(op="*" | "/" as op, left=a, right=b):
                x, y = self._both(a, b)
                return self._product(expr, op, x, y)
            case ast.Arith():
                raise AssertionError(f"unknown operator {expr.op!r}")
            case ast.BoolLit():
                self.report(diagnostic(TYPE_MISMATCH, f"{'true' if expr.value else 'false'} is not a number", span))
                raise _Invalid
            case ast.Compare() | ast.Member() | ast.InRange() | ast.Not() | ast.And() | ast.Or() | ast.Implies():
                self.report(diagnostic(TYPE_MISMATCH, "a condition is not a number", span))
                raise _Invalid
            case _:
                assert_never(expr)

    def _both(self, a: ast.Expression, b: ast.Expression) -> tuple[list[_Item], list[_Item]]:
        """Both operands, each reported on its own before giving up."""
        x = y = None
        with contextlib.suppress(_Invalid):
            x = self._linear(a)
        with contextlib.suppress(_Invalid):
            y = self._linear(b)
        if x is None or y is None:
            raise _Invalid
        return x, y

    def _product(self, expr: ast.Arith, op: str, x: list[_Item], y: list[_Item]) -> list[_Item]:
        """`x * y` or `x / y`, where all but one operand of a product must be a plain number."""
        text = _text(expr)
        x_vars = [i.var for i in x if i.var is not None]
        y_vars = [i.var for i in y if i.var is not None]
        if y_vars and (x_vars or op == "/"):
            a, b = (x_vars or ["a number"])[0], y_vars[0]
            what = f"multiplies '{a}' by '{b}'" if op == "*" else f"divides {_quoted(a)} by '{b}'"
            self.report(
                diagnostic(
                    NONLINEAR,
                    f"'{text}' {what}; a comparison may multiply or divide a variable only by a constant",
                    expr.span,
                    hint="conditions stay in linear arithmetic, which the verifier decides exactly for every "
                    "patient; compare without the product (a / b > 2 is a > 2 * b when b is positive), or "
                    "declare the derived quantity as an input",
                )
            )
            raise _Invalid
        # the divisor, or the operand of a product that names no variable (the left one if neither does)
        factor_items, other = (y, x) if op == "/" or x_vars else (x, y)
        for i in factor_items:
            if i.unit is not None:
                self.report(
                    diagnostic(
                        BAD_ARITHMETIC,
                        f"the factor in '{text}' carries a unit ({i.unit}); multiply and divide by plain numbers",
                        i.unit_span or i.span,
                        hint="put the unit on a number that is added or compared, e.g. 'x > 2 * y + 1 cm'",
                    )
                )
                raise _Invalid
        factor = sum((i.coef for i in factor_items), Fraction(0))
        if op == "/":
            if factor == 0:
                self.report(diagnostic(BAD_ARITHMETIC, f"'{text}' divides by zero", expr.span))
                raise _Invalid
            return [i.scaled(1 / factor) for i in other]
        return [i.scaled(factor) for i in other]


_CONSTANTS_HINT = "compare an input with a value"
_make_enum_in = maker(m.EnumIn)
_make_compare = maker(m.Compare)
_make_and = maker(m.And)
_make_not = maker(m.Not)
_make_bool_var = maker(m.BoolVar)


def _within(value: Fraction, low: Fraction, high: Fraction) -> bool:
    """`low <= value <= high`, in integers when all three are whole (Fraction's comparisons cost more)."""
    if value.denominator == 1 and low.denominator == 1 and high.denominator == 1:
        return low.numerator <= value.numerator <= high.numerator
    return low <= value <= high


_ZERO = Fraction(0)
_ONE = Fraction(1)


def _quoted(name: str) -> str:
    return name if name == "a number" else f"'{name}'"


def _linear_of(items: list[_Item]) -> m.Linear:
    """Items (in one unit) as a model expression: each variable once, in source order; zero terms dropped."""
    coef: dict[str, Fraction] = {}
    offset = Fraction(0)
    for i in items:
        if i.var is None:
            offset += i.coef
        else:
            coef[i.var] = coef.get(i.var, Fraction(0)) + i.coef
    return m.Linear(terms=tuple((v, k) for v, k in coef.items() if k), offset=offset)


def _text(expr: ast.Expression) -> str:
    """An arithmetic expression as source-like text, for messages (`length_cm * width_cm`)."""
    match expr:
        case ast.NameRef(name=name):
            return name.text
        case ast.NumberLit(value=value, unit=unit):
            return m.format_value(value) + (f" {unit.text}" if unit is not None else "")
        case ast.Neg(operand=operand):
            return f"-{_wrapped(operand, isinstance(operand, ast.Arith))}"
        case ast.Arith(op=op, left=left, right=right):
            product = op in ("*", "/")
            left_text = _wrapped(left, product and _is_sum(left))
            right_text = _wrapped(right, (product and isinstance(right, ast.Arith)) or (op == "-" and _is_sum(right)))
            return f"{left_text} {op} {right_text}"
        case _:
            return "(...)"


def _is_sum(expr: ast.Expression) -> bool:
    return isinstance(expr, ast.Arith) and expr.op in ("+", "-")


def _wrapped(expr: ast.Expression, brackets: bool) -> str:
    return f"({_text(expr)})" if brackets else _text(expr)


def check_unit_name(unit: ast.Name | None) -> str | None:
    """The unit of a declaration (the grammar admits only known units)."""
    if unit is None:
        return None
    assert unit.text in UNITS, unit.text
    return unit.text
