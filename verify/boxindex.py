"""Which boxes may meet a query box: per-dimension bitset indexes over a list of boxes.

Finding the rules that overlap a rule, or that match a patient, by scanning every rule is
quadratic on large tables. Each dimension instead answers "which boxes may meet this item"
as a bitset (exactly for masks, as a superset for ranges), and the answers are intersected.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from typing import cast

from dsl import model as m
from dsl.cond import compares, reads
from dsl.model import Value
from verify.bitset import bits_of, iter_bits
from verify.box import Box, Item, Mask, intersects, with_item
from verify.budgets import (
    MASK_QUERIES,
    MAX_CHECKPOINTS,
    MIN_CHECKPOINTS,
    POINT_ITEMS,
    PREFIX_BITS_PER_DIM,
)
from verify.evaluate import evaluate
from verify.extract import AtomBoxes, AtomTable, extract
from verify.space import Space, collect_constants


class _OrderedIndex:
    """Rules whose range on one ordered dimension may meet a query range (a superset)."""

    def __init__(self, ranges: list[tuple[int, int] | None], n: int) -> None:
        rules = [k for k, r in enumerate(ranges) if r is not None]
        self.checkpoints = max(MIN_CHECKPOINTS, min(MAX_CHECKPOINTS, PREFIX_BITS_PER_DIM // max(1, 2 * n)))
        self.all = bits_of(rules, n)
        live = cast(list[tuple[int, int]], [ranges[k] for k in rules])
        # rules with start <= q (prefix over sorted starts, at checkpoints)
        self.starts, self.le, self.starts_exact = self._prefix([r[0] for r in live], rules, n)
        # rules with end >= q, i.e. -end <= -q (prefix over ends sorted descending)
        self.ends_neg, self.ge, self.ends_exact = self._prefix([-r[1] for r in live], rules, n)

    def _prefix(self, keys: list[int], rules: list[int], n: int) -> tuple[list[int], list[int], bool]:
        """Checkpoints c_0 < c_1 < ... and prefix[k] = the rules with key <= c_k (rule `rules[x]`
        has key `keys[x]`).

        With few distinct keys every key is a checkpoint (exact); otherwise a sample of
        them is, and queries round up to the next checkpoint (a superset)."""
        if not keys:
            return [], [], True
        distinct = sorted(set(keys))
        exact = len(distinct) <= self.checkpoints
        if exact:
            chosen = distinct
        else:
            step = len(distinct) / self.checkpoints
            last = len(distinct) - 1
            chosen = sorted({distinct[min(last, int((j + 1) * step) - 1)] for j in range(self.checkpoints)})
            if chosen[-1] != distinct[-1]:
                chosen.append(distinct[-1])
        # the rules by key, set one by one in a buffer, which is read out at each checkpoint
        order = sorted(range(len(keys)), key=keys.__getitem__)
        buf = bytearray((n + 7) // 8)
        prefix: list[int] = []
        at = 0
        for c in chosen:
            while at < len(order) and keys[order[at]] <= c:
                rule = rules[order[at]]
                buf[rule >> 3] |= 1 << (rule & 7)
                at += 1
            prefix.append(int.from_bytes(buf, "little"))
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
        self._masks: dict[int, dict[int, int]] = {}  # per discrete dimension: mask -> `dim_query`
        self.ordered: dict[int, _OrderedIndex] = {}
        for i, d in enumerate(space.dims):
            if d.discrete:
                width = len(d.values) if d.kind == "enum" else 2
                # the boxes of each value set (tables repeat a few), then each value's as their union
                by_mask: dict[Item, list[int]] = {}  # (a mask on a discrete dimension; cast once per mask below)
                for k, b in enumerate(self.boxes):
                    if b is not None:
                        by_mask.setdefault(b[i], []).append(k)
                members = [0] * width
                for item, ks in by_mask.items():
                    mask = cast(Mask, item)
                    bs = bits_of(ks, n)
                    for v in range(width):
                        if mask >> v & 1:
                            members[v] |= bs
                self.discrete[i] = members
                self._masks[i] = {}
            else:
                # (a range on an ordered dimension; one `cast` per column, not per box)
                ranges = cast(list[tuple[int, int] | None], [None if b is None else b[i] for b in self.boxes])
                self.ordered[i] = _OrderedIndex(ranges, n)

    def dim_query(self, i: int, item: Item) -> int | None:
        """Boxes that may meet `item` on dimension i; None when every box does."""
        if item == self.space.full[i]:
            return None
        if isinstance(item, int):
            cache = self._masks[i]
            hit = cache.get(item)
            if hit is None:
                hit = 0
                for v, bs in enumerate(self.discrete[i]):
                    if item >> v & 1:
                        hit |= bs
                if len(cache) < MASK_QUERIES:
                    cache[item] = hit
            return hit
        return self.ordered[i].query(item[0], item[1])

    def candidates(self, box: Box, skip: int = -1, stop_at: int = 0) -> int:
        """A superset (bitset) of the boxes meeting `box` (ignoring dimension `skip`).

        Stops early once the set is within `stop_at` (e.g. only the box itself)."""
        out = self.all
        most = stop_at.bit_count()
        for i, item in enumerate(box):
            if i == skip:
                continue
            q = self.dim_query(i, item)
            if q is None:
                continue
            out &= q
            # within `stop_at`? (counting the bits first builds no integer)
            if out.bit_count() <= most and not out & ~stop_at:
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


class RuleBoxes:
    """A decision's main rules (all but `otherwise`) as boxes over their space, indexed: what the
    table checks work on, and how a patient's matching rules are found without evaluating every
    condition. Built once per decision object (`rule_boxes`) and shared by the decision checker
    and by the replay of patients through the graph (`verify.reach.Firing`)."""

    def __init__(self, model: m.Model, decision: m.Decision) -> None:
        rules = decision.rules
        self.decision = decision
        self.otherwise = rules[-1] if rules and rules[-1].is_otherwise else None
        self.main = [r for r in rules if not r.is_otherwise]
        # most rules are conjunctions of one-variable atoms: one walk each gives what the space
        # needs (variables, constants) and the atoms its box is made of; `extract` does the rest
        table = AtomTable()
        conjunctions = [table.conjunction(r.cond) for r in self.main]
        used = table.reads
        constants = table.constants
        for r, conj in zip(self.main, conjunctions, strict=True):
            if conj is None:
                collect_constants(r.cond, used, constants)
        self.space = Space(model, (), extra_vars=sorted(used), extra_points=constants)
        atom_boxes = AtomBoxes(self.space, table.atoms)
        del table
        self.boxes: list[Box | None] = []
        self.exact: list[bool] = []
        for r, conj in zip(self.main, conjunctions, strict=True):
            if conj is None:
                e = extract(self.space, r.cond)
                self.boxes.append(e.box)
                self.exact.append(e.exact)
            else:
                self.boxes.append(atom_boxes.box(conj))
                self.exact.append(True)
        self.index = BoxIndex(self.space, self.boxes)
        # comparisons over several numbers (`x < y`, `size_cm > 2 * depth_cm`) as `sum(coef * var) op k`,
        # each once, in rule order (a conjunction of atoms has none)
        self.linear: list[tuple[tuple[tuple[str, Fraction], ...], Fraction]] = []
        for r, conj in zip(self.main, conjunctions, strict=True):
            if conj is None:
                for c in compares(r.cond):
                    terms, k = c.normal()
                    if len(terms) > 1 and (terms, k) not in self.linear:
                        self.linear.append((terms, k))
        # value -> coordinate, per number dimension (patients replayed or simplified repeat values)
        self._real_items: list[dict[Fraction, Item]] = [{} for _ in self.space.dims]
        # value -> coordinate, per enum dimension (a value outside the type has none)
        self._enum_bits = [
            {v: 1 << k for k, v in enumerate(d.values)} if d.kind == "enum" else {} for d in self.space.dims
        ]

    def point(self, patient: Mapping[str, Value]) -> Box | None:
        """The one-patient box of a patient who gives every value of the space, each of its type
        and in its domain; None otherwise (then only evaluating the conditions is exact)."""
        out: list[Item] = []
        for i, d in enumerate(self.space.dims):
            v = patient.get(d.var)
            if v is None:
                return None
            if d.kind == "enum":
                bit = self._enum_bits[i].get(v) if isinstance(v, str) else None
                if bit is None:
                    return None
                out.append(bit)
            elif d.kind == "bool":
                if not isinstance(v, bool):
                    return None
                out.append(0b10 if v else 0b01)
            else:
                if not isinstance(v, Fraction) or not d.low <= v <= d.high:
                    return None
                if d.kind == "int":
                    if v.denominator != 1:
                        return None
                    out.append((int(v), int(v)))
                else:
                    seen = self._real_items[i]
                    item = seen.get(v)
                    if item is None:
                        if len(seen) >= POINT_ITEMS:
                            seen.clear()
                        item = seen[v] = self.space.value_item(i, v)
                    out.append(item)
        return tuple(out)

    def matched(self, point: Box, patient: Mapping[str, Value], among: int | None = None) -> Iterator[int]:
        """0-based indices of the main rules matching the patient whose `point` this is, ascending
        (`among`: only those in this bitset)."""
        cands = self.index.candidates(point)
        if among is not None:
            cands &= among
        boxes, exact, main = self.boxes, self.exact, self.main
        for k in iter_bits(cands):
            box = boxes[k]
            assert box is not None
            if intersects(box, point) and (exact[k] or evaluate(main[k].cond, patient)):
                yield k

    def matching(self, patient: Mapping[str, Value]) -> tuple[int, ...] | None:
        """Rule indices (1-based) of every rule whose condition holds for the patient, `otherwise`
        included; None when the patient is not a point of the space (see `point`)."""
        point = self.point(patient)
        if point is None:
            return None
        out = tuple(self.main[k].index for k in self.matched(point, patient))
        if not out and self.otherwise is not None:
            return (self.otherwise.index,)
        return out

    def first(self, patient: Mapping[str, Value]) -> tuple[int, ...] | None:
        """The index (1-based) of the first rule whose condition holds, as a 0- or 1-tuple; None when
        the patient is not a point of the space."""
        point = self.point(patient)
        if point is None:
            return None
        for k in self.matched(point, patient):
            return (self.main[k].index,)
        return (self.otherwise.index,) if self.otherwise is not None else ()


INDEX_MIN_RULES = 32
"""Decisions with fewer rules are evaluated rule by rule when a patient is replayed, and their
RuleBoxes are not kept (rebuilding them costs less than keeping every small table alive)."""

_RULE_BOXES: dict[tuple[int, int], tuple[m.Model, m.Decision, RuleBoxes]] = {}
_RULE_BOXES_LIMIT = 1_000


def rule_boxes(model: m.Model, decision: m.Decision) -> RuleBoxes:
    """The decision's RuleBoxes, built once per (model, decision) object pair (large decisions)."""
    if len(decision.rules) < INDEX_MIN_RULES:
        return RuleBoxes(model, decision)
    key = (id(model), id(decision))
    hit = _RULE_BOXES.get(key)
    if hit is not None and hit[0] is model and hit[1] is decision:
        return hit[2]
    if len(_RULE_BOXES) >= _RULE_BOXES_LIMIT:
        _RULE_BOXES.clear()
    boxes = RuleBoxes(model, decision)
    _RULE_BOXES[key] = (model, decision, boxes)  # keeps both alive so that their ids stay unique
    return boxes


def decision_reads(model: m.Model, decision: m.Decision) -> frozenset[str]:
    """The variables the decision's rules read (a large decision's from its RuleBoxes, built once)."""
    if len(decision.rules) >= INDEX_MIN_RULES:
        return frozenset(rule_boxes(model, decision).space.vars)
    return frozenset(v for r in decision.rules for v, _ in reads(r.cond))


def model_constants(model: m.Model) -> dict[str, set[Fraction]]:
    """Every constant each variable is compared with in the model's conditions (assumptions, rules,
    property conditions); a large decision's from its RuleBoxes, which collect them once."""
    used: set[str] = set()
    found: dict[str, set[Fraction]] = {}
    for a in model.assumptions:
        collect_constants(a.cond, used, found)
    for d in model.decisions:
        if len(d.rules) >= INDEX_MIN_RULES:
            for var, values in rule_boxes(model, d).space.constants.items():
                found.setdefault(var, set()).update(values)
        else:
            for r in d.rules:
                collect_constants(r.cond, used, found)
    for p in model.properties:
        if p.condition is not None:
            collect_constants(p.condition, used, found)
    return found
