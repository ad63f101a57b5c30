"""The space of a decision's boxes: one dimension per variable its conditions read.

Most rule conditions of a decision table are boxes: an enumeration restricted to a set
of values, a bool to a literal, a number to an interval. On boxes, overlap, containment
and "which patients does no rule cover" are exact and cheap, so the table checks use
them first and ask Z3 only to confirm a result under the path context.

Coordinates. A `Space` has one dimension per variable a decision reads:
  enum / bool   a bit mask over the values (bool: bit 0 = false, bit 1 = true)
  integer       a closed range (a, b) of integers
  number        a closed range (a, b) of positions on the sorted constants c_0 < c_1 < ...
                that the conditions compare the variable with (the domain bounds
                included): position 2i is the point c_i, position 2i+1 the open
                interval (c_i, c_{i+1}). Strict and non-strict bounds are exact.
A box (`verify.box`) is a tuple with one such item per dimension; `None` is the empty box.
The space turns values and comparisons into coordinates and back into values and text.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import assert_never

from dsl import model as m
from dsl.cond import CondWalker
from dsl.model import Value
from dsl.ops import Op
from verify.box import Box, Item, contains


@dataclass(frozen=True)
class Dim:
    """One dimension of a space: a variable, its kind and what its coordinates mean."""

    var: str
    kind: str  # enum | bool | int | real
    values: tuple[str, ...] = ()  # enum
    low: Fraction = Fraction(0)
    high: Fraction = Fraction(0)
    points: tuple[Fraction, ...] = ()  # real: sorted constants, domain bounds included

    @property
    def discrete(self) -> bool:
        """Whether items of this dimension are bit masks (enum, bool) rather than ranges."""
        return self.kind in ("enum", "bool")


class Space:
    """The dimensions (variables) a set of conditions talks about, in model order."""

    def __init__(
        self,
        model: m.Model,
        conds: Sequence[m.Cond],
        extra_vars: Sequence[str] = (),
        extra_points: Mapping[str, Iterable[Fraction]] | None = None,
    ) -> None:
        used: set[str] = set(extra_vars)
        constants: dict[str, set[Fraction]] = {}
        for c in conds:
            collect_constants(c, used, constants)
        for name, pts in (extra_points or {}).items():
            constants.setdefault(name, set()).update(pts)
        self.model = model
        self.dims: list[Dim] = []
        for var in model.variables:
            if var.name not in used:
                continue
            t = var.type
            if isinstance(t, m.BoolType):
                self.dims.append(Dim(var.name, "bool"))
            elif isinstance(t, m.EnumType):
                self.dims.append(Dim(var.name, "enum", values=t.values))
            elif t.integer:
                self.dims.append(Dim(var.name, "int", low=t.low, high=t.high))
            else:
                pts = sorted({t.low, t.high, *(c for c in constants.get(var.name, ()) if t.low <= c <= t.high)})
                self.dims.append(Dim(var.name, "real", low=t.low, high=t.high, points=tuple(pts)))
        self.index = {d.var: i for i, d in enumerate(self.dims)}
        self._positions = {d.var: {c: 2 * k for k, c in enumerate(d.points)} for d in self.dims}
        self.constants = constants  # every constant each variable is compared with
        self.full: Box = tuple(self._full(d) for d in self.dims)

    def _full(self, d: Dim) -> Item:
        if d.kind == "enum":
            return (1 << len(d.values)) - 1
        if d.kind == "bool":
            return 0b11
        if d.kind == "int":
            return (int(d.low), int(d.high))
        return (2 * d.points.index(d.low), 2 * d.points.index(d.high))

    @property
    def vars(self) -> list[str]:
        """The variable of each dimension, in dimension order."""
        return [d.var for d in self.dims]

    # -- numeric constraints -> ranges ----------------------------------------------
    def compare_range(self, i: int, op: Op, c: Fraction) -> list[tuple[int, int]]:
        """The ranges of dimension i (ordered) satisfying `x op c`, clipped to the domain."""
        d = self.dims[i]
        full = self.full[i]
        assert isinstance(full, tuple)
        lo, hi = full
        if op is Op.NE:
            return [r for r in (*self.compare_range(i, Op.LT, c), *self.compare_range(i, Op.GT, c)) if r[0] <= r[1]]
        if d.kind == "int":
            if op is Op.LT:
                a, b = lo, math.ceil(c) - 1
            elif op is Op.LE:
                a, b = lo, math.floor(c)
            elif op is Op.GT:
                a, b = math.floor(c) + 1, hi
            elif op is Op.GE:
                a, b = math.ceil(c), hi
            elif op is Op.EQ:
                if c.denominator != 1:
                    return []
                a, b = int(c), int(c)
            else:
                assert_never(op)
        elif not d.low <= c <= d.high:  # a threshold outside the domain: all of it or none of it
            return [(lo, hi)] if op.apply(d.low, c) else []
        else:
            pos = self._position(d, c)
            if pos % 2:
                raise ValueError(f"{c} is not a constant of the space for '{d.var}'")
            if op is Op.LT:
                a, b = lo, pos - 1 if pos % 2 == 0 else pos
            elif op is Op.LE:
                a, b = lo, pos
            elif op is Op.GT:
                a, b = pos + 1 if pos % 2 == 0 else pos, hi
            elif op is Op.GE:
                a, b = pos, hi
            elif op is Op.EQ:
                if pos % 2:
                    return []
                a, b = pos, pos
            else:
                assert_never(op)
        a, b = max(a, lo), min(b, hi)
        return [(a, b)] if a <= b else []

    def _position(self, d: Dim, c: Fraction) -> int:
        """2k for c == c_k, 2k - 1 for c strictly between c_{k-1} and c_k."""
        hit = self._positions[d.var].get(c)
        if hit is not None:
            return hit
        k = bisect.bisect_left(d.points, c)
        if k < len(d.points) and d.points[k] == c:
            return 2 * k
        return 2 * k - 1

    def value_item(self, i: int, value: Value) -> Item:
        """The coordinate of one value (a one-point item)."""
        d = self.dims[i]
        if d.kind == "enum":
            return 1 << d.values.index(str(value))
        if d.kind == "bool":
            return 0b10 if value else 0b01
        assert isinstance(value, Fraction)
        if d.kind == "int":
            return (int(value), int(value))
        pos = self._position(d, value)
        return (pos, pos)

    def point_box(self, patient: Mapping[str, Value]) -> Box:
        """The one-patient box of a patient (who has a value for every dimension)."""
        return tuple(self.value_item(i, patient[d.var]) for i, d in enumerate(self.dims))

    # -- typical values -----------------------------------------------------------------
    def typical(self, i: int, item: Item) -> Value:
        """A simple value in the item: the first enum value, false, a small integer."""
        d = self.dims[i]
        if d.kind == "enum":
            assert isinstance(item, int) and item
            return d.values[(item & -item).bit_length() - 1]
        if d.kind == "bool":
            assert isinstance(item, int) and item
            return not item & 1
        assert isinstance(item, tuple)
        a, b = item
        if d.kind == "int":
            if a <= 0 <= b:
                return Fraction(0)
            return Fraction(a if a > 0 else b)
        lo, lo_open, hi, hi_open = self.real_bounds(d, a, b)
        return nice_value(lo, lo_open, hi, hi_open)

    @staticmethod
    def real_bounds(d: Dim, a: int, b: int) -> tuple[Fraction, bool, Fraction, bool]:
        """The interval of positions a..b of a number dimension: (low, low open, high, high open)."""
        lo = d.points[a // 2]
        lo_open = a % 2 == 1
        hi = d.points[b // 2] if b % 2 == 0 else d.points[(b + 1) // 2]
        hi_open = b % 2 == 1
        return lo, lo_open, hi, hi_open

    def typical_point(self, box: Box) -> dict[str, Value]:
        """A simple patient in the box (see `typical`), for witnesses that read well."""
        return {d.var: self.typical(i, box[i]) for i, d in enumerate(self.dims)}

    # -- text -----------------------------------------------------------------------------
    def describe_item(self, i: int, item: Item) -> str | None:
        """The constraint as text, or None when the item is the whole domain."""
        d = self.dims[i]
        if item == self.full[i]:
            return None
        if d.kind == "enum":
            assert isinstance(item, int)
            vals = [v for k, v in enumerate(d.values) if item >> k & 1]
            return f"{d.var} = {vals[0]}" if len(vals) == 1 else f"{d.var} in {{{', '.join(vals)}}}"
        if d.kind == "bool":
            return f"{d.var} = {'true' if item == 0b10 else 'false'}"
        assert isinstance(item, tuple)
        full = self.full[i]
        assert isinstance(full, tuple)
        a, b = item
        if d.kind == "int":
            if a == b:
                return f"{d.var} = {a}"
            if a == full[0]:
                return f"{d.var} <= {b}"
            if b == full[1]:
                return f"{d.var} >= {a}"
            return f"{a} <= {d.var} <= {b}"
        lo, lo_open, hi, hi_open = self.real_bounds(d, a, b)
        if lo == hi:
            return f"{d.var} = {m.format_value(lo)}"
        lower = f"{m.format_value(lo)} {'<' if lo_open else '<='} "
        upper = f" {'<' if hi_open else '<='} {m.format_value(hi)}"
        if a == full[0]:
            return f"{d.var}{upper}"
        if b == full[1]:
            return f"{d.var} {'>' if lo_open else '>='} {m.format_value(lo)}"
        return f"{lower}{d.var}{upper}"

    def describe(self, box: Box) -> str:
        """e.g. "depth = deep and us_result = benign, any size_cm"."""
        parts: list[str] = []
        free: list[str] = []
        for i, d in enumerate(self.dims):
            text = self.describe_item(i, box[i])
            if text is None:
                free.append(d.var)
            else:
                parts.append(text)
        out = " and ".join(parts)
        if free:
            out = (out + ", " if out else "") + "any " + ", ".join(free)
        return out or "every patient"

    # -- membership -----------------------------------------------------------------------
    def contains_patient(self, box: Box, patient: Mapping[str, Value]) -> bool:
        """Whether the patient lies in the box."""
        return contains(box, self.point_box(patient))


def nice_value(lo: Fraction, lo_open: bool, hi: Fraction, hi_open: bool) -> Fraction:
    """The simplest number in the interval: 0, else the integer closest to 0, else a short fraction."""

    def inside(x: Fraction) -> bool:
        return (lo < x or (not lo_open and lo == x)) and (x < hi or (not hi_open and x == hi))

    if inside(Fraction(0)):
        return Fraction(0)
    if lo >= 0:
        n = Fraction(math.floor(lo) + 1 if lo_open else math.ceil(lo))
    else:
        n = Fraction(math.ceil(hi) - 1 if hi_open else math.floor(hi))
    if inside(n):
        return n
    for den in (2, 4, 5, 10, 20, 100, 1000):
        step = Fraction(1, den)
        if lo >= 0:
            x = Fraction(math.ceil(lo * den), den)
            if not inside(x):
                x += step
        else:
            x = Fraction(math.floor(hi * den), den)
            if not inside(x):
                x -= step
        if inside(x):
            return x
    return (lo + hi) / 2


def collect_constants(c: m.Cond, used: set[str], constants: dict[str, set[Fraction]]) -> None:
    """Add to `used` the variables a condition reads, and to `constants` the numbers each is compared with."""
    _Constants(used, constants).visit(c)


class _Constants(CondWalker):
    """Collects the variables a condition reads and the constants each is compared with."""

    def __init__(self, used: set[str], constants: dict[str, set[Fraction]]) -> None:
        self.used = used
        self.constants = constants

    def visit_const(self, c: m.Const) -> None:
        pass

    def visit_bool_var(self, c: m.BoolVar) -> None:
        self.used.add(c.var)

    def visit_enum_in(self, c: m.EnumIn) -> None:
        self.used.add(c.var)

    def visit_enum_compare(self, c: m.EnumCompare) -> None:
        self.used.update((c.left, c.right))

    def visit_compare(self, c: m.Compare) -> None:
        for t in (c.left, c.right):
            self.used.update(t.vars)
        bound = c.bound()  # one variable: its threshold (`2 * x + 1 > 6`: 5/2); several: none
        if bound is not None:
            self.constants.setdefault(bound.var, set()).add(bound.value)
