"""Box algebra: meet, containment, overlap and union of boxes over one `Space`.

A box has one item per dimension of its space: a `Mask` for an enum or bool dimension (bit
v set: value v allowed), a `Range` for an ordered one (a closed range of positions; see
`verify.space`). `None` stands for the empty box where a function can return it.

Invariant used throughout: two boxes of one space have items of the same kind at every
position, so once one item is known to be a `Mask` (or a `Range`) the other is too. The hot
loops below state it with `cast` (a plain call that checks nothing) rather than checking the
second item again.
"""

from __future__ import annotations

from typing import cast

Mask = int
"""An enum or bool dimension: a bit mask over the values (bool: bit 0 false, bit 1 true)."""
Range = tuple[int, int]
"""An ordered dimension: a closed range (a, b) of integers or of positions on the number line."""
Item = Mask | Range
Box = tuple[Item, ...]


def intersect(a: Box, b: Box) -> Box | None:
    """The box of the patients in both, or None when they share none."""
    out: list[Item] = []
    for x, y in zip(a, b, strict=True):
        if isinstance(x, int):
            z = x & cast(Mask, y)
            if not z:
                return None
            out.append(z)
        else:
            y_range = cast(Range, y)
            lo, hi = max(x[0], y_range[0]), min(x[1], y_range[1])
            if lo > hi:
                return None
            out.append((lo, hi))
    return tuple(out)


def contains_item(outer: Item, inner: Item) -> bool:
    """Whether one dimension's item lies within another of the same dimension."""
    if isinstance(outer, int):
        return not cast(Mask, inner) & ~outer
    inner_range = cast(Range, inner)
    return outer[0] <= inner_range[0] and inner_range[1] <= outer[1]


def intersects(a: Box, b: Box) -> bool:
    """Whether the two boxes share a patient (cheaper than `intersect`: builds nothing)."""
    for x, y in zip(a, b, strict=True):
        if isinstance(x, int):
            if not x & cast(Mask, y):
                return False
        else:
            y_range = cast(Range, y)
            if x[0] > y_range[1] or y_range[0] > x[1]:
                return False
    return True


def contains(outer: Box, inner: Box) -> bool:
    """Whether every patient of `inner` is in `outer`."""
    for x, y in zip(outer, inner, strict=True):
        if isinstance(x, int):
            if cast(Mask, y) & ~x:
                return False
        else:
            y_range = cast(Range, y)
            if y_range[0] < x[0] or y_range[1] > x[1]:
                return False
    return True


def with_item(box: Box, i: int, item: Item) -> Box:
    """The box with dimension i replaced by `item`."""
    return (*box[:i], item, *box[i + 1 :])
