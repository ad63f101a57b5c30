"""Large decision tables built directly as Models (no parsing), for the table tests."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

from dsl import model as m
from dsl.ops import Op
from dsl.source import Span

SPAN = Span.point("grid.vp", 1, 1)


def _enum(var: str, value: str) -> m.Cond:
    return m.EnumIn(var=var, values=(value,), span=SPAN)


def _range(var: str, lo: Fraction, hi: Fraction, closed: bool) -> m.Cond:
    term = m.Linear.of_var(var)
    return m.And(
        operands=(
            m.Compare(op=Op.GE, left=term, right=m.Linear.of_const(lo), span=SPAN),
            m.Compare(op=Op.LE if closed else Op.LT, left=term, right=m.Linear.of_const(hi), span=SPAN),
        ),
        span=SPAN,
    )


def grid(
    cells_x: int,
    *,
    policy: m.HitPolicy = "unique",
    gaps: int = 3,
    conflicts: int = 3,
    seed: int = 0,
) -> tuple[m.Model, set[tuple[int, ...]], int]:
    """A table over e0 (4 values) x e1 (3) x f (bool) x x (cells_x ranges): one rule per cell,
    minus `gaps` cells, plus `conflicts` rules duplicating a cell (for y >= 5) with another outcome.
    Returns the model, the removed cells, and the number of rules."""
    rnd = random.Random(seed)
    cuts = [Fraction(100 * k, cells_x) for k in range(cells_x + 1)]
    cells = list(itertools.product(range(4), range(3), (False, True), range(cells_x)))
    rnd.shuffle(cells)
    removed = cells[:gaps]
    kept = sorted(cells[gaps:])
    dups = kept[:conflicts]

    def cond(cell: tuple[int, int, bool, int]) -> list[m.Cond]:
        a, b, f, i = cell
        flag: m.Cond = m.BoolVar(var="f", span=SPAN)
        if not f:
            flag = m.Not(operand=flag, span=SPAN)
        return [_enum("e0", f"a{a}"), _enum("e1", f"b{b}"), flag, _range("x", cuts[i], cuts[i + 1], i == cells_x - 1)]

    rules: list[m.Rule] = []
    specs = [(cond(c), "o1") for c in kept]
    ge5 = m.Compare(op=Op.GE, left=m.Linear.of_var("y"), right=m.Linear.of_const(Fraction(5)), span=SPAN)
    specs += [([*cond(c), ge5], "o2") for c in dups]
    for k, (parts, out) in enumerate(specs, start=1):
        rules.append(
            m.Rule(
                decision="t",
                index=k,
                label=None,
                cond=m.And(operands=tuple(parts), span=SPAN),
                is_otherwise=False,
                orders=(),
                goto=None,
                end=out,
                reason=None,
                ratings=(),
                also_rated=(),
                unrated="generated",
                citations=(),
                notes=(),
                span=Span.point("grid.vp", k + 1, 3),
                cond_span=Span.point("grid.vp", k + 1, 8),
            )
        )
    variables = (
        m.Variable(
            name="e0", title=None, type=m.EnumType(values=("a0", "a1", "a2", "a3")), revealed_by=None, span=SPAN
        ),
        m.Variable(name="e1", title=None, type=m.EnumType(values=("b0", "b1", "b2")), revealed_by=None, span=SPAN),
        m.Variable(name="f", title=None, type=m.BoolType(), revealed_by=None, span=SPAN),
        m.Variable(
            name="x",
            title=None,
            type=m.NumberType(low=Fraction(0), high=Fraction(100), unit=None, integer=False),
            revealed_by=None,
            span=SPAN,
        ),
        m.Variable(
            name="y",
            title=None,
            type=m.NumberType(low=Fraction(0), high=Fraction(10), unit=None, integer=True),
            revealed_by=None,
            span=SPAN,
        ),
    )
    decision = m.Decision(name="t", title="T", hit_policy=policy, max_visits=None, rules=tuple(rules), span=SPAN)
    model = m.Model(
        kind="guideline",
        name="grid",
        title="Grid",
        version="1",
        path="grid.vp",
        files=("grid.vp",),
        sources=(),
        variables=variables,
        assumptions=(),
        actions=(),
        dispositions=(
            m.Disposition(name="o1", title="O1", kind="reassure", within=None, span=SPAN),
            m.Disposition(name="o2", title="O2", kind="refer", within=None, span=SPAN),
        ),
        decisions=(decision,),
        start="t",
        properties=(),
        examples=(),
    )
    return model, {tuple(c) for c in removed}, len(rules)
