"""Deterministic (seeded) generators of benchmark specs, with their ground truth.

Two families:

* `table(...)`: one decision table of N rules over K inputs (enumerations of 3-8 values,
  booleans, numbers and integers). The rules start as a complete, non-overlapping partition
  of the input space into boxes (recursive k-d splitting), then defects are planted:
  gaps (boxes removed), conflicts and redundant overlaps (`unique` tables: an extra rule
  overlapping some boxes with another or the same outcome), masked rules (`first` tables:
  an extra rule placed after rules that together cover it) and "shadowing" rules that
  are not masked and mask nothing (negative controls).
* `pathway(...)`: a ladder of D decisions. Every decision branches on one or two inputs
  into 2-4 rules that all reconverge on the next decision, so the graph has more than
  2^(D-2) paths. Orders along the way include cross-sectional imaging; property
  violations are planted on feasible branches deep in the ladder (with a witness
  patient), and one violation is planted behind contradictory guards, so it must not be
  reported.

Each generator returns a `Model` built directly (the parser is bypassed, so large cases
measure the verifier and not the parser) together with the `.vp` text of the same spec;
spans in the Model point at the lines of that text. For small sizes the runner parses
the text and checks it gives the same Model.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from dsl import model as m
from dsl.ops import Op
from dsl.source import Span

SOURCE = "bench"
Value = bool | Fraction | str
Patient = dict[str, Value]

# ---- the .vp writer ---------------------------------------------------------------------


class SpecWriter:
    """Collects the lines of a .vp file and hands out the span of each line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lines: list[str] = []

    def line(self, text: str = "") -> Span:
        self.lines.append(text)
        n = len(self.lines)
        return Span(file=self.path, line=n, column=1, end_line=n, end_column=len(text) + 1)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _q(text: str) -> str:
    assert '"' not in text and "\\" not in text
    return f'"{text}"'


def _num(x: Fraction | int) -> str:
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else str(float(x))


# ---- inputs and boxes ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Input:
    """A generated input. Booleans are modelled as the enumeration ("true", "false")."""

    name: str
    kind: str  # enum | bool | number | integer
    values: tuple[str, ...] = ()
    low: int = 0
    high: int = 0
    unit: str | None = None
    revealed_by: str | None = None

    def full(self) -> Part:
        if self.kind in ("enum", "bool"):
            return self.values
        return Range(self.low, self.high, True)

    def model_type(self) -> m.Type:
        if self.kind == "bool":
            return m.BoolType()
        if self.kind == "enum":
            return m.EnumType(values=self.values)
        return m.NumberType(
            low=Fraction(self.low), high=Fraction(self.high), unit=self.unit, integer=self.kind == "integer"
        )

    def declaration(self) -> str:
        if self.kind == "bool":
            return f"input {self.name}: bool"
        if self.kind == "enum":
            if self.revealed_by is not None:
                return f"finding {self.name} from {self.revealed_by}: " + " | ".join(self.values)
            return f"input {self.name}: " + " | ".join(self.values)
        unit = f" {self.unit}" if self.unit else ""
        return f"input {self.name}: {self.kind} in [{self.low}, {self.high}]{unit}"


BOOL_VALUES = ("true", "false")


@dataclass(frozen=True, slots=True, order=True)
class Range:
    """lo <= x < hi, or lo <= x <= hi when `closed` (bounds are integers)."""

    lo: int
    hi: int
    closed: bool

    def contains(self, x: Fraction) -> bool:
        return self.lo <= x and (x <= self.hi if self.closed else x < self.hi)

    def intersects(self, other: Range) -> bool:
        lo = max(self.lo, other.lo)
        if self.hi != other.hi:
            hi, closed = (self.hi, self.closed) if self.hi < other.hi else (other.hi, other.closed)
        else:
            hi, closed = self.hi, self.closed and other.closed
        return lo < hi or (lo == hi and closed)

    def within(self, other: Range) -> bool:
        if not (other.lo <= self.lo and self.hi <= other.hi):
            return False
        return not (self.hi == other.hi and self.closed and not other.closed)

    def splittable(self) -> bool:
        return self.hi - self.lo >= 2


Part = tuple[str, ...] | Range
Box = tuple[Part, ...]


def part_intersects(a: Part, b: Part) -> bool:
    if isinstance(a, Range):
        assert isinstance(b, Range)
        return a.intersects(b)
    assert not isinstance(b, Range)
    return not set(a).isdisjoint(b)


def box_intersects(a: Box, b: Box) -> bool:
    return all(part_intersects(x, y) for x, y in zip(a, b, strict=True))


def mergeable(a: Box, b: Box) -> bool:
    """Could one box lie inside the union of the disjoint boxes a and b and meet both?

    Only if they overlap in every dimension but one, and in that one their parts can be
    joined into one part: any two value sets can, two intervals only when they touch.
    """
    apart = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if not part_intersects(x, y)]
    if len(apart) != 1:
        return False
    x, y = a[apart[0]], b[apart[0]]
    if isinstance(x, Range):
        assert isinstance(y, Range)
        return x.hi == y.lo or y.hi == x.lo
    return True


def part_within(a: Part, b: Part) -> bool:
    if isinstance(a, Range):
        assert isinstance(b, Range)
        return a.within(b)
    assert not isinstance(b, Range)
    return set(a) <= set(b)


def box_within(a: Box, b: Box) -> bool:
    return all(part_within(x, y) for x, y in zip(a, b, strict=True))


def box_contains(inputs: Sequence[Input], box: Box, patient: Mapping[str, Value]) -> bool:
    for inp, part in zip(inputs, box, strict=True):
        v = patient[inp.name]
        if isinstance(part, Range):
            assert isinstance(v, Fraction)
            if not part.contains(v):
                return False
        elif inp.kind == "bool":
            if ("true" if v is True else "false") not in part:
                return False
        elif v not in part:
            return False
    return True


