"""The uncovered part of a box: the patients in it that no cover box contains.

Gaps (patients no rule matches) and masked rules (patients of a rule that no pre-empting
rule matches) are both "a box minus a union of boxes". `Uncovered` enumerates that
difference as disjoint boxes by a k-d style split, within a work budget (`verify.budgets`)
past which it raises `BudgetExceeded` and the caller asks Z3; `widen` grows a piece to a
maximal uncovered box, the region a diagnostic reports.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import cast

from verify.box import Box, Mask, Range, intersects, with_item
from verify.boxindex import BoxIndex
from verify.budgets import SPLIT_WORK
from verify.space import Space


class BudgetExceeded(Exception):
    """The box search grew too large; the caller falls back to Z3."""


class Uncovered:
    """Enumerate disjoint boxes of `within` that no cover box meets (a k-d style split).

    Covers may be added while iterating (e.g. regions already reported); pieces met
    by them afterwards are trimmed accordingly.
    """

    def __init__(self, space: Space, covers: Sequence[Box], within: Box, budget: int = SPLIT_WORK) -> None:
        self.space = space
        self.covers: list[Box] = list(covers)
        self.within = within
        self.budget = budget
        self.work = 0

    def add_cover(self, box: Box) -> None:
        """Exclude `box` from the pieces still to come (e.g. a region already reported)."""
        self.covers.append(box)

    def __iter__(self) -> Iterator[Box]:
        start = [k for k, c in enumerate(self.covers) if intersects(c, self.within)]
        stack: list[tuple[Box, list[int], int]] = [(self.within, start, len(self.covers))]
        ndims = len(self.space.dims)
        discrete = [d.discrete for d in self.space.dims]
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
                    if discrete[i]:  # masks in both (covers and box share the space)
                        if cast(Mask, y) & ~cast(Mask, x):
                            inside = False
                            counts[i] += 1
                    else:
                        x, y = cast(Range, x), cast(Range, y)
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
                    # covers and child share the space: dimension `best` holds masks in both
                    sub = [k for k in cands if cast(Mask, self.covers[k][best]) & item]
                else:
                    sub = []
                    for k in cands:
                        r = cast(Range, self.covers[k][best])  # ranges, as in the child
                        if not (r[0] > item[1] or item[0] > r[1]):
                            sub.append(k)
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
                    mask = cast(Mask, covers[k][i]) & item  # same dimension: a mask too
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
                (max(r[0], lo_box), min(r[1], hi_box))
                for r in (cast(Range, covers[k][i]) for k in cands)  # same dimension: ranges too
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
        """Split `box` on dimension i: masks into single values, ranges at the median cut."""
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
                taken |= cast(Mask, b[i])  # same dimension as `item`: a mask
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
