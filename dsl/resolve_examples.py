"""Examples: a scenario (given values) and the outcome the pathway must reach for it."""

from __future__ import annotations

from dsl import ast
from dsl import model as m
from dsl.codes import BAD_EXAMPLE, MISSING_PROVENANCE
from dsl.diagnostics import diagnostic
from dsl.resolve_provenance import ProvenanceResolver
from dsl.source import Span
from dsl.typecheck import ExprChecker


class ExampleResolver(ProvenanceResolver):
    """Resolves examples: each given value checked against its variable's type, outcomes looked up."""

    exprs: ExprChecker

    def example(self, d: ast.ExampleDecl) -> m.Example | None:
        """An example with its given values typed and its expected outcome looked up."""
        given: dict[str, m.Fact] = {}
        spans: dict[str, Span] = {}
        named: set[str] = set()  # including names whose value was wrong
        for a in d.given:
            var = self.exprs.variable(a.name)
            if var is None:
                continue
            if a.name.text in named:
                self.report(diagnostic(BAD_EXAMPLE, f"'{a.name.text}' is given twice", a.span))
                continue
            named.add(a.name.text)
            if a.later and not var.is_finding:
                where = a.later[0].span
                self.report(
                    diagnostic(
                        BAD_EXAMPLE,
                        f"'{var.name}' is an input: it has one value ('then' gives the next result of a finding)",
                        where,
                        hint=f"give one value for '{var.name}'",
                    )
                )
                continue
            values = [self.example_value(var, v) for v in (a.value, *a.later)]
            if all(v is not None for v in values):
                results = tuple(v for v in values if v is not None)
                given[var.name] = results[0] if len(results) == 1 else results
                spans[var.name] = a.span
        if d.expect_orders:
            for o in d.expect_orders:
                self.lookup("action", o, "an action")
        self.lookup("disposition", d.expect_end, "a disposition")
        citations = self.citations(d.citations)
        if not d.citations:
            self.report(
                diagnostic(
                    MISSING_PROVENANCE,
                    f"example '{d.title.value}' has no citation",
                    d.span,
                    hint='add: cite SOURCE "where in the source" (the case or the passage the example checks)',
                )
            )
        return m.Example(
            title=d.title.value,
            citations=citations,
            given=tuple(given.items()),
            expect_orders=tuple(o.text for o in d.expect_orders) if d.expect_orders is not None else None,
            expect_end=d.expect_end.text,
            span=d.span,
            given_spans=tuple(spans.items()),
        )

    def example_value(self, var: m.Variable, v: ast.Value) -> m.Value | None:
        """A given value as the variable's type reads it; None (and BAD_EXAMPLE) when it does not fit."""
        t = var.type
        if isinstance(t, m.BoolType):
            if v.kind != "bool":
                self.report(diagnostic(BAD_EXAMPLE, f"'{var.name}' is a bool: give true or false", v.span))
                return None
            return bool(v.flag)
        if isinstance(t, m.EnumType):
            if v.kind != "name" or v.name is None:
                self.report(diagnostic(BAD_EXAMPLE, f"'{var.name}' takes one of: {t.describe()}", v.span))
                return None
            return v.name.text if self.exprs.enum_value(var, v.name) else None
        if v.kind != "number" or v.number is None:
            self.report(diagnostic(BAD_EXAMPLE, f"'{var.name}' is a number", v.span))
            return None
        lit = ast.NumberLit(value=v.number, unit=v.unit, span=v.span)
        value = self.exprs.number(var, lit, check_bounds=False)
        if value is not None and not t.low <= value <= t.high:
            written = m.format_value(v.number) + (f" {v.unit.text}" if v.unit is not None else "")
            self.report(
                diagnostic(
                    BAD_EXAMPLE,
                    f"{written} is outside the declared range of '{var.name}' ({t.describe()})",
                    v.span,
                    hint="an example describes a patient the pathway is for: correct the value, "
                    "or widen the input's range if real patients lie outside it",
                )
            )
            return None
        if value is not None and t.integer and value.denominator != 1:
            self.report(diagnostic(BAD_EXAMPLE, f"'{var.name}' is an integer", v.span))
            return None
        return value