def box_point(inputs: Sequence[Input], box: Box) -> Patient:
    """A patient inside the box (the lowest value of each part)."""
    out: Patient = {}
    for inp, part in zip(inputs, box, strict=True):
        if isinstance(part, Range):
            out[inp.name] = Fraction(part.lo)
        elif inp.kind == "bool":
            out[inp.name] = part[0] == "true"
        else:
            out[inp.name] = part[0]
    return out


def describe_box(inputs: Sequence[Input], box: Box) -> str:
    conds = [c for inp, part in zip(inputs, box, strict=True) for c in [_part_text(inp, part)] if c]
    return " and ".join(conds) if conds else "true"


def _can_split(inp: Input, part: Part) -> bool:
    return part.splittable() if isinstance(part, Range) else len(part) >= 2


def _split_part(rng: random.Random, inp: Input, part: Part) -> tuple[Part, Part] | None:
    if isinstance(part, Range):
        if not part.splittable():
            return None
        cut = rng.randint(part.lo + 1, part.hi - 1)
        return Range(part.lo, cut, False), Range(cut, part.hi, part.closed)
    if len(part) < 2:
        return None
    shuffled = list(part)
    rng.shuffle(shuffled)
    cut = rng.randint(1, len(shuffled) - 1)
    left, right = set(shuffled[:cut]), set(shuffled[cut:])
    return tuple(v for v in inp.values if v in left), tuple(v for v in inp.values if v in right)


def _sub_part(rng: random.Random, inp: Input, part: Part) -> Part:
    """A random non-empty part of `part`."""
    if isinstance(part, Range):
        if part.hi == part.lo:
            return part
        a = rng.randint(part.lo, part.hi - 1)
        b = rng.randint(a + 1, part.hi)
        return Range(a, b, part.closed and b == part.hi)
    k = rng.randint(1, len(part))
    chosen = set(rng.sample(list(part), k))
    return tuple(v for v in inp.values if v in chosen)


# ---- conditions: Model and text from a box ---------------------------------------------------


def _part_cond(inp: Input, part: Part, span: Span) -> list[m.Cond]:
    if isinstance(part, Range):
        out: list[m.Cond] = []
        var = m.Linear.of_var(inp.name)
        if part.lo > inp.low:
            out.append(m.Compare(op=Op.GE, left=var, right=m.Linear.of_const(Fraction(part.lo)), span=span))
        if not part.closed:
            out.append(m.Compare(op=Op.LT, left=var, right=m.Linear.of_const(Fraction(part.hi)), span=span))
        elif part.hi < inp.high:
            out.append(m.Compare(op=Op.LE, left=var, right=m.Linear.of_const(Fraction(part.hi)), span=span))
        return out
    if len(part) == len(inp.values):
        return []
    if inp.kind == "bool":
        cond: m.Cond = m.BoolVar(var=inp.name, span=span)
        return [cond if part == ("true",) else m.Not(operand=cond, span=span)]
    rest = tuple(v for v in inp.values if v not in part)
    if len(part) == 1:
        return [m.EnumIn(var=inp.name, values=part, span=span)]
    if len(rest) < len(part):
        return [m.Not(operand=m.EnumIn(var=inp.name, values=rest, span=span), span=span)]
    return [m.EnumIn(var=inp.name, values=part, span=span)]


def _part_text(inp: Input, part: Part) -> str:
    if isinstance(part, Range):
        out: list[str] = []
        if part.lo > inp.low:
            out.append(f"{inp.name} >= {part.lo}")
        if not part.closed:
            out.append(f"{inp.name} < {part.hi}")
        elif part.hi < inp.high:
            out.append(f"{inp.name} <= {part.hi}")
        return " and ".join(out)
    if len(part) == len(inp.values):
        return ""
    if inp.kind == "bool":
        return inp.name if part == ("true",) else f"not {inp.name}"
    rest = tuple(v for v in inp.values if v not in part)
    if len(part) == 1:
        return f"{inp.name} == {part[0]}"
    if len(rest) < len(part):
        return f"{inp.name} not in {{{', '.join(rest)}}}"
    return f"{inp.name} in {{{', '.join(part)}}}"


def conj(conds: Sequence[m.Cond], span: Span) -> m.Cond:
    """The condition the parser builds for `a and b and ...` (one operand: itself; none: true)."""
    if not conds:
        return m.Const(value=True, span=span)
    if len(conds) == 1:
        return conds[0]
    return m.And(operands=tuple(conds), span=span)


def box_cond(inputs: Sequence[Input], box: Box, span: Span) -> tuple[m.Cond, str]:
    conds = [c for inp, part in zip(inputs, box, strict=True) for c in _part_cond(inp, part, span)]
    texts = [t for inp, part in zip(inputs, box, strict=True) for t in [_part_text(inp, part)] if t]
    return conj(conds, span), (" and ".join(texts) if texts else "true")


# ---- shared declarations ------------------------------------------------------------------------

DISPOSITIONS: tuple[tuple[str, str, m.DispositionKind, m.Duration | None], ...] = (
    ("reassure", "Reassure; no further imaging", "reassure", None),
    ("review_6m", "Clinical review", "follow_up", m.Duration(amount=Fraction(6), unit="months")),
    ("refer", "Refer to a specialist centre", "refer", m.Duration(amount=Fraction(2), unit="weeks")),
    ("discharged", "Discharge", "discharge", None),
)
_ALL_DISPS = tuple(d[0] for d in DISPOSITIONS)


def _disposition_text(name: str, title: str, kind: str, within: m.Duration | None) -> str:
    if kind == "follow_up":
        assert within is not None
        return f"disposition {name} {_q(title)} follow_up in {_num(within.amount)} {within.unit}"
    if kind == "refer" and within is not None:
        return f"disposition {name} {_q(title)} refer within {_num(within.amount)} {within.unit}"
    return f"disposition {name} {_q(title)} {kind}"


@dataclass
class _Header:
    sources: list[m.Source] = field(default_factory=list)
    variables: list[m.Variable] = field(default_factory=list)
    dispositions: list[m.Disposition] = field(default_factory=list)


