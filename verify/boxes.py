"""Boxes: conditions that are conjunctions of per-variable constraints.

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
A box is a tuple with one such item per dimension; `None` is the empty box.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import assert_never

from dsl import model as m
from dsl.cond import CondVisitor, CondWalker
from dsl.model import Value
from dsl.ops import Op

Item = int | tuple[int, int]
Box = tuple[Item, ...]


@dataclass(frozen=True)
class Dim:
    var: str
    kind: str  # enum | bool | int | real
    values: tuple[str, ...] = ()  # enum
    low: Fraction = Fraction(0)
    high: Fraction = Fraction(0)
    points: tuple[Fraction, ...] = ()  # real: sorted constants, domain bounds included

    @property
    def discrete(self) -> bool:
        return self.kind in ("enum", "bool")


class Space:
    """The dimensions (variables) a set of conditions talks about, in model order."""

    def __init__(
        self,
        model: m.Model,
        conds: Sequence[m.Cond],
        extra_vars: Sequence[str] = (),
        extra_points: Mapping[str, Sequence[Fraction]] | None = None,
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
        lo = d.points[a // 2]
        lo_open = a % 2 == 1
        hi = d.points[b // 2] if b % 2 == 0 else d.points[(b + 1) // 2]
        hi_open = b % 2 == 1
        return lo, lo_open, hi, hi_open

    def typical_point(self, box: Box) -> dict[str, Value]:
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


# -- box algebra ----------------------------------------------------------------------------


def intersect(a: Box, b: Box) -> Box | None:
    out: list[Item] = []
    for x, y in zip(a, b, strict=True):
        if isinstance(x, int):
            assert isinstance(y, int)
            z = x & y
            if not z:
                return None
            out.append(z)
        else:
            assert isinstance(y, tuple)
            lo, hi = max(x[0], y[0]), min(x[1], y[1])
            if lo > hi:
                return None
            out.append((lo, hi))
    return tuple(out)


def contains_item(outer: Item, inner: Item) -> bool:
    if isinstance(outer, int):
        return not inner & ~outer  # type: ignore[operator]
    assert isinstance(inner, tuple)
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def intersects(a: Box, b: Box) -> bool:
    for x, y in zip(a, b, strict=True):
        if isinstance(x, int):
            if not x & y:  # type: ignore[operator]
                return False
        elif x[0] > y[1] or y[0] > x[1]:  # type: ignore[index]
            return False
    return True


def contains(outer: Box, inner: Box) -> bool:
    for x, y in zip(outer, inner, strict=True):
        if isinstance(x, int):
            if y & ~x:  # type: ignore[operator]
                return False
        elif y[0] < x[0] or y[1] > x[1]:  # type: ignore[index]
            return False
    return True


def hull(a: Box, b: Box) -> Box:
    out: list[Item] = []
    for x, y in zip(a, b, strict=True):
        if isinstance(x, int):
            assert isinstance(y, int)
            out.append(x | y)
        else:
            assert isinstance(y, tuple)
            out.append((min(x[0], y[0]), max(x[1], y[1])))
    return tuple(out)


def union_exact(a: Box, b: Box) -> Box | None:
    """a ∪ b when it is itself a box, else None."""
    if contains(a, b):
        return a
    if contains(b, a):
        return b
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) != 1:
        return None
    i = diff[0]
    x, y = a[i], b[i]
    if isinstance(x, int):
        assert isinstance(y, int)
        return (*a[:i], x | y, *a[i + 1 :])
    assert isinstance(y, tuple)
    if y[0] > x[1] + 1 or x[0] > y[1] + 1:
        return None
    return (*a[:i], (min(x[0], y[0]), max(x[1], y[1])), *a[i + 1 :])


def with_item(box: Box, i: int, item: Item) -> Box:
    return (*box[:i], item, *box[i + 1 :])


# -- extraction -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Extracted:
    """A condition as a box: exact, or a sound over-approximation (a superset)."""

    box: Box | None  # None: the condition matches nothing (only when exact)
    exact: bool


def extract(space: Space, cond: m.Cond) -> Extracted:
    sparse, exact = _extract(space, cond, False)
    if sparse is None:
        return Extracted(None, exact)
    full = space.full
    return Extracted(tuple(sparse.get(i, full[i]) for i in range(len(full))), exact)


# Extraction works on sparse boxes (dimension -> item; a missing dimension is unconstrained),
# so that a conjunction of k atoms costs O(k), not O(k * dimensions).
Sparse = dict[int, Item]


def _meet(x: Item, y: Item) -> Item | None:
    if isinstance(x, int):
        z = x & y  # type: ignore[operator]
        return z if z else None
    assert isinstance(y, tuple)
    lo, hi = max(x[0], y[0]), min(x[1], y[1])
    return (lo, hi) if lo <= hi else None


def _join(x: Item, y: Item) -> tuple[Item, bool]:
    """The smallest item containing both, and whether it is exactly their union."""
    if isinstance(x, int):
        return x | y, True  # type: ignore[operator]
    assert isinstance(y, tuple)
    exact = not (y[0] > x[1] + 1 or x[0] > y[1] + 1)
    return (min(x[0], y[0]), max(x[1], y[1])), exact


def _within(space: Space, i: int, inner: Item, outer: Item) -> bool:
    if isinstance(outer, int):
        return not inner & ~outer  # type: ignore[operator]
    assert isinstance(inner, tuple)
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _sparse_contains(space: Space, outer: Sparse, inner: Sparse) -> bool:
    return all(_within(space, i, inner.get(i, space.full[i]), x) for i, x in outer.items())


def _sparse_union(space: Space, a: Sparse, b: Sparse) -> tuple[Sparse, bool]:
    """A box containing a ∪ b, and whether it is exactly a ∪ b."""
    if _sparse_contains(space, a, b):
        return a, True
    if _sparse_contains(space, b, a):
        return b, True
    out: Sparse = {}
    differ = 0
    exact = True
    for i in sorted(a.keys() & b.keys()):
        x, y = a[i], b[i]
        if x != y:
            differ += 1
        z, ok = _join(x, y)
        exact = exact and ok
        if z != space.full[i]:
            out[i] = z
    differ += len(a.keys() ^ b.keys())
    return out, exact and differ <= 1


def _atom(space: Space, var: str, items: list[Item]) -> tuple[Sparse | None, bool]:
    """A one-variable constraint given as a union of items."""
    i = space.index[var]
    if not items:
        return None, True
    item = items[0]
    exact = True
    for other in items[1:]:
        item, ok = _join(item, other)
        exact = exact and ok
    if isinstance(item, int) and not item:
        return None, True
    return ({} if item == space.full[i] else {i: item}), exact


def _extract(space: Space, c: m.Cond, neg: bool) -> tuple[Sparse | None, bool]:
    return _Extractor.pair(space)[neg].visit(c)


class _Extractor(CondVisitor[tuple[Sparse | None, bool]]):
    """The box of a condition (`neg`: of its negation); `other` extracts with the opposite sign."""

    def __init__(self, space: Space, neg: bool) -> None:
        self.space = space
        self.neg = neg
        self.other: _Extractor = self

    @staticmethod
    def pair(space: Space) -> tuple[_Extractor, _Extractor]:
        """(positive, negative), each the other's `other`."""
        pos, neg = _Extractor(space, False), _Extractor(space, True)
        pos.other, neg.other = neg, pos
        return pos, neg

    def visit_const(self, c: m.Const) -> tuple[Sparse | None, bool]:
        return ({}, True) if c.value != self.neg else (None, True)

    def visit_not(self, c: m.Not) -> tuple[Sparse | None, bool]:
        return self.other.visit(c.operand)

    def visit_bool_var(self, c: m.BoolVar) -> tuple[Sparse | None, bool]:
        return _atom(self.space, c.var, [0b01 if self.neg else 0b10])

    def visit_enum_in(self, c: m.EnumIn) -> tuple[Sparse | None, bool]:
        space = self.space
        d = space.dims[space.index[c.var]]
        mask = 0
        for v in c.values:
            mask |= 1 << d.values.index(v)
        if self.neg:
            mask = ((1 << len(d.values)) - 1) & ~mask
        return _atom(space, c.var, [mask])

    def visit_compare(self, c: m.Compare) -> tuple[Sparse | None, bool]:
        space, neg = self.space, self.neg
        op, left, right = c.op, c.left, c.right
        if left.var is None and right.var is not None:
            left, right, op = right, left, op.flip()
        if left.var is None or right.var is not None:
            if left.var is None and right.var is None:
                assert left.const is not None and right.const is not None
                truth = op.apply(left.const, right.const)
                return ({}, True) if truth != neg else (None, True)
            return {}, False  # variable against variable: not a box
        if neg:
            op = op.negate()
        assert right.const is not None
        ranges = space.compare_range(space.index[left.var], op, right.const)
        return _atom(space, left.var, list(ranges))

    def visit_enum_compare(self, c: m.EnumCompare) -> tuple[Sparse | None, bool]:
        return {}, False

    def visit_and(self, c: m.And) -> tuple[Sparse | None, bool]:
        return self._junction(c.operands, conj=not self.neg)

    def visit_or(self, c: m.Or) -> tuple[Sparse | None, bool]:
        return self._junction(c.operands, conj=self.neg)

    def _junction(self, operands: tuple[m.Cond, ...], conj: bool) -> tuple[Sparse | None, bool]:
        """The box of the operands' meet (`conj`) or join, each extracted with this sign."""
        parts = [self.visit(o) for o in operands]
        if conj:
            box: Sparse = {}
            exact = True
            for b, e in parts:
                if b is None:
                    return None, True  # an empty conjunct (over-approximations are never empty)
                exact = exact and e
                for i, y in b.items():
                    x = box.get(i)
                    if x is None:
                        box[i] = y
                    else:
                        z = _meet(x, y)
                        if z is None:
                            return None, True  # supersets that do not meet: the real sets do not either
                        box[i] = z
            return box, exact
        acc: Sparse | None = None
        exact = True
        for b, e in parts:
            exact = exact and e
            if b is None:
                continue
            if acc is None:
                acc = b
                continue
            acc, ok = _sparse_union(self.space, acc, b)
            exact = exact and ok
        return acc, exact


