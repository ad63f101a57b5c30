"""Model conditions back to readable DSL text (labels, reports, source maps)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction

from dsl import model as m
from dsl.cond import CondVisitor
from dsl.evidence import format_quantity

Units = Callable[[str], str | None]
"""The declared unit of a variable, by name (None: no unit)."""


def _var(name: str) -> str:
    """A variable as written: a later result of a repeated study (`us_result#2`, read by a copy
    of a decision after the study was repeated) is written as its finding, the latest result."""
    return m.split_result(name)[0]


def _plain(e: m.Linear) -> m.Linear:
    """A side of a comparison with later results written as their findings (see `_var`)."""
    if not any(m.RESULT_MARK in v for v, _ in e.terms):
        return e
    return replace(e, terms=tuple((_var(v), k) for v, k in e.terms))


def describe_cond(c: m.Cond, parent: str = "", units: Units | None = None) -> str:
    """The condition as DSL text; `parent` is the enclosing connective ("and", "or", "not"), if any.

    With `units`, the numbers of a comparison are written in its unit (the unit of the first
    variable it names), as a counterexample shows them (`t < 2161 minutes`, `age >= 40 years`,
    `score + 0.5 points >= 4 points`); without, as bare numbers in that unit (`t < 2161/60`)."""
    return _Describe(parent, units).visit(c)


def ratings_text(rule: m.Rule) -> str:
    """A rule's ratings as the language writes them: `rated radiograph usually_appropriate 9;
    rated us_plain usually_appropriate 9; also rated ct_w usually_not_appropriate 2, ...`, or
    `unrated "why"`; empty when the rule has neither. A rule in a variant starts with `in variant
    NAME` (its ratings are the variant's), and its reasons follow (`ordered A because "why" cite S`)."""
    parts = [f"in variant {rule.variant}"] if rule.variant is not None else []
    parts += [f"rated {r.describe()}" for r in rule.ratings]
    if rule.unrated is not None:
        parts.append(f"unrated {json.dumps(rule.unrated, ensure_ascii=False)}")
    if rule.also_rated:
        parts.append("also rated " + ", ".join(r.describe() for r in rule.also_rated))
    for x in rule.reasons:
        locator = x.citation.locator
        cite = x.citation.source + (f" {json.dumps(locator, ensure_ascii=False)}" if locator else "")
        parts.append(f"ordered {x.action} because {json.dumps(x.reason, ensure_ascii=False)} cite {cite}")
    return "; ".join(parts)


class _Describe(CondVisitor[str]):
    def __init__(self, parent: str, units: Units | None) -> None:
        self.parent = parent
        self.units = units

    def _sub(self, c: m.Cond, parent: str) -> str:
        return _Describe(parent, self.units).visit(c)

    def visit_const(self, c: m.Const) -> str:
        return "true" if c.value else "false"

    def visit_bool_var(self, c: m.BoolVar) -> str:
        return _var(c.var)

    def visit_enum_in(self, c: m.EnumIn) -> str:
        var = _var(c.var)
        return f"{var} == {c.values[0]}" if len(c.values) == 1 else f"{var} in {{{', '.join(c.values)}}}"

    def visit_compare(self, c: m.Compare) -> str:
        left, right = _plain(c.left), _plain(c.right)
        # numbers in the unit of the comparison (its first variable's), as a counterexample shows them
        names = (*left.vars, *right.vars)
        unit = self.units(names[0]) if self.units is not None and names else None
        if unit is None:
            return f"{left.describe()} {c.op.symbol} {right.describe()}"

        def number(x: Fraction) -> str:
            return format_quantity(x, unit)

        return f"{left.describe(number)} {c.op.symbol} {right.describe(number)}"

    def visit_enum_compare(self, c: m.EnumCompare) -> str:
        return f"{_var(c.left)} {c.op.symbol} {_var(c.right)}"

    def visit_not(self, c: m.Not) -> str:
        match c.operand:
            case m.EnumIn(var=name, values=values):
                var = _var(name)
                return f"{var} != {values[0]}" if len(values) == 1 else f"{var} not in {{{', '.join(values)}}}"
            case inner:
                return f"not {self._sub(inner, 'not')}"

    def visit_and(self, c: m.And) -> str:
        text = " and ".join(self._sub(o, "and") for o in c.operands) if c.operands else "true"
        if self.parent in ("not",) and len(c.operands) > 1:
            text = f"({text})"
        return text

    def visit_named(self, c: m.Named) -> str:
        return c.name

    def visit_or(self, c: m.Or) -> str:
        text = " or ".join(self._sub(o, "or") for o in c.operands) if c.operands else "false"
        if self.parent in ("and", "not") and len(c.operands) > 1:
            text = f"({text})"
        return text


def describe_outcome(orders: tuple[m.OrderItem, ...], goto: str | None, end: str | None) -> str:
    """What a rule does, as DSL text: `order a, one of {b, c} then d`, `end x`."""
    parts = [f"order {m.orders_text(orders)}"] if orders else []
    parts.append(f"then {goto}" if goto is not None else f"end {end}")
    return " ".join(parts)
