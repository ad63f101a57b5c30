"""Expressions: AST -> typed model conditions, checking names, types, units and bounds."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from fractions import Fraction

from dsl import ast
from dsl import model as m
from dsl.codes import EMPTY_RANGE, OUT_OF_BOUNDS, TYPE_MISMATCH, UNDEFINED_NAME, UNIT_MISMATCH, UNKNOWN_VALUE
from dsl.diagnostics import Diagnostic, diagnostic, did_you_mean
from dsl.ops import Op
from dsl.source import Span
from dsl.units import UNITS, convert


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
            if var.type.unit is None:
                self.report(
                    diagnostic(
                        UNIT_MISMATCH,
                        f"'{var.name}' has no unit, but the number is in {lit.unit.text}",
                        lit.unit.span,
                    )
                )
                return None
            converted = convert(value, lit.unit.text, var.type.unit)
            if converted is None:
                self.report(
                    diagnostic(
                        UNIT_MISMATCH,
                        f"'{var.name}' is measured in {var.type.unit}; {lit.unit.text} cannot be converted",
                        lit.unit.span,
                    )
                )
                return None
            value = converted
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

    # -- expressions ----------------------------------------------------------------
    def check(self, expr: ast.Expr) -> m.Cond:
        span = expr.span
        if isinstance(expr, ast.BoolLit):
            return m.Const(value=expr.value, span=span)
        if isinstance(expr, ast.NameRef):
            use = self.named(expr.name)
            if use is not None:
                return use
            var = self.variable(expr.name)
            if var is None:
                return self._false(span)
            if not isinstance(var.type, m.BoolType):
                self.report(
                    diagnostic(
                        TYPE_MISMATCH,
                        f"'{var.name}' is {var.type.describe()}, not a bool",
                        expr.span,
                        hint=f"compare it, e.g. '{var.name} == ...'",
                    )
                )
                return self._false(span)
            return m.BoolVar(var=var.name, span=span)
        if isinstance(expr, ast.Not):
            return m.Not(operand=self.check(expr.operand), span=span)
        if isinstance(expr, ast.And):
            return m.And(operands=tuple(self.check(e) for e in expr.operands), span=span)
        if isinstance(expr, ast.Or):
            return m.Or(operands=tuple(self.check(e) for e in expr.operands), span=span)
        if isinstance(expr, ast.Implies):
            left = self.check(expr.left)
            right = self.check(expr.right)
            return m.Or(operands=(m.Not(operand=left, span=expr.left.span), right), span=span)
        if isinstance(expr, ast.Member):
            return self._member(expr)
        if isinstance(expr, ast.InRange):
            return self._range(expr)
        if isinstance(expr, ast.Compare):
            return self._compare(expr)
        raise AssertionError(f"unknown expression {type(expr).__name__}")

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
        var = self.variable(expr.name)
        if var is None:
            return self._false(expr.span)
        if not isinstance(var.type, m.NumberType):
            self.report(
                diagnostic(TYPE_MISMATCH, f"'{var.name}' is {var.type.describe()}, not a number", expr.name.span)
            )
            return self._false(expr.span)
        bounds: list[Fraction] = []
        for end in (expr.low, expr.high):
            if not isinstance(end, ast.NumberLit):
                self.report(diagnostic(TYPE_MISMATCH, "range bounds must be numbers", end.span))
                return self._false(expr.span)
            value = self.number(var, end, check_bounds=False)
            if value is None:
                return self._false(expr.span)
            bounds.append(value)
        low, high = bounds
        if low > high or (low == high and not (expr.low_closed and expr.high_closed)):
            self.report(
                diagnostic(
                    EMPTY_RANGE,
                    "this range contains no value",
                    expr.span,
                    hint="is the range reversed?",
                )
            )
            return self._false(expr.span)
        term = m.NumTerm(var=var.name)
        return m.And(
            operands=(
                m.Compare(
                    op=Op.GE if expr.low_closed else Op.GT,
                    left=term,
                    right=m.NumTerm(const=low),
                    span=expr.span,
                ),
                m.Compare(
                    op=Op.LE if expr.high_closed else Op.LT,
                    left=term,
                    right=m.NumTerm(const=high),
                    span=expr.span,
                ),
            ),
            span=expr.span,
        )

    def _compare(self, expr: ast.Compare) -> m.Cond:
        left, op, right = expr.left, expr.op, expr.right
        # Put a variable on the left: `5 < size` reads as `size > 5`, `superficial == depth` too.
        if not self._is_variable(left) and self._is_variable(right):
            left, right, op = right, left, op.flip()
        if isinstance(left, ast.NumberLit) and isinstance(right, ast.NumberLit):
            self.report(
                diagnostic(
                    TYPE_MISMATCH,
                    "comparison of two constants",
                    expr.span,
                    hint="compare an input with a value",
                )
            )
            return self._false(expr.span)
        if not isinstance(left, ast.NameRef):
            self.report(
                diagnostic(TYPE_MISMATCH, "the left side of a comparison must be an input or finding", left.span)
            )
            return self._false(expr.span)
        var = self.variable(left.name)
        if var is None:
            return self._false(expr.span)
        if isinstance(var.type, m.EnumType):
            return self._compare_enum(expr, var, op, right)
        if isinstance(var.type, m.BoolType):
            return self._compare_bool(expr, var, op, right)
        return self._compare_number(expr, var, op, right)

    def _is_variable(self, e: ast.Expr) -> bool:
        return isinstance(e, ast.NameRef) and e.name.text in self.variables

    def _compare_enum(self, expr: ast.Compare, var: m.Variable, op: Op, right: ast.Expr) -> m.Cond:
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

    def _compare_bool(self, expr: ast.Compare, var: m.Variable, op: Op, right: ast.Expr) -> m.Cond:
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

    def _compare_number(self, expr: ast.Compare, var: m.Variable, op: Op, right: ast.Expr) -> m.Cond:
        assert isinstance(var.type, m.NumberType)
        if isinstance(right, ast.NumberLit):
            value = self.number(var, right)
            if value is None:
                return self._false(expr.span)
            return m.Compare(op=op, left=m.NumTerm(var=var.name), right=m.NumTerm(const=value), span=expr.span)
        if isinstance(right, ast.NameRef):
            other = self.variable(right.name)
            if other is None:
                return self._false(expr.span)
            if not isinstance(other.type, m.NumberType):
                self.report(
                    diagnostic(
                        TYPE_MISMATCH,
                        f"'{other.name}' is {other.type.describe()}, not a number",
                        right.span,
                    )
                )
                return self._false(expr.span)
            if other.type.unit != var.type.unit:
                self.report(
                    diagnostic(
                        UNIT_MISMATCH,
                        f"'{var.name}' is in {var.type.unit or 'no unit'} but '{other.name}' is in "
                        f"{other.type.unit or 'no unit'}",
                        expr.span,
                    )
                )
                return self._false(expr.span)
            return m.Compare(op=op, left=m.NumTerm(var=var.name), right=m.NumTerm(var=other.name), span=expr.span)
        self.report(diagnostic(TYPE_MISMATCH, f"'{var.name}' is a number; compare it with a number", right.span))
        return self._false(expr.span)


def check_unit_name(unit: ast.Name | None, report: Callable[[Diagnostic], None]) -> str | None:
    if unit is None:
        return None
    if unit.text not in UNITS:
        report(diagnostic(UNIT_MISMATCH, f"unknown unit '{unit.text}'", unit.span))
        return None
    return unit.text
