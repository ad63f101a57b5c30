"""Model variables and conditions -> Z3.

Each Encoder owns its own Z3 context, so the results for one spec never depend on
what was verified before it in the same process.

  enumeration      Int in [0, k-1] (the index of the value in declaration order)
  bool             Bool
  number / integer Real / Int, bounded by the declared range (units already converted)

Numeric comparisons are linear (the type checker refuses products of variables), so every
query stays in linear arithmetic over the integers and reals, which Z3 decides exactly.

Conditions are encoded once each (a cache keyed by the condition object).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

import z3

from dsl import model as m
from dsl.cond import CondVisitor
from dsl.model import Value
from verify.solver import Patient


class Encoder:
    def __init__(self, model: m.Model) -> None:
        self.model = model
        self.ctx = z3.Context()
        self.vars: dict[str, Any] = {}
        self.domain: list[Any] = []
        self.enum_index: dict[str, dict[str, int]] = {}
        self._cache: dict[int, tuple[m.Cond, Any]] = {}
        self._fresh = 0
        self._ints: dict[int, Any] = {}
        self._bool_sort: Any = None
        self.true = z3.BoolVal(True, self.ctx)
        self.false = z3.BoolVal(False, self.ctx)
        for var in model.variables:
            self._declare(var)
        self._encoding = _Encoding(self)
        self._assumptions = [self.encode(a.cond) for a in model.assumptions]

    # -- variables --------------------------------------------------------------------
    def _declare(self, var: m.Variable) -> None:
        name = f"v!{var.name}"
        t = var.type
        if isinstance(t, m.BoolType):
            self.vars[var.name] = z3.Bool(name, self.ctx)
        elif isinstance(t, m.EnumType):
            x = z3.Int(name, self.ctx)
            self.vars[var.name] = x
            self.enum_index[var.name] = {v: i for i, v in enumerate(t.values)}
            self.domain.append(x >= 0)
            self.domain.append(x <= len(t.values) - 1)
        else:
            x = z3.Int(name, self.ctx) if t.integer else z3.Real(name, self.ctx)
            self.vars[var.name] = x
            self.domain.append(x >= self.num(t.low))
            self.domain.append(x <= self.num(t.high))

    def num(self, value: Fraction) -> Any:
        if value.denominator == 1:
            return z3.IntVal(value.numerator, self.ctx)
        return z3.RealVal(f"{value.numerator}/{value.denominator}", self.ctx)

    def _small(self, k: int) -> Any:
        hit = self._ints.get(k)
        if hit is None:
            hit = self._ints[k] = z3.IntVal(k, self.ctx)
        return hit

    def fresh_bool(self, hint: str = "aux") -> Any:
        self._fresh += 1
        # `z3.Bool(name, ctx)` through the C API: products declare one per node
        ctx = self.ctx
        if self._bool_sort is None:
            self._bool_sort = z3.BoolSort(ctx)
        symbol = z3.Z3_mk_string_symbol(ctx.ref(), f"{hint}!{self._fresh}")
        return z3.BoolRef(z3.Z3_mk_const(ctx.ref(), symbol, self._bool_sort.ast), ctx)

    def fresh_int(self, hint: str = "aux") -> Any:
        self._fresh += 1
        return z3.Int(f"{hint}!{self._fresh}", self.ctx)

    @property
    def assumptions(self) -> list[Any]:
        return list(self._assumptions)

    def base(self) -> list[Any]:
        """Domain constraints and assumptions: what every patient satisfies."""
        return [*self.domain, *self._assumptions]

    # -- Boolean combinators (empty lists allowed) ----------------------------------------
    # They call the Z3 C API directly: z3.And/z3.Or re-check and coerce every argument in
    # Python, which dominates the encoding time of large tables and products.
    def _nary(self, fn: Any, xs: list[Any]) -> Any:
        arr = (z3.Ast * len(xs))()
        for i, x in enumerate(xs):
            arr[i] = x.as_ast()
        return z3.BoolRef(fn(self.ctx.ref(), len(xs), arr), self.ctx)

    def and_(self, items: Iterable[Any]) -> Any:
        xs = list(items)
        if not xs:
            return self.true
        return xs[0] if len(xs) == 1 else self._nary(z3.Z3_mk_and, xs)

    def or_(self, items: Iterable[Any]) -> Any:
        xs = list(items)
        if not xs:
            return self.false
        return xs[0] if len(xs) == 1 else self._nary(z3.Z3_mk_or, xs)

    def not_(self, x: Any) -> Any:
        return z3.BoolRef(z3.Z3_mk_not(self.ctx.ref(), x.as_ast()), self.ctx)

    def implies(self, a: Any, b: Any) -> Any:
        return z3.BoolRef(z3.Z3_mk_implies(self.ctx.ref(), a.as_ast(), b.as_ast()), self.ctx)

    def eq(self, a: Any, b: Any) -> Any:
        return z3.BoolRef(z3.Z3_mk_eq(self.ctx.ref(), a.as_ast(), b.as_ast()), self.ctx)

    # -- conditions -------------------------------------------------------------------
    def encode(self, cond: m.Cond) -> Any:
        hit = self._cache.get(id(cond))
        if hit is not None and hit[0] is cond:
            return hit[1]
        expr = self._encode(cond)
        self._cache[id(cond)] = (cond, expr)  # keeps `cond` alive so its id stays unique
        return expr

    def _encode(self, c: m.Cond) -> Any:
        return self._encoding.visit(c)

    def _term(self, t: m.Linear) -> Any:
        """A plain variable or a constant as a Z3 term (None for any other linear expression)."""
        if t.var is not None:
            return self.vars[t.var]
        if t.constant is not None:
            return self.num(t.constant)
        return None

    def linear(self, c: m.Compare) -> Any:
        """`sum(coef * var) op k` with the coefficients and k scaled to integers, so that a
        comparison of integer variables stays in integer arithmetic (`n + k/2 >= 7/2` is
        `2*n + k >= 7`); Z3 reads a mix of integer and real variables exactly."""
        terms, k = c.normal()
        scale = math.lcm(k.denominator, *(coef.denominator for _, coef in terms))
        parts = []
        for var, coef in terms:
            x = self.vars[var]
            n = coef * scale
            parts.append(x if n == 1 else self._small(int(n)) * x)
        lhs = parts[0] if len(parts) == 1 else z3.Sum(*parts) if parts else self._small(0)
        return c.op.apply(lhs, self.num(k * scale))

    # -- values -------------------------------------------------------------------------
    def value_expr(self, name: str, value: Value) -> Any:
        """`name == value` as a Z3 formula."""
        x = self.vars[name]
        t = self.model.variable(name).type
        if isinstance(t, m.BoolType):
            return x if value else z3.Not(x)
        if isinstance(t, m.EnumType):
            assert isinstance(value, str)
            return x == self.enum_index[name][value]
        assert isinstance(value, Fraction)
        return x == self.num(value)

    def patient_expr(self, patient: Mapping[str, Value]) -> Any:
        return self.and_(self.value_expr(k, v) for k, v in patient.items())

    def decode(self, model: Any) -> Patient:
        """A Z3 model -> plain values for every variable (model completion for the rest)."""
        out: Patient = {}
        for var in self.model.variables:
            x = self.vars[var.name]
            v = model.eval(x, model_completion=True)
            t = var.type
            if isinstance(t, m.BoolType):
                out[var.name] = z3.is_true(v)
            elif isinstance(t, m.EnumType):
                out[var.name] = t.values[v.as_long()]
            elif t.integer:
                out[var.name] = Fraction(v.as_long())
            else:
                frac = v.as_fraction()
                out[var.name] = Fraction(frac.numerator, frac.denominator)
        return out


class _Encoding(CondVisitor[Any]):
    """One node -> Z3; children go through `Encoder.encode` (and its cache)."""

    def __init__(self, enc: Encoder) -> None:
        self.enc = enc

    def visit_const(self, c: m.Const) -> Any:
        return self.enc.true if c.value else self.enc.false

    def visit_bool_var(self, c: m.BoolVar) -> Any:
        return self.enc.vars[c.var]

    def visit_enum_in(self, c: m.EnumIn) -> Any:
        enc = self.enc
        x = enc.vars[c.var]
        index = enc.enum_index[c.var]
        return enc.or_(enc.eq(x, enc._small(index[v])) for v in c.values)

    def visit_enum_compare(self, c: m.EnumCompare) -> Any:
        # Z3 overloads == and != on its terms: the result is a formula, not a Python bool
        return c.op.apply(self.enc.vars[c.left], self.enc.vars[c.right])

    def visit_compare(self, c: m.Compare) -> Any:
        left, right = self.enc._term(c.left), self.enc._term(c.right)
        if left is None or right is None:
            return self.enc.linear(c)
        return c.op.apply(left, right)

    def visit_not(self, c: m.Not) -> Any:
        return self.enc.not_(self.enc.encode(c.operand))

    def visit_and(self, c: m.And) -> Any:
        return self.enc.and_(self.enc.encode(o) for o in c.operands)

    def visit_or(self, c: m.Or) -> Any:
        return self.enc.or_(self.enc.encode(o) for o in c.operands)

    def visit_named(self, c: m.Named) -> Any:
        return self.enc.encode(c.body)