def _write_header(
    w: SpecWriter, name: str, title: str, inputs: Sequence[Input], dispositions: Sequence[str]
) -> _Header:
    h = _Header()
    w.line(f"guideline {name} {_q(title)} version {_q('1')}")
    w.line()
    span = w.line(f"source {SOURCE} {_q('Synthetic benchmark case (benchmarks/generate.py)')}")
    h.sources.append(
        m.Source(name=SOURCE, title="Synthetic benchmark case (benchmarks/generate.py)", url=None, span=span)
    )
    w.line()
    for inp in inputs:
        if inp.revealed_by is not None:
            continue
        span = w.line(inp.declaration())
        h.variables.append(m.Variable(name=inp.name, title=None, type=inp.model_type(), revealed_by=None, span=span))
    w.line()
    for dname, dtitle, kind, within in DISPOSITIONS:
        if dname not in dispositions:
            continue
        span = w.line(_disposition_text(dname, dtitle, kind, within))
        h.dispositions.append(m.Disposition(name=dname, title=dtitle, kind=kind, within=within, span=span))
    w.line()
    return h


def _rule(
    w: SpecWriter,
    decision: str,
    index: int,
    cond: m.Cond,
    cond_text: str,
    *,
    orders: tuple[str, ...] = (),
    goto: str | None = None,
    end: str | None = None,
) -> m.Rule:
    label = f"r{index}"
    outcome = ""
    if orders:
        outcome += " order " + ", ".join(orders)
    outcome += f" then {goto}" if goto is not None else f" end {end}"
    text = f"  rule {label} when {cond_text}{outcome} unrated {_q('synthetic')} cite {SOURCE} {_q(label)}"
    span = w.line(text)
    cond = _respan(cond, span)
    return m.Rule(
        decision=decision,
        index=index,
        label=label,
        cond=cond,
        is_otherwise=False,
        orders=orders,
        goto=goto,
        end=end,
        reason=None,
        ratings=(),
        also_rated=(),
        unrated="synthetic",
        citations=(m.Citation(source=SOURCE, locator=label, span=span),),
        notes=(),
        span=span,
        cond_span=span,
    )


def _respan(cond: m.Cond, span: Span) -> m.Cond:
    """The same condition with every span set to `span` (the line of its rule)."""
    if isinstance(cond, m.Not):
        return m.Not(operand=_respan(cond.operand, span), span=span)
    if isinstance(cond, m.And):
        return m.And(operands=tuple(_respan(c, span) for c in cond.operands), span=span)
    if isinstance(cond, m.Or):
        return m.Or(operands=tuple(_respan(c, span) for c in cond.operands), span=span)
    if isinstance(cond, m.Const):
        return m.Const(value=cond.value, span=span)
    if isinstance(cond, m.BoolVar):
        return m.BoolVar(var=cond.var, span=span)
    if isinstance(cond, m.EnumIn):
        return m.EnumIn(var=cond.var, values=cond.values, span=span)
    if isinstance(cond, m.Compare):
        return m.Compare(op=cond.op, left=cond.left, right=cond.right, span=span)
    if isinstance(cond, m.EnumCompare):
        return m.EnumCompare(op=cond.op, left=cond.left, right=cond.right, span=span)
    raise TypeError(cond)


def _model(
    w: SpecWriter,
    name: str,
    title: str,
    header: _Header,
    *,
    actions: Sequence[m.Action] = (),
    findings: Sequence[m.Variable] = (),
    decisions: Sequence[m.Decision],
    start: str,
    properties: Sequence[m.Property] = (),
    examples: Sequence[m.Example] = (),
) -> m.Model:
    return m.Model(
        kind="guideline",
        name=name,
        title=title,
        version="1",
        path=w.path,
        files=(w.path,),
        sources=tuple(header.sources),
        variables=(*header.variables, *findings),
        assumptions=(),
        actions=tuple(actions),
        dispositions=tuple(header.dispositions),
        decisions=tuple(decisions),
        start=start,
        properties=tuple(properties),
        examples=tuple(examples),
    )


# ---- (a) one decision table ---------------------------------------------------------------------


def table_inputs(k: int, rng: random.Random, *, finite: bool = False) -> list[Input]:
    """K inputs, a deterministic mix of kinds. `finite`: enumerations and booleans only."""
    kinds = ["enum", "bool", "enum"] if finite else ["enum", "number", "bool", "enum", "integer", "enum"]
    out: list[Input] = []
    for i in range(k):
        kind = kinds[i % len(kinds)]
        name = f"{ {'enum': 'cat', 'bool': 'flag', 'number': 'size', 'integer': 'age'}[kind] }{i + 1:02d}"
        if kind == "enum":
            size = rng.randint(6, 8) if finite else rng.randint(3, 8)
            out.append(Input(name, "enum", tuple(f"v{j}" for j in range(1, size + 1))))
        elif kind == "bool":
            out.append(Input(name, "bool", BOOL_VALUES))
        elif kind == "number":
            out.append(Input(name, "number", low=0, high=1000, unit="mm"))
        else:
            out.append(Input(name, "integer", low=0, high=120, unit="years"))
    return out


@dataclass
class _Node:
    box: Box
    parent: _Node | None = None
    children: list[_Node] = field(default_factory=list)
    leaf_id: int = -1  # index into the leaf list while a leaf

    def leaves(self) -> list[_Node]:
        if not self.children:
            return [self]
        return [leaf for c in self.children for leaf in c.leaves()]