def collect_constants(c: m.Cond, used: set[str], constants: dict[str, set[Fraction]]) -> None:
    """Add to `used` the variables a condition reads, and to `constants` the numbers each is compared with."""
    _Constants(used, constants).visit(c)


class _Constants(CondWalker):
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
        for t, other in ((c.left, c.right), (c.right, c.left)):
            if t.var is not None:
                self.used.add(t.var)
                if other.const is not None:
                    self.constants.setdefault(t.var, set()).add(other.const)


# -- bitsets -----------------------------------------------------------------------------------


def bits_of(indices: Sequence[int], n: int) -> int:
    """A bitset (a Python int) with the given bits set."""
    buf = bytearray((n + 7) // 8)
    for i in indices:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def iter_bits(x: int) -> Iterator[int]:
    """Indices of the set bits, ascending."""
    if x.bit_count() > 48:
        s = bin(x)[:1:-1]
        yield from (i for i, ch in enumerate(s) if ch == "1")
        return
    while x:
        low = x & -x
        yield low.bit_length() - 1
        x ^= low


class _OrderedIndex:
    """Rules whose range on one ordered dimension may meet a query range (a superset)."""

    def __init__(self, ranges: list[tuple[int, int] | None], n: int) -> None:
        live = [(r, k) for k, r in enumerate(ranges) if r is not None]
        # at most ~16 MB of prefix bitsets per dimension, and never fewer than 256 checkpoints
        self.checkpoints = max(256, min(2048, (16 << 23) // max(1, 2 * n)))
        self.all = bits_of([k for _, k in live], n)
        # rules with start <= q (prefix over sorted starts, at checkpoints)
        self.starts, self.le, self.starts_exact = self._prefix(sorted((r[0], k) for r, k in live), n)
        # rules with end >= q, i.e. -end <= -q (prefix over ends sorted descending)
        self.ends_neg, self.ge, self.ends_exact = self._prefix(sorted((-r[1], k) for r, k in live), n)

    def _prefix(self, keyed: list[tuple[int, int]], n: int) -> tuple[list[int], list[int], bool]:
        """Checkpoints c_0 < c_1 < ... and prefix[k] = the rules with key <= c_k.

        With few distinct keys every key is a checkpoint (exact); otherwise a sample of
        them is, and queries round up to the next checkpoint (a superset)."""
        if not keyed:
            return [], [], True
        distinct = sorted({k for k, _ in keyed})
        exact = len(distinct) <= self.checkpoints
        if exact:
            chosen = distinct
        else:
            step = len(distinct) / self.checkpoints
            last = len(distinct) - 1
            chosen = sorted({distinct[min(last, int((j + 1) * step) - 1)] for j in range(self.checkpoints)})
            if chosen[-1] != distinct[-1]:
                chosen.append(distinct[-1])
        buckets: list[list[int]] = [[] for _ in chosen]
        for key, rule in keyed:
            buckets[bisect.bisect_left(chosen, key)].append(rule)
        prefix: list[int] = []
        acc = 0
        for b in buckets:
            acc |= bits_of(b, n)
            prefix.append(acc)
        return chosen, prefix, exact

    @staticmethod
    def _upto(keys: list[int], prefix: list[int], exact: bool, q: int, everything: int) -> int:
        """The rules with key <= q (exactly, or a superset)."""
        if exact:
            k = bisect.bisect_right(keys, q) - 1
            return prefix[k] if k >= 0 else 0
        k = bisect.bisect_left(keys, q)
        return prefix[k] if k < len(keys) else everything

    def query(self, a: int, b: int) -> int:
        """The rules whose range may meet [a, b]: start <= b and end >= a."""
        if not self.starts:
            return 0
        out = self._upto(self.starts, self.le, self.starts_exact, b, self.all)
        return out & self._upto(self.ends_neg, self.ge, self.ends_exact, -a, self.all)


class BoxIndex:
    """Per-dimension bitset indexes over a list of boxes (None entries never match)."""

    def __init__(self, space: Space, boxes: Sequence[Box | None]) -> None:
        self.space = space
        self.boxes = list(boxes)
        n = len(self.boxes)
        self.n = n
        self.all = bits_of([k for k, b in enumerate(self.boxes) if b is not None], n)
        self.discrete: dict[int, list[int]] = {}
        self.ordered: dict[int, _OrderedIndex] = {}
        for i, d in enumerate(space.dims):
            if d.discrete:
                width = len(d.values) if d.kind == "enum" else 2
                members: list[list[int]] = [[] for _ in range(width)]
                for k, b in enumerate(self.boxes):
                    if b is None:
                        continue
                    item = b[i]
                    assert isinstance(item, int)
                    for v in range(width):
                        if item >> v & 1:
                            members[v].append(k)
                self.discrete[i] = [bits_of(ms, n) for ms in members]
            else:
                ranges: list[tuple[int, int] | None] = []
                for b in self.boxes:
                    if b is None:
                        ranges.append(None)
                    else:
                        item = b[i]
                        assert isinstance(item, tuple)
                        ranges.append(item)
                self.ordered[i] = _OrderedIndex(ranges, n)

    def dim_query(self, i: int, item: Item) -> int | None:
        """Boxes that may meet `item` on dimension i; None when every box does."""
        if item == self.space.full[i]:
            return None
        if isinstance(item, int):
            bitsets = self.discrete[i]
            out = 0
            for v, bs in enumerate(bitsets):
                if item >> v & 1:
                    out |= bs
            return out
        return self.ordered[i].query(item[0], item[1])

    def candidates(self, box: Box, skip: int = -1, stop_at: int = 0) -> int:
        """A superset (bitset) of the boxes meeting `box` (ignoring dimension `skip`).

        Stops early once the set is within `stop_at` (e.g. only the box itself)."""
        out = self.all
        for i, item in enumerate(box):
            if i == skip:
                continue
            q = self.dim_query(i, item)
            if q is None:
                continue
            out &= q
            if (out & ~stop_at) == 0:
                break
        return out

    def meeting(self, box: Box, skip: int = -1) -> list[int]:
        """The boxes that really meet `box` (ignoring dimension `skip`), ascending."""
        out = []
        for k in iter_bits(self.candidates(box, skip)):
            b = self.boxes[k]
            assert b is not None
            if skip < 0:
                if intersects(b, box):
                    out.append(k)
            elif intersects(with_item(b, skip, box[skip]), box):
                out.append(k)
        return out


# -- the uncovered part of a box ----------------------------------------------------------------


class BudgetExceeded(Exception):
    """The box search grew too large; the caller falls back to Z3."""


class Uncovered:
    """Enumerate disjoint boxes of `within` that no cover box meets (a k-d style split).

    Covers may be added while iterating (e.g. regions already reported); pieces met
    by them afterwards are trimmed accordingly.
    """

    def __init__(self, space: Space, covers: Sequence[Box], within: Box, budget: int = 2_000_000) -> None:
        self.space = space
        self.covers: list[Box] = list(covers)
        self.within = within
        self.budget = budget
        self.work = 0

    def add_cover(self, box: Box) -> None:
        self.covers.append(box)

    def __iter__(self) -> Iterator[Box]:
        start = [k for k, c in enumerate(self.covers) if intersects(c, self.within)]
        stack: list[tuple[Box, list[int], int]] = [(self.within, start, len(self.covers))]
        ndims = len(self.space.dims)
        while stack:
            box, cands, seen = stack.pop()
            if seen < len(self.covers):
                cands = cands + [k for k in range(seen, len(self.covers)) if intersects(self.covers[k], box)]
            self.work += len(cands) * max(1, ndims) + 1
            if self.work > self.budget:
                raise BudgetExceeded
            if not cands:
                yield box
                continue
            # one pass: covered? and where do the covers cut this box?
            cuts: list[list[int] | None] = [None] * ndims
            counts = [0] * ndims
            covered = False
            for k in cands:
                c = self.covers[k]
                inside = True
                for i in range(ndims):
                    x, y = c[i], box[i]
                    if isinstance(x, int):
                        assert isinstance(y, int)
                        if y & ~x:
                            inside = False
                            counts[i] += 1
                    else:
                        assert isinstance(y, tuple)
                        if x[0] > y[0] or x[1] < y[1]:
                            inside = False
                            counts[i] += 1
                            lst = cuts[i]
                            if lst is None:
                                lst = cuts[i] = []
                            if x[0] > y[0]:
                                lst.append(x[0])  # split before x[0]
                            if x[1] < y[1]:
                                lst.append(x[1] + 1)  # split before x[1] + 1
                if inside:
                    covered = True
                    break
            if covered:
                continue
            # prefer a split that no cover straddles (tables built by nested splits have one,
            # and following it keeps the work near n log n); else cut where most covers cut
            order = sorted((i for i in range(ndims) if counts[i]), key=lambda i: (-counts[i], i))
            clean = self._clean_split(box, cands, order)
            if clean is not None:
                best, children = clean
            else:
                best = order[0]
                children = self._split(box, best, cuts[best])
            pieces: list[tuple[Box, list[int], int]] = []
            for child in children:
                item = child[best]
                if isinstance(item, int):
                    sub = [k for k in cands if self.covers[k][best] & item]  # type: ignore[operator]
                else:
                    sub = [
                        k
                        for k in cands
                        if not (self.covers[k][best][0] > item[1] or item[0] > self.covers[k][best][1])  # type: ignore[index]
                    ]
                pieces.append((child, sub, len(self.covers)))
            stack.extend(reversed(pieces))

    def _clean_split(self, box: Box, cands: list[int], order: list[int]) -> tuple[int, list[Box]] | None:
        """A split of `box` along one dimension that no cover in `cands` straddles."""
        covers = self.covers
        for i in order:
            item = box[i]
            if isinstance(item, int):
                # values linked by some cover's mask must stay together: connected components
                groups: list[int] = []
                for k in cands:
                    mask = covers[k][i] & item  # type: ignore[operator]
                    merged = mask
                    rest = []
                    for g in groups:
                        if g & merged:
                            merged |= g
                        else:
                            rest.append(g)
                    rest.append(merged)
                    groups = rest
                    if len(groups) == 1 and groups[0] == item:
                        break
                else:
                    covered = 0
                    for g in groups:
                        covered |= g
                    free = item & ~covered
                    parts = sorted(groups, key=lambda g: g & -g)
                    parts.extend(1 << v for v in range(free.bit_length()) if free >> v & 1)
                    if len(parts) >= 2:
                        parts.sort(key=lambda g: g & -g)
                        return i, [with_item(box, i, g) for g in parts]
                continue
            lo_box, hi_box = item
            spans = sorted(
                (max(covers[k][i][0], lo_box), min(covers[k][i][1], hi_box))  # type: ignore[index]
                for k in cands
            )
            reach = spans[0][1]
            best: int | None = None
            target = len(spans) / 2
            best_score = float("inf")
            for n_left, (a, b) in enumerate(spans[1:], start=1):
                if a > reach:  # nothing before index n_left reaches a: cut before a
                    score = abs(n_left - target)
                    if score < best_score:
                        best, best_score = a, score
                reach = max(reach, b)
            # a cut where covers leave a hole at the edge also separates cleanly
            if best is None and spans[0][0] > lo_box:
                best = spans[0][0]
            if best is None and reach < hi_box:
                best = reach + 1
            if best is not None:
                return i, [with_item(box, i, (lo_box, best - 1)), with_item(box, i, (best, hi_box))]
        return None

    def _split(self, box: Box, i: int, cuts: list[int] | None) -> list[Box]:
        item = box[i]
        if isinstance(item, int):
            return [with_item(box, i, 1 << v) for v in range(item.bit_length()) if item >> v & 1]
        assert cuts
        distinct = sorted(set(cuts))
        t = distinct[len(distinct) // 2]
        return [with_item(box, i, (item[0], t - 1)), with_item(box, i, (t, item[1]))]


def widen(space: Space, box: Box, index: BoxIndex, extra: Sequence[Box] = ()) -> Box:
    """Grow an uncovered box, one dimension at a time, as far as no cover meets it."""
    for i in range(len(space.dims)):
        blockers = [index.boxes[k] for k in index.meeting(box, skip=i)]
        blockers.extend(e for e in extra if intersects(with_item(e, i, box[i]), box))
        item = box[i]
        full = space.full[i]
        if isinstance(item, int):
            assert isinstance(full, int)
            taken = 0
            for b in blockers:
                assert b is not None
                taken |= b[i]  # type: ignore[operator]
            box = with_item(box, i, full & ~taken | item)
        else:
            assert isinstance(full, tuple)
            a, z = full
            for b in blockers:
                assert b is not None
                r = b[i]
                assert isinstance(r, tuple)
                if r[1] < item[0]:
                    a = max(a, r[1] + 1)
                elif r[0] > item[1]:
                    z = min(z, r[0] - 1)
            box = with_item(box, i, (a, z))
    return box
