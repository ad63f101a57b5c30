"""Which boxes may meet a query box: per-dimension bitset indexes over a list of boxes.

Finding the rules that overlap a rule, or that match a patient, by scanning every rule is
quadratic on large tables. Each dimension instead answers "which boxes may meet this item"
as a bitset (exactly for masks, as a superset for ranges), and the answers are intersected.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from verify.bitset import bits_of, iter_bits
from verify.box import Box, Item, intersects, with_item
from verify.budgets import MAX_CHECKPOINTS, MIN_CHECKPOINTS, PREFIX_BITS_PER_DIM
from verify.space import Space


class _OrderedIndex:
    """Rules whose range on one ordered dimension may meet a query range (a superset)."""

    def __init__(self, ranges: list[tuple[int, int] | None], n: int) -> None:
        live = [(r, k) for k, r in enumerate(ranges) if r is not None]
        self.checkpoints = max(MIN_CHECKPOINTS, min(MAX_CHECKPOINTS, PREFIX_BITS_PER_DIM // max(1, 2 * n)))
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
