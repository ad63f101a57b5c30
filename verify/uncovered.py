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

from verify.box import Box, Item, Mask, Range, intersects, with_item
from verify.boxindex import BoxIndex
from verify.budgets import SPLIT_WORK
from verify.space import Space


class BudgetExceeded(Exception):
    """The box search grew too large; the caller falls back to Z3."""


class Uncovered:
    """Enumerate disjoint boxes of `within` that no cover box meets (a k-d style split).

    Covers may be added while iterating (e.g. regions already reported); pieces met
    by them afterwards are trimmed accordingly. The covers are kept by dimension (a column
    of masks, or of low and high ends), so that each step of the split is a few list
    comprehensions over the candidate covers rather than a loop over covers and dimensions.
    """

    def __init__(self, space: Space, covers: Sequence[Box], within: Box, budget: int = SPLIT_WORK) -> None:
        self.space = space
        self.covers: list[Box] = list(covers)
        self.within = within
        self.budget = budget
        self.work = 0
        # per dimension: the covers' masks (discrete), or their low and high ends (ordered)
        self._masks: list[list[int]] = [[] for _ in space.dims]
        self._lo: list[list[int]] = [[] for _ in space.dims]
        self._hi: list[list[int]] = [[] for _ in space.dims]
        for i, full in enumerate(space.full):
            # (one `cast` per column, not per cover: this runs over every rule of a table)
            if isinstance(full, int):
                self._masks[i] = cast(list[Mask], [c[i] for c in self.covers])
            else:
                column = cast(list[Range], [c[i] for c in self.covers])
                self._lo[i] = [r[0] for r in column]
                self._hi[i] = [r[1] for r in column]

    def add_cover(self, box: Box) -> None:
        """Exclude `box` from the pieces still to come (e.g. a region already reported)."""
        self.covers.append(box)
        for i, item in enumerate(box):
            if isinstance(item, int):
                self._masks[i].append(item)
            else:
                self._lo[i].append(item[0])
                self._hi[i].append(item[1])

    def __iter__(self) -> Iterator[Box]:
        # the covers meeting `within`: a cover (never empty) meets it on each dimension where it
        # is the whole domain, so only the others are tested, one dimension at a time
        start = list(range(len(self.covers)))
        for i, full in enumerate(self.space.full):
            item = self.within[i]
            if item != full:
                start = self._meeting(i, item, start)
        stack: list[tuple[Box, list[int], int]] = [(self.within, start, len(self.covers))]
        ndims = len(self.space.dims)
        dims = range(ndims)
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
            # covered (some cover contains the box in every dimension)? and how many covers cut
            # the box in each dimension (those not containing it there)
            counts, cutting = self._cutting(box, cands)
            if len(cutting) < len(cands):
                continue  # a cover outside `cutting` contains the box
            # prefer a split that no cover straddles (tables built by nested splits have one,
            # and following it keeps the work near n log n); else cut where most covers cut
            order = sorted((i for i in dims if counts[i]), key=lambda i: (-counts[i], i))
            clean = self._clean_split(box, cands, order)
            if clean is not None:
                best, children = clean
            else:
                best = order[0]
                children = self._split(box, best, cands)
            pieces = [(child, sub, len(self.covers)) for child, sub in self._distribute(children, best, cands)]
            stack.extend(reversed(pieces))

    def _cutting(self, box: Box, cands: list[int]) -> tuple[list[int], set[int]]:
        """Per dimension, how many of the covers `cands` do not contain the box there; and those covers."""
        counts = [0] * len(self.space.dims)
        cutting: set[int] = set()
        for i, y in enumerate(box):
            if isinstance(y, int):
                col = self._masks[i]
                out = [k for k in cands if y & ~col[k]]
            else:
                y0, y1 = y
                lo, hi = self._lo[i], self._hi[i]
                out = [k for k in cands if lo[k] > y0 or hi[k] < y1]
            if out:
                counts[i] = len(out)
                cutting.update(out)
        return counts, cutting

    def _distribute(self, children: list[Box], best: int, cands: list[int]) -> list[tuple[Box, list[int]]]:
        """Each child box of a split along dimension `best` with the covers of `cands` meeting it."""
        return [(child, self._meeting(best, child[best], cands)) for child in children]

    def _meeting(self, i: int, item: Item, cands: list[int]) -> list[int]:
        """The covers of `cands` that meet `item` on dimension i."""
        if isinstance(item, int):
            col = self._masks[i]
            return [k for k in cands if col[k] & item]
        a, b = item
        lo, hi = self._lo[i], self._hi[i]
        return [k for k in cands if not (lo[k] > b or a > hi[k])]

    def divide(self, box: Box, cands: list[int]) -> list[tuple[Box, list[int]]] | None:
        """Split `box` in parts, each with the covers of `cands` meeting it, as the search does: along
        a cut no cover straddles if there is one, else at the median cut of the dimension most covers
        cut. None when no dimension cuts, or when the parts would hold too many covers (more than
        half of them on both sides of the cut)."""
        counts, _ = self._cutting(box, cands)
        order = sorted((i for i in range(len(counts)) if counts[i]), key=lambda i: (-counts[i], i))
        if not order:
            return None
        clean = self._clean_split(box, cands, order)
        if clean is not None:
            return self._distribute(clean[1], clean[0], cands)
        parts = self._distribute(self._split(box, order[0], cands), order[0], cands)
        sizes = [len(sub) for _, sub in parts]
        if max(sizes) >= len(cands) or 2 * sum(sizes) > 3 * len(cands):
            return None
        return parts

    def _clean_split(self, box: Box, cands: list[int], order: list[int]) -> tuple[int, list[Box]] | None:
        """A split of `box` along one dimension that no cover in `cands` straddles."""
        for i in order:
            item = box[i]
            if isinstance(item, int):
                # values linked by some cover's mask must stay together: connected components
                col = self._masks[i]
                groups: list[int] = []
                for k in cands:
                    mask = col[k] & item
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
            lo, hi = self._lo[i], self._hi[i]
            spans = sorted((lo[k] if lo[k] > lo_box else lo_box, hi[k] if hi[k] < hi_box else hi_box) for k in cands)
            reach = spans[0][1]
            best: int | None = None
            target = len(spans) / 2
            best_score = float("inf")
            for n_left, (a, b) in enumerate(spans[1:], start=1):
                if a > reach:  # nothing before index n_left reaches a: cut before a
                    score = abs(n_left - target)
                    if score < best_score:
                        best, best_score = a, score
                if b > reach:
                    reach = b
            # a cut where covers leave a hole at the edge also separates cleanly
            if best is None and spans[0][0] > lo_box:
                best = spans[0][0]
            if best is None and reach < hi_box:
                best = reach + 1
            if best is not None:
                return i, [with_item(box, i, (lo_box, best - 1)), with_item(box, i, (best, hi_box))]
        return None

    def _split(self, box: Box, i: int, cands: list[int]) -> list[Box]:
        """Split `box` on dimension i: masks into single values, ranges at the median of the
        covers' cuts (the ends of those that do not contain the box there)."""
        item = box[i]
        if isinstance(item, int):
            return [with_item(box, i, 1 << v) for v in range(item.bit_length()) if item >> v & 1]
        y0, y1 = item
        lo, hi = self._lo[i], self._hi[i]
        cuts = {lo[k] for k in cands if lo[k] > y0}  # split before the cover's low end
        cuts.update(hi[k] + 1 for k in cands if hi[k] < y1)  # and after its high end
        assert cuts
        distinct = sorted(cuts)
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