@dataclass
class TableTruth:
    """What was planted in a table, by rule id (`decision.rN`)."""

    decision: str
    policy: m.HitPolicy
    inputs: tuple[Input, ...]
    boxes: dict[str, Box]  # every rule's region
    outcomes: dict[str, str]  # every rule's disposition
    gaps: list[Box]  # planted gaps (removed boxes); together they are exactly the uncovered space
    conflicts: set[frozenset[str]]  # unique: overlapping pairs with different outcomes
    redundant: set[frozenset[str]]  # unique: overlapping pairs with the same outcome
    masked: set[str]  # first: rules the earlier rules cover entirely
    shadowing: set[str]  # first: rules placed before part of another (neither is masked)

    def counts(self) -> dict[str, int]:
        return {
            "rules": len(self.boxes),
            "gaps": len(self.gaps),
            "conflicts": len(self.conflicts),
            "redundant": len(self.redundant),
            "masked": len(self.masked),
            "shadowing": len(self.shadowing),
        }


@dataclass
class TableCase:
    model: m.Model
    text: str
    truth: TableTruth


def planted_counts(n: int) -> tuple[int, int]:
    """(gaps = conflicts = masked, redundant = shadowing) planted in a table of n rules."""
    main = max(2, min(20, round(n / 250)))
    return main, max(1, min(10, main // 2))


def table(
    n: int,
    k: int,
    *,
    policy: str = "unique",
    seed: int = 0,
    finite: bool = False,
    gaps: int | None = None,
    defects: int | None = None,
    controls: int | None = None,
    path: str | None = None,
) -> TableCase:
    """One decision table of exactly `n` rules over `k` inputs.

    policy "unique": plants `gaps` gaps, `defects` conflicts and `controls` redundant overlaps.
    policy "first": plants `gaps` gaps, `defects` masked rules and `controls` shadowing rules.
    """
    if policy not in ("unique", "first"):
        raise ValueError(f"policy must be unique or first, not {policy!r}")
    hit_policy = m.one_of(m.HIT_POLICIES, policy)
    main, extra = planted_counts(n)
    g = main if gaps is None else gaps
    d = main if defects is None else defects
    c = extra if controls is None else controls
    planted = d + c
    if n - planted < 2:
        raise ValueError(f"{n} rules are too few for {planted} planted rules")
    rng = random.Random(f"table/{n}/{k}/{policy}/{seed}/{finite}")
    inputs = table_inputs(k, rng, finite=finite)
    name = f"table_n{n}_k{k}_{policy}{'_finite' if finite else ''}"
    decision = "triage"

    # 1. a complete, non-overlapping partition into n - planted + g boxes
    want = n - planted + g
    root = _Node(box=tuple(i.full() for i in inputs))
    leaves: list[_Node] = [root]
    splittable: list[int] = [0]  # indices into `leaves`
    while len(leaves) < want:
        if not splittable:
            raise ValueError(f"the input space of {k} inputs has fewer than {want} cells")
        i = rng.randrange(len(splittable))
        node = leaves[splittable[i]]
        dims = [j for j, (inp, part) in enumerate(zip(inputs, node.box, strict=True)) if _can_split(inp, part)]
        if not dims:
            splittable[i] = splittable[-1]
            splittable.pop()
            continue
        dim = rng.choice(dims)
        halves = _split_part(rng, inputs[dim], node.box[dim])
        assert halves is not None
        node.children = [_Node(box=(*node.box[:dim], half, *node.box[dim + 1 :]), parent=node) for half in halves]
        leaves[splittable[i]] = node.children[0]
        leaves.append(node.children[1])
        splittable.append(len(leaves) - 1)
    for leaf_id, leaf in enumerate(leaves):
        leaf.leaf_id = leaf_id
    order = list(range(len(leaves)))
    rng.shuffle(order)

    # 2. gaps: remove g boxes, no two of which an uncovered box could straddle (so that the
    #    maximal uncovered boxes are exactly the removed ones, whatever order a verifier finds them in)
    gap_ids: set[int] = set()
    candidates = list(range(len(leaves)))
    rng.shuffle(candidates)
    for cand in candidates:
        if len(gap_ids) == g:
            break
        if all(not mergeable(leaves[cand].box, leaves[other].box) for other in gap_ids):
            gap_ids.add(cand)
    if len(gap_ids) < g:
        raise ValueError(f"could not place {g} separated gaps in {want} boxes")
    kept = [leaves[i] for i in order if i not in gap_ids]
    used: set[int] = set(gap_ids)  # leaf ids that planted rules may not touch

    outcome_of: dict[int, str] = {leaf.leaf_id: rng.choice(_ALL_DISPS) for leaf in leaves}
    # sort keys: kept leaves at 0, 1, 2, ...; planted rules in between
    entries: list[tuple[float, Box, str, str]] = [  # (key, box, outcome, tag)
        (float(pos), leaf.box, outcome_of[leaf.leaf_id], f"leaf:{leaf.leaf_id}") for pos, leaf in enumerate(kept)
    ]
    position = {leaf.leaf_id: pos for pos, leaf in enumerate(kept)}

    def region(allow_parent: bool) -> tuple[_Node, list[_Node]] | None:
        """A random small subtree none of whose leaves is a gap or already used."""
        for _ in range(200):
            leaf = kept[rng.randrange(len(kept))]
            node = leaf
            if allow_parent and node.parent is not None and rng.random() < 0.6:
                node = node.parent
            under = node.leaves()
            if len(under) > 8 or any(x.leaf_id in used for x in under):
                continue
            return node, under
        return None

    plants: list[tuple[str, Box, str, list[_Node]]] = []  # (kind, box, outcome, leaves it touches)
    for kind, count in (("defect", d), ("control", c)):
        for _ in range(count):
            for _attempt in range(1000):
                got = region(allow_parent=kind == "defect")
                if got is None:
                    raise ValueError("no room left to plant defects; use fewer or a larger table")
                node, under = got
                box = tuple(_sub_part(rng, inp, part) for inp, part in zip(inputs, node.box, strict=True))
                # a shadowing rule must leave part of its box to the later rule
                if not (kind == "control" and policy == "first" and box == node.box):
                    break
            else:
                raise ValueError("could not place a shadowing rule")
            touched = [x for x in under if box_intersects(box, x.box)]
            used.update(x.leaf_id for x in under)
            first_outcome = outcome_of[touched[0].leaf_id]
            if kind == "defect" and policy == "unique":
                outcome = rng.choice([o for o in _ALL_DISPS if o != first_outcome])
            elif kind == "control" and policy == "unique":
                outcome = first_outcome  # same outcome as the box it lies in: a redundant overlap
            else:
                outcome = rng.choice(_ALL_DISPS)
            plants.append((kind, box, outcome, touched))
            if policy == "unique":
                key = rng.uniform(-0.5, len(kept) - 0.5)
            elif kind == "defect":  # masked: after every box it touches
                last = max(position[x.leaf_id] for x in touched)
                key = rng.uniform(last + 0.01, len(kept) - 0.5)
            else:  # shadowing: before the one box it lies in
                key = rng.uniform(-0.5, position[touched[0].leaf_id] - 0.01)
            entries.append((key, box, outcome, f"{kind}:{len(plants) - 1}"))
    entries.sort(key=lambda e: e[0])

    # 3. the model and the text
    w = SpecWriter(path or f"{name}.vp")
    header = _write_header(w, name, f"Synthetic table: {n} rules over {k} inputs ({policy})", inputs, _ALL_DISPS)
    w.line(f"start {decision}")
    w.line()
    dspan = w.line(f"decision {decision} {_q('Synthetic decision table')} {policy}")
    rules: list[m.Rule] = []
    rule_of_tag: dict[str, str] = {}
    truth = TableTruth(
        decision=decision,
        policy=hit_policy,
        inputs=tuple(inputs),
        boxes={},
        outcomes={},
        gaps=[leaves[i].box for i in sorted(gap_ids)],
        conflicts=set(),
        redundant=set(),
        masked=set(),
        shadowing=set(),
    )
    for index, (_, box, outcome, tag) in enumerate(entries, start=1):
        cond, text = box_cond(inputs, box, dspan)
        rule = _rule(w, decision, index, cond, text, end=outcome)
        rules.append(rule)
        rule_of_tag[tag] = rule.id
        truth.boxes[rule.id] = box
        truth.outcomes[rule.id] = outcome
    for p, (kind, _box, outcome, touched) in enumerate(plants):
        rid = rule_of_tag[f"{kind}:{p}"]
        if policy == "unique":
            for leaf in touched:
                other = rule_of_tag[f"leaf:{leaf.leaf_id}"]
                pair = frozenset((rid, other))
                (truth.conflicts if outcome_of[leaf.leaf_id] != outcome else truth.redundant).add(pair)
        elif kind == "defect":
            truth.masked.add(rid)
        else:
            truth.shadowing.add(rid)
    dec = m.Decision(
        name=decision,
        title="Synthetic decision table",
        hit_policy=hit_policy,
        max_visits=None,
        rules=tuple(rules),
        span=dspan,
    )
    model = _model(
        w, name, f"Synthetic table: {n} rules over {k} inputs ({policy})", header, decisions=[dec], start=decision
    )
    return TableCase(model=model, text=w.text(), truth=truth)


# ---- (b) a pathway ladder ---------------------------------------------------------------------------

# name, title, attributes (text), kind, modality, contrast, cross_sectional, radiation
_ACTIONS: tuple[
    tuple[str, str, str, m.ActionKind, m.Modality | None, m.Contrast | None, bool, m.RadiationLevel | None], ...
] = (
    (
        "radiograph",
        "Radiography, area of interest",
        "imaging modality xr radiation rrl1",
        "imaging",
        "xr",
        None,
        False,
        "rrl1",
    ),
    ("us_plain", "US, area of interest", "imaging modality us radiation none", "imaging", "us", None, False, "none"),
    ("us_doppler", "US with Doppler", "imaging modality us radiation none", "imaging", "us", None, False, "none"),
    ("xr_chest", "Chest radiograph", "imaging modality xr radiation rrl1", "imaging", "xr", None, False, "rrl1"),
    (
        "mri_wwo",
        "MRI without and with IV contrast",
        "imaging modality mri contrast without_and_with cross_sectional radiation none",
        "imaging",
        "mri",
        "without_and_with",
        True,
        "none",
    ),
    (
        "mri_wo",
        "MRI without IV contrast",
        "imaging modality mri contrast without cross_sectional radiation none",
        "imaging",
        "mri",
        "without",
        True,
        "none",
    ),
    (
        "ct_w",
        "CT with IV contrast",
        "imaging modality ct contrast with cross_sectional radiation rrl3",
        "imaging",
        "ct",
        "with",
        True,
        "rrl3",
    ),
    (
        "pet_ct",
        "FDG-PET/CT",
        "imaging modality pet_ct cross_sectional radiation rrl4",
        "imaging",
        "pet_ct",
        None,
        True,
        "rrl4",
    ),
    (
        "biopsy",
        "Image-guided core needle biopsy",
        "procedure radiation varies",
        "procedure",
        None,
        None,
        False,
        "varies",
    ),
    ("excision", "Excision biopsy", "procedure", "procedure", None, None, False, None),
    ("bloods", "Blood tests", "procedure", "procedure", None, None, False, None),
    ("mdt", "Sarcoma MDT referral", "referral", "referral", None, None, False, None),
)
_PLAIN = ("us_plain", "us_doppler", "xr_chest", "bloods", "mdt")
_CROSS = ("mri_wwo", "mri_wo", "ct_w", "pet_ct")


@dataclass
class PathwayTruth:
    decisions: int
    expected: dict[str, str]  # property name -> "PROVED" | "REFUTED"
    witnesses: dict[str, Patient]  # property name -> a patient that violates it (planted)
    planted: dict[str, str]  # property name -> where the violation (or the guarded non-violation) is
    independent_bools: int  # feasible paths >= 2 ** independent_bools
    inputs: tuple[Input, ...]


@dataclass
class PathwayCase:
    model: m.Model
    text: str
    truth: PathwayTruth


def _clamp(x: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, x))


@dataclass
class _Part:
    conds: list[m.Cond]
    texts: list[str]
    test: _PartTest


@dataclass(frozen=True)
class _PartTest:
    """A predicate over a patient, the same as the part's condition (to place witnesses)."""

    var: str
    kind: str  # bool | enum | lt | ge
    values: tuple[str, ...] = ()
    bound: int = 0
    positive: bool = True

    def __call__(self, p: Mapping[str, Value]) -> bool:
        v = p[self.var]
        if self.kind == "bool":
            return v is self.positive
        if self.kind == "enum":
            return v in self.values
        assert isinstance(v, Fraction)
        return v < self.bound if self.kind == "lt" else v >= self.bound


def pathway(d: int, *, seed: int = 0, path: str | None = None) -> PathwayCase:
    """A ladder of `d` decisions (d >= 10) with planted property violations."""
    if d < 10:
        raise ValueError("a pathway needs at least 10 decisions")
    rng = random.Random(f"pathway/{d}/{seed}")
    name = f"pathway_d{d}"
    nb, ne = _clamp(d // 3, 3, 40), _clamp(d // 25, 1, 8)
    # about one decision in five has an early exit `xa and xb`, each on its own pair of exit
    # inputs, so that no exit contains another (an exit inside an earlier one would be dead)
    nx = _clamp(math.isqrt(2 * (d // 5 + 1)) + 2, 3, 64)
    bools = [Input(f"b{i + 1:02d}", "bool", BOOL_VALUES) for i in range(nb)]
    enums = [Input(f"e{i + 1:02d}", "enum", tuple(f"v{j}" for j in range(1, rng.randint(3, 8) + 1))) for i in range(ne)]
    exits = [Input(f"x{i + 1:02d}", "bool", BOOL_VALUES) for i in range(nx)]
    exit_pairs = list(itertools.combinations([x.name for x in exits], 2))
    rng.shuffle(exit_pairs)
    age = Input("age", "integer", low=0, high=120, unit="years")
    size = Input("size_cm", "number", low=0, high=60, unit="cm")
    ci = Input("mri_contraindicated", "bool", BOOL_VALUES)
    preg = Input("pregnant", "bool", BOOL_VALUES)
    xr = Input("xr_result", "enum", ("nondiagnostic", "diagnostic", "mineralization"), revealed_by="radiograph")
    inputs = [*bools, *enums, *exits, age, size, ci, preg, xr]

    def random_patient() -> Patient:
        p: Patient = {}
        for inp in inputs:
            if inp.kind == "bool":
                p[inp.name] = rng.random() < 0.5
            elif inp.kind == "enum":
                p[inp.name] = rng.choice(inp.values)
            else:
                p[inp.name] = Fraction(rng.randint(inp.low, inp.high))
        for x in exits:
            p[x.name] = False
        return p

    w1 = random_patient()  # violates no_early_biopsy
    w1["age"] = Fraction(rng.randint(65, 120))
    w3 = random_patient()  # violates no_ct_in_pregnancy
    w3["pregnant"] = True
    key_bool = next((b.name for b in bools if w1[b.name] != w3[b.name]), None)
    if key_bool is None:
        w3[bools[0].name] = not w1[bools[0].name]
        key_bool = bools[0].name
    w4 = random_patient()  # violates b01_biopsy: has b01 and is never biopsied
    w4[bools[0].name] = True
    key_bx = next((b.name for b in bools if w1[b.name] != w4[b.name]), None)
    if key_bx is None:
        w4[bools[1].name] = not w1[bools[1].name]
        key_bx = bools[1].name

    i0 = d // 4  # age < 65: always cross-sectional imaging
    k_ex = d // 2  # excision for age < 40: guarded by i0, so never before cross-sectional imaging
    j3 = (3 * d) // 5  # unguarded CT: reachable when pregnant
    j_bx = (4 * d) // 5  # biopsy on the branch of w1, who had no cross-sectional imaging before
    last = d - 1
    names = [f"d{i:04d}" for i in range(d)]

    file = path or f"{name}.vp"
    nowhere = Span.point(file, 1, 1)  # placeholder; rules and properties get the span of their line

    def part_bool(var: str, positive: bool) -> _Part:
        sp = nowhere
        c: m.Cond = m.BoolVar(var=var, span=sp)
        return _Part(
            [c if positive else m.Not(operand=c, span=sp)],
            [var if positive else f"not {var}"],
            _PartTest(var, "bool", positive=positive),
        )

    def part_enum(inp: Input, values: tuple[str, ...]) -> _Part:
        sp = nowhere
        if len(values) == 1:
            return _Part(
                [m.EnumIn(var=inp.name, values=values, span=sp)],
                [f"{inp.name} == {values[0]}"],
                _PartTest(inp.name, "enum", values=values),
            )
        return _Part(
            [m.EnumIn(var=inp.name, values=values, span=sp)],
            [f"{inp.name} in {{{', '.join(values)}}}"],
            _PartTest(inp.name, "enum", values=values),
        )

    def part_cmp(var: str, lt: bool, bound: int) -> _Part:
        sp = nowhere
        op = Op.LT if lt else Op.GE
        return _Part(
            [m.Compare(op=op, left=m.Linear.of_var(var), right=m.Linear.of_const(Fraction(bound)), span=sp)],
            [f"{var} {op.symbol} {bound}"],
            _PartTest(var, "lt" if lt else "ge", bound=bound),
        )

    def scheme(i: int) -> list[list[_Part]]:
        """The parts of decision i: each a conjunction (list) of literal parts."""
        if 1 <= i <= nb:  # each boolean is the only branch variable of one decision
            b = bools[i - 1].name
            return [[part_bool(b, True)], [part_bool(b, False)]]
        r = rng.random()
        if r < 0.3:
            b = rng.choice(bools).name
            return [[part_bool(b, True)], [part_bool(b, False)]]
        if r < 0.55:
            e = rng.choice(enums)
            vals = list(e.values)
            rng.shuffle(vals)
            groups = 3 if len(vals) >= 4 and rng.random() < 0.5 else 2
            cuts = sorted(rng.sample(range(1, len(vals)), groups - 1))
            chunks = [vals[a:b] for a, b in zip([0, *cuts], [*cuts, len(vals)], strict=True)]
            return [[part_enum(e, tuple(v for v in e.values if v in ch))] for ch in chunks]
        if r < 0.65:
            t = rng.randint(18, 90)
            return [[part_cmp("age", True, t)], [part_cmp("age", False, t)]]
        if r < 0.75:
            t = rng.randint(1, 59)
            return [[part_cmp("size_cm", True, t)], [part_cmp("size_cm", False, t)]]
        if r < 0.82:
            return [[part_enum(xr, ("nondiagnostic",))], [part_enum(xr, ("diagnostic", "mineralization"))]]
        b1, b2 = rng.sample([b.name for b in bools], 2)
        return [
            [part_bool(b1, True), part_bool(b2, True)],
            [part_bool(b1, True), part_bool(b2, False)],
            [part_bool(b1, False)],
        ]

    def holds(p: Mapping[str, Value], parts: list[_Part]) -> bool:
        return all(x.test(p) for x in parts)

    # decisions: each a list of (cond parts, orders, goto/end)
    Spec = tuple[list[_Part], tuple[str, ...], str | None, str | None]
    decisions: list[tuple[str, m.HitPolicy, list[Spec]]] = []  # (name, policy, rules)
    for i in range(d):
        nxt = names[i + 1] if i < last else None
        rules: list[Spec] = []
        policy: m.HitPolicy = "unique"
        if i == 0:
            rules.append(([part_bool(ci.name, True)], ("radiograph", "us_plain"), nxt, None))
            rules.append(([part_bool(ci.name, False)], ("radiograph",), nxt, None))
            decisions.append((names[i], policy, rules))
            continue
        if i == last:
            for parts in scheme(i):
                end = rng.choice(_ALL_DISPS)
                orders: tuple[str, ...] = ("mdt",) if end == "refer" else ()
                rules.append((parts, orders, None, end))
            decisions.append((names[i], policy, rules))
            continue
        if i == i0:
            parts_list = [[part_cmp("age", True, 65)], [part_cmp("age", False, 65)]]
        elif i == k_ex:
            b = rng.choice(bools).name
            parts_list = [
                [part_cmp("age", True, 40), part_bool(b, True)],
                [part_cmp("age", True, 40), part_bool(b, False)],
                [part_cmp("age", False, 40)],
            ]
        elif i == j3:
            parts_list = [[part_bool(key_bool, True)], [part_bool(key_bool, False)]]
        elif i == j_bx:
            parts_list = [[part_bool(key_bx, True)], [part_bool(key_bx, False)]]
        else:
            parts_list = scheme(i)
        if i not in (i0, k_ex, j3, j_bx) and rng.random() < 0.2 and exit_pairs:
            xa, xb = exit_pairs.pop()
            policy = "first"
            rules.append(([part_bool(xa, True), part_bool(xb, True)], (), None, rng.choice(_ALL_DISPS)))
        for pi, parts in enumerate(parts_list):
            has_w1 = holds(w1, parts) and i < j_bx
            if i == i0 and pi == 0:
                choice = "mri"
            elif i == i0:
                choice = "plain"
            elif i == k_ex and pi == 0:
                choice = "excision"
            elif i == j3 and holds(w3, parts):
                choice = "ct_unguarded"
            elif i == j_bx and holds(w1, parts):
                choice = "biopsy"
            else:
                r = rng.random()
                choice = (
                    "plain" if r < 0.4 else "mri" if r < 0.55 else "ct" if r < 0.7 else "pet" if r < 0.9 else "pet_bx"
                )
            if choice == "pet_bx" and holds(w4, parts):
                choice = "pet"  # w4 is never biopsied
            # w1 must not meet cross-sectional imaging before j_bx
            if has_w1 and choice in ("ct_unguarded", "pet", "pet_bx"):
                choice = "plain"
            if has_w1 and choice == "mri" and not w1["mri_contraindicated"]:
                choice = "plain"
            if has_w1 and choice == "ct" and not w1["pregnant"]:
                choice = "plain"
            if choice == "mri" and i == i0:
                rules.append(([*parts, part_bool(ci.name, False)], ("mri_wwo",), nxt, None))
                rules.append(([*parts, part_bool(ci.name, True)], ("pet_ct",), nxt, None))
            elif choice == "mri":
                rules.append(([*parts, part_bool(ci.name, False)], (rng.choice(["mri_wwo", "mri_wo"]),), nxt, None))
                rules.append(([*parts, part_bool(ci.name, True)], ("us_plain",), nxt, None))
            elif choice == "ct":
                rules.append(([*parts, part_bool(preg.name, False)], ("ct_w",), nxt, None))
                rules.append(([*parts, part_bool(preg.name, True)], ("us_plain",), nxt, None))
            elif choice == "pet":
                rules.append((parts, ("pet_ct",), nxt, None))
            elif choice == "pet_bx":
                rules.append((parts, ("pet_ct", "biopsy"), nxt, None))
            elif choice == "ct_unguarded":
                rules.append((parts, ("ct_w",), nxt, None))
            elif choice == "biopsy":
                rules.append((parts, ("biopsy",), nxt, None))
            elif choice == "excision":
                rules.append((parts, ("excision",), nxt, None))
            else:
                rules.append((parts, (rng.choice(_PLAIN),), nxt, None))
        decisions.append((names[i], policy, rules))
    used_actions = {"radiograph", "us_plain"}
    for _, _, rules in decisions:
        for _, orders, _, _ in rules:
            used_actions.update(orders)
    used_ends = {end for _, _, rules in decisions for *_, end in rules if end is not None}

    # Rebuild the header with only the dispositions in use, then actions, finding, decisions, properties.
    w = SpecWriter(file)
    header = _write_header(
        w, name, f"Synthetic pathway ladder of {d} decisions", inputs, [x for x in _ALL_DISPS if x in used_ends]
    )
    actions: list[m.Action] = []
    for aname, atitle, attrs, kind, modality, contrast, cross, radiation in _ACTIONS:
        if aname not in used_actions:
            continue
        span = w.line(f"action {aname} {_q(atitle)} {attrs}")
        actions.append(
            m.Action(
                name=aname,
                title=atitle,
                kind=kind,
                modality=modality,
                contrast=contrast,
                cross_sectional=cross,
                radiation=radiation,
                pediatric_radiation=None,
                within=None,
                urgency=None,
                span=span,
            )
        )
    w.line()
    span = w.line(xr.declaration())
    findings = [m.Variable(name=xr.name, title=None, type=xr.model_type(), revealed_by="radiograph", span=span)]
    w.line()
    w.line(f"start {names[0]}")
    w.line()
    model_decisions: list[m.Decision] = []
    for dname, policy, rules in decisions:
        dspan = w.line(f"decision {dname} {_q('Step ' + dname)} {policy}")
        mrules = []
        for index, (parts, orders, goto, finish) in enumerate(rules, start=1):
            cond = conj([c for p in parts for c in p.conds], dspan)
            text = " and ".join(t for p in parts for t in p.texts)
            mrules.append(_rule(w, dname, index, cond, text, orders=orders, goto=goto, end=finish))
        model_decisions.append(
            m.Decision(
                name=dname, title=f"Step {dname}", hit_policy=policy, max_visits=None, rules=tuple(mrules), span=dspan
            )
        )
        w.line()

    by_name = {a.name: a for a in actions}

    def aset(names_: Sequence[str], desc: str, span: Span) -> m.ActionSet:
        return m.ActionSet(actions=tuple(a for a in names_ if a in by_name), description=desc, span=span)

    cross_sectional = [a.name for a in actions if a.cross_sectional]
    repeatable = [
        a
        for a in (
            "us_plain",
            "us_doppler",
            "xr_chest",
            "bloods",
            "mdt",
            "mri_wwo",
            "mri_wo",
            "ct_w",
            "pet_ct",
            "biopsy",
        )
        if a in by_name
    ]
    props: list[m.Property] = []
    expected: dict[str, str] = {}

    def prop(
        pname: str,
        body: str,
        verdict: str,
        *,
        kind: m.PropertyKind,
        condition: m.Cond | None = None,
        target: Sequence[str] | None = None,
        target_desc: str = "",
        other: Sequence[str] | None = None,
        other_desc: str = "",
        exceptions: Sequence[str] = (),
        bound: int | None = None,
    ) -> None:
        span = w.line(f"property {pname}: {body}")
        props.append(
            m.Property(
                name=pname,
                title=None,
                kind=kind,
                condition=_respan(condition, span) if condition is not None else None,
                target=aset(target, target_desc, span) if target is not None else None,
                other=aset(other, other_desc, span) if other is not None else None,
                exceptions=tuple(exceptions),
                bound=bound,
                span=span,
            )
        )
        expected[pname] = verdict

    sp0 = nowhere
    prop(
        "no_early_biopsy",
        "never biopsy before any cross_sectional",
        "REFUTED",
        kind="never_before",
        target=["biopsy"],
        target_desc="biopsy",
        other=cross_sectional,
        other_desc="any cross_sectional",
    )
    prop(
        "no_early_excision",
        "never excision before any cross_sectional",
        "PROVED",
        kind="never_before",
        target=["excision"],
        target_desc="excision",
        other=cross_sectional,
        other_desc="any cross_sectional",
    )
    prop(
        "no_ct_in_pregnancy",
        "when pregnant never any modality ct",
        "REFUTED",
        kind="when_never",
        condition=m.BoolVar(var="pregnant", span=sp0),
        target=[a.name for a in actions if a.modality == "ct"],
        target_desc="any modality ct",
    )
    prop(
        "ci_no_mri",
        "when mri_contraindicated never any modality mri",
        "PROVED",
        kind="when_never",
        condition=m.BoolVar(var="mri_contraindicated", span=sp0),
        target=[a.name for a in actions if a.modality == "mri"],
        target_desc="any modality mri",
    )
    prop(
        "ci_us",
        "when mri_contraindicated always eventually any modality us",
        "PROVED",
        kind="eventually",
        condition=m.BoolVar(var="mri_contraindicated", span=sp0),
        target=[a.name for a in actions if a.modality == "us"],
        target_desc="any modality us",
    )
    prop(
        "b01_biopsy",
        "when b01 always eventually biopsy",
        "REFUTED",
        kind="eventually",
        condition=m.BoolVar(var="b01", span=sp0),
        target=["biopsy"],
        target_desc="biopsy",
    )
    prop("ends", "always ends", "PROVED", kind="always_ends")
    prop(
        "repeats",
        "no repeated orders except " + ", ".join(repeatable),
        "PROVED",
        kind="no_repeat",
        exceptions=repeatable,
    )
    prop("steps_ok", f"at most {d} steps", "PROVED", kind="max_steps", bound=d)
    prop("steps_tight", f"at most {d - 1} steps", "REFUTED", kind="max_steps", bound=d - 1)
    w.line()

    truth = PathwayTruth(
        decisions=d,
        expected=expected,
        witnesses={"no_early_biopsy": w1, "no_ct_in_pregnancy": w3, "b01_biopsy": w4},
        planted={
            "no_early_biopsy": f"{names[j_bx]} (decision {j_bx + 1} of {d})",
            "no_early_excision": f"{names[k_ex]}, guarded by age < 65 at {names[i0]}",
            "no_ct_in_pregnancy": f"{names[j3]} (decision {j3 + 1} of {d})",
        },
        independent_bools=nb,
        inputs=tuple(inputs),
    )
    model = _model(
        w,
        name,
        f"Synthetic pathway ladder of {d} decisions",
        header,
        actions=actions,
        findings=findings,
        decisions=model_decisions,
        start=names[0],
        properties=props,
    )
    return PathwayCase(model=model, text=w.text(), truth=truth)
