"""Which boxes of a list meet: every overlapping pair, for the overlap checks of a table.

Asking the bitset index (`verify.boxindex`) which boxes meet each box costs, per box, a few
operations on integers of one bit per box: quadratic on large tables. Here the space is split
as the gap search splits it (`Uncovered.divide`: along cuts no box straddles where there are
such cuts, as in tables built by nested splits), so that each part holds few boxes, and the
boxes of a part are compared with bitsets over the part alone. A pair is reported by the one
part whose region holds the lowest corner of the pair's intersection, so exactly once.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import cast

from verify.bitset import iter_bits
from verify.box import Box, Item, Mask, Range, intersects
from verify.boxindex import BoxIndex
from verify.budgets import OVERLAP_GROUP
from verify.space import Space
from verify.uncovered import Uncovered


def overlapping_pairs(space: Space, boxes: Sequence[Box | None], ids: Sequence[int]) -> dict[int, list[int]]:
    """Every pair of the boxes `ids` (ascending) that meet, as {i: the j > i whose box meets box i,
    ascending}."""
    live = [k for k in ids if boxes[k] is not None]
    members = [cast(Box, boxes[k]) for k in live]
    parts = Uncovered(space, members, space.full)  # its columns of the boxes, and its splits
    found: dict[int, list[int]] = {}
    stack: list[tuple[Box, list[int]]] = [(space.full, list(range(len(members))))]
    while stack:
        region, group = stack.pop()
        if len(group) < 2:
            continue
        if len(group) > OVERLAP_GROUP:
            split = parts.divide(region, group)
            if split is not None:
                stack.extend(split)
            else:
                _pairs_by_index(space, region, group, members, found)  # no cut separates them
            continue
        _pairs_in(space, region, group, members, found)
    return {live[a]: [live[b] for b in sorted(bs)] for a, bs in sorted(found.items())}


def _pairs_by_index(
    space: Space, region: Box, group: list[int], boxes: Sequence[Box], out: dict[int, list[int]]
) -> None:
    """`_pairs_in` for a large group: each box's candidates from a bitset index of the group (memory
    bounded by the index's budget)."""
    members = [boxes[k] for k in group]
    index = BoxIndex(space, members)
    anywhere = region == space.full
    for a, box in enumerate(members):
        for off in iter_bits(index.candidates(box, stop_at=1 << a) >> (a + 1)):
            other = members[a + 1 + off]
            if intersects(box, other) and (anywhere or _corner_in(box, other, region)):
                out.setdefault(group[a], []).append(group[a + 1 + off])


def _pairs_in(space: Space, region: Box, group: list[int], boxes: Sequence[Box], out: dict[int, list[int]]) -> None:
    """Add the pairs of `group` (ascending) that meet with the lowest corner of their intersection in
    `region`, with bitsets over the group alone (small integers): per dimension, each member's set
    of members meeting it there; a member's partners are the intersection over the dimensions,
    taken until few candidates are left, which are then tested box against box."""
    members = [boxes[k] for k in group]
    m = len(members)
    # the number dimensions first (ranges tell boxes apart most), none where the region is one value
    order = [i for i, item in enumerate(region) if not isinstance(item, int) and item[0] < item[1]]
    order.extend(i for i, item in enumerate(region) if isinstance(item, int) and item & (item - 1))
    partners: list[int] | None = None  # partners[a]: the members meeting member a on the dimensions so far
    exact = True
    for step, i in enumerate(order):
        col = [box[i] for box in members]
        meets: list[int]
        if isinstance(region[i], int):
            # the members holding each value set, then each value's, then those meeting each set
            holding: dict[Item, int] = {}
            for a, mask in enumerate(col):
                holding[mask] = holding.get(mask, 0) | 1 << a
            width = cast(Mask, region[i]).bit_length()
            by_value = [0] * width
            for mask, bits in holding.items():
                for v in range(width):
                    if cast(Mask, mask) >> v & 1:
                        by_value[v] |= bits
            meeting: dict[Item, int] = {}
            for mask in holding:
                acc = 0
                for v, bits in enumerate(by_value):
                    if cast(Mask, mask) >> v & 1:
                        acc |= bits
                meeting[mask] = acc
            meets = [meeting[mask] for mask in col]
        else:
            ranges = cast(list[Range], col)
            # members by low end: those starting at or before x are a prefix (likewise by high end)
            by_lo = sorted(range(m), key=lambda a: ranges[a][0])
            lo_keys = [ranges[a][0] for a in by_lo]
            started = [0]
            for a in by_lo:
                started.append(started[-1] | 1 << a)
            by_hi = sorted(range(m), key=lambda a: -ranges[a][1])
            hi_keys = [-ranges[a][1] for a in by_hi]
            unfinished = [0]
            for a in by_hi:
                unfinished.append(unfinished[-1] | 1 << a)
            meets = [
                started[bisect.bisect_right(lo_keys, r[1])] & unfinished[bisect.bisect_right(hi_keys, -r[0])]
                for r in ranges
            ]
        partners = meets if partners is None else [p & q for p, q in zip(partners, meets, strict=True)]
        if step + 1 < len(order) and sum(p.bit_count() for p in partners) <= 2 * m:
            exact = False  # about one candidate per member besides itself: test those boxes directly
            break
    anywhere = region == space.full
    for a in range(m):
        later = (partners[a] if partners is not None else (1 << m) - 1) >> (a + 1)
        if not later:
            continue
        box = members[a]
        found = [
            group[a + 1 + off]
            for off in iter_bits(later)
            if (exact or intersects(box, members[a + 1 + off]))
            and (anywhere or _corner_in(box, members[a + 1 + off], region))
        ]
        if found:
            out.setdefault(group[a], []).extend(found)


def _corner_in(a: Box, b: Box, region: Box) -> bool:
    """Whether the lowest corner of the intersection of two meeting boxes lies in `region`."""
    for x, y, r in zip(a, b, region, strict=True):
        if isinstance(x, int):
            common = x & cast(Mask, y)
            if not common & -common & cast(Mask, r):
                return False
        else:
            y_range, r_range = cast(Range, y), cast(Range, r)
            corner = x[0] if x[0] > y_range[0] else y_range[0]
            if not r_range[0] <= corner <= r_range[1]:
                return False
    return True
