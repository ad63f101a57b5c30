"""Counterexamples a clinician can read: a typical patient, the path it follows, the region.

A solver model is a valid but arbitrary patient (size_cm = 37/3). `Minimiser.improve`
replaces each value, variable by variable, with the simplest value that keeps the
counterexample valid (checked by evaluating the check's own predicate, no solver):
the first enumeration value, false, 0, a small integer, a round number near a
threshold of the spec.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from functools import partial
from typing import Literal

from compiler.graph import LIMIT_NODE, DecisionGraph
from compiler.pretty import describe_cond
from dsl import model as m
from dsl.cond import named
from dsl.evidence import (
    Assignment,
    Constraint,
    Counterexample,
    Evidence,
    PathStep,
    Region,
    format_text,
    smaller_units,
)
from dsl.model import Value, result_label
from dsl.source import Span
from dsl.units import UNITS
from verify.box import Box
from verify.boxindex import model_constants
from verify.budgets import CANDIDATE_VALUES
from verify.evaluate import MissingValue, evaluate3
from verify.reach import GuardKey, Product
from verify.solver import Patient
from verify.space import Space, nice_value

Predicate = Callable[[Mapping[str, Value]], bool]


def location(span: Span | None) -> str:
    return f"{span.file}:{span.line}:{span.column}" if span is not None else ""


def unit_of(var: m.Variable) -> str | None:
    return var.type.unit if isinstance(var.type, m.NumberType) else None


def show_value(v: Value, unit: str | None = None) -> str:
    """A value as exact text of the language (`unit`: the variable's declared unit)."""
    return format_text(v, unit)


def rule_name(rule: m.Rule) -> str:
    return rule.label or f"r{rule.index}"


def units_of(model: m.Model) -> Callable[[str], str | None]:
    """The declared unit of each variable of `model`, for `describe_cond`."""
    return lambda name: unit_of(model.variable(name))


def cond_text(cond: m.Cond, model: m.Model) -> str:
    """A condition as a counterexample shows it: numbers with their variables' units."""
    return describe_cond(cond, units=units_of(model))


def rule_text(rule: m.Rule, model: m.Model) -> str:
    return "otherwise" if rule.is_otherwise else cond_text(rule.cond, model)


def define_texts(model: m.Model, patient: Mapping[str, Value], *conds: m.Cond | None) -> list[tuple[str, Span]]:
    """For each named condition the conditions use (nested ones too, each once): whether it holds for
    the patient and what it means (`red_flags holds: deep or size_cm > 5`), with where it is defined."""
    out = []
    uses = {u.name: u for c in conds if c is not None for u in named(c)}  # in order, each name once
    for use in uses.values():
        truth = evaluate3(use.body, patient)
        verdict = "holds" if truth else "is not known" if truth is None else "does not hold"
        out.append((f"{use.name} {verdict}: {cond_text(use.body, model)}", model.define(use.name).span))
    return out


def define_steps(model: m.Model, patient: Mapping[str, Value], *conds: m.Cond | None) -> list[PathStep]:
    """`define_texts` as path steps (after the step whose conditions use them)."""
    return [PathStep(kind="define", text=text, span=span) for text, span in define_texts(model, patient, *conds)]


class Minimiser:
    """Makes solver models readable (see the module docstring)."""

    def __init__(self, model: m.Model, constants: Mapping[str, Iterable[Fraction]] | None = None) -> None:
        """`constants`: the thresholds to try per variable (default: every comparison in the model)."""
        self.model = model
        if constants is None:
            constants = model_constants(model)
        self._constants = {k: sorted(set(v)) for k, v in constants.items()}
        self._candidates: dict[str, list[Value]] = {}

    def candidates(self, var: m.Variable) -> list[Value]:
        hit = self._candidates.get(var.name)
        if hit is not None:
            return hit
        t = var.type
        out: list[Value]
        if isinstance(t, m.BoolType):
            out = [False, True]
        elif isinstance(t, m.EnumType):
            out = list(t.values)
        else:
            # a later result of a finding is compared with the finding's thresholds
            known = [*self._constants.get(var.name, []), *self._constants.get(var.finding, [])]
            consts = sorted({c for c in known if t.low <= c <= t.high})
            nums: set[Fraction] = {t.low, t.high}
            if t.low <= 0 <= t.high:
                nums.add(Fraction(0))
            for c in consts:
                for k in (math.floor(c) - 1, math.floor(c), math.ceil(c), math.ceil(c) + 1):
                    if t.low <= k <= t.high:
                        nums.add(Fraction(k))
                if not t.integer:
                    nums.add(c)
            if not t.integer:
                edges = sorted({t.low, t.high, *consts})
                for lo, hi in itertools.pairwise(edges):
                    nums.update(simple_inside(lo, hi, t.unit))
                    nums.add(nice_value(lo, True, hi, True))
            ranked = sorted(nums, key=lambda x: (cost(x, t.unit), abs(x), x))
            out = list(ranked[:CANDIDATE_VALUES])
        self._candidates[var.name] = out
        return out

    def improve(
        self,
        patient: Patient,
        holds: Predicate,
        names: Sequence[str] | None = None,
        budget: int = 400,
    ) -> Patient:
        """Simplify values one variable at a time (model order) while `holds` stays true.

        `budget` bounds the number of evaluations of `holds`."""
        current = dict(patient)
        if not _safe(holds, current):
            return current
        for var in self.model.variables:
            if names is not None and var.name not in names:
                continue
            now = current.get(var.name)
            if now is None:
                continue
            for cand in self.candidates(var):
                if cand == now and type(cand) is type(now):
                    break
                if budget <= 0:
                    return current
                budget -= 1
                current[var.name] = cand
                if _safe(holds, current):
                    break
                current[var.name] = now
            now = current[var.name]
            if isinstance(now, Fraction) and isinstance(var.type, m.NumberType) and cost(now, var.type.unit) > 2:
                # a raw solver value no candidate could replace: the simplest value near it that still holds
                for cand in rounded(now, var.type.unit):
                    if budget <= 0:
                        return current
                    budget -= 1
                    current[var.name] = cand
                    if _safe(holds, current):
                        break
                    current[var.name] = now
        return current


def _decimals(x: Fraction) -> int | None:
    """The number of decimal digits of `x`, or None if it is no exact decimal (within 6 digits)."""
    for digits in range(7):
        if (x * 10**digits).denominator == 1:
            return digits
    return None


def cost(x: Fraction, unit: str | None) -> int:
    """How hard `x` is to read, as exact text (see `dsl.evidence.format_quantity`).

    0 integer; 1-2 a decimal of one or two digits; 3-5 an integer or a short decimal in
    a smaller unit of the same kind (2161/60 hours = 2161 minutes); 6-9 a longer decimal;
    10 a fraction."""
    digits = _decimals(x)
    if digits is not None and digits <= 2:
        return digits
    if unit is not None:
        for u in smaller_units(unit):
            d = _decimals(x * UNITS[unit][1] / UNITS[u][1])
            if d is not None and d <= 2:
                return 3 + d
    if digits is not None:
        return 3 + digits
    return 10


def _steps(unit: str | None) -> list[Fraction]:
    """Grid steps, coarsest first: 1, 0.1, 0.01 of the unit, then of each smaller unit."""
    out = [Fraction(1), Fraction(1, 10), Fraction(1, 100)]
    if unit is not None:
        for u in smaller_units(unit):
            f = UNITS[u][1] / UNITS[unit][1]
            out.extend((f, f / 10, f / 100))
    return out


def simple_inside(lo: Fraction, hi: Fraction, unit: str | None) -> list[Fraction]:
    """The simplest values strictly between `lo` and `hi`: on the coarsest grid that has one."""
    out: list[Fraction] = []
    for step in _steps(unit):
        x = (math.floor(lo / step) + 1) * step
        if x < hi:
            out.append(x)
            if len(out) >= 2:
                break
    return out


def rounded(x: Fraction, unit: str | None) -> list[Fraction]:
    """Values near `x` on ever finer grids (below and above), the simplest first."""
    out: list[Fraction] = []
    for step in _steps(unit):
        for y in (math.floor(x / step) * step, math.ceil(x / step) * step):
            if y not in out and y != x:
                out.append(y)
    return out


def _safe(holds: Predicate, patient: Mapping[str, Value]) -> bool:
    try:
        return holds(patient)
    except MissingValue:
        return False


def assignments(model: m.Model, patient: Mapping[str, Value], findings: Iterable[str]) -> tuple[Assignment, ...]:
    """All inputs, and the given findings, in declaration order, with their declared units.

    `findings` are result keys (`us_result`, `us_result#2`): a finding is shown with every
    result up to the latest one given (`us_result = nondiagnostic then benign`)."""
    upto: dict[str, int] = {}
    for key in findings:
        name, k = m.split_result(key)
        upto[name] = max(upto.get(name, 0), k)
    out: list[Assignment] = []
    for v in model.variables:
        if v.result != 1 or v.name not in patient:
            continue
        results: list[Value] = [patient[v.name]]
        if v.is_finding:
            if v.name not in upto:
                continue
            for k in range(2, upto[v.name] + 1):
                later = patient.get(m.result_key(v.name, k))
                if later is None:
                    break
                results.append(later)
        value: m.Fact = results[0] if len(results) == 1 else tuple(results)
        out.append(Assignment(name=v.name, value=value, unit=unit_of(v)))
    return tuple(out)


def region_of(model: m.Model, space: Space, box: Box) -> Region:
    """A box of `space` as a typed region with exact bounds (the variables' declared units)."""
    constraints: list[Constraint] = []
    free: list[str] = []
    for i, d in enumerate(space.dims):
        item = box[i]
        full = space.full[i]
        if item == full:
            free.append(result_label(d.var))
            continue
        var = model.variable(d.var)
        unit = unit_of(var)
        # a later result of a repeated study (the decision reads the latest): named by its finding
        make = partial(Constraint, var=var.finding, result=var.result)
        if d.kind == "enum":
            assert isinstance(item, int)
            vals: tuple[Value, ...] = tuple(v for k, v in enumerate(d.values) if item >> k & 1)
            constraints.append(make(values=vals))
            continue
        if d.kind == "bool":
            constraints.append(make(values=(item == 0b10,)))
            continue
        assert isinstance(item, tuple) and isinstance(full, tuple)
        a, b = item
        if d.kind == "int":
            if a == b:
                constraints.append(make(unit=unit, values=(Fraction(a),)))
            else:
                constraints.append(
                    make(
                        unit=unit,
                        low=None if a == full[0] else Fraction(a),
                        high=None if b == full[1] else Fraction(b),
                    )
                )
            continue
        lo, lo_open, hi, hi_open = space.real_bounds(d, a, b)
        if lo == hi:
            constraints.append(make(unit=unit, values=(lo,)))
            continue
        constraints.append(
            make(
                unit=unit,
                low=None if a == full[0] else lo,
                low_open=lo_open,
                high=None if b == full[1] else hi,
                high_open=hi_open,
            )
        )
    return Region(constraints=tuple(constraints), free=tuple(free))


def path_steps(
    graph: DecisionGraph,
    prod: Product,
    path: Sequence[tuple[int, GuardKey]],
    patient: Mapping[str, Value],
    results_of_last: bool = True,
    texts: dict[int, str] | None = None,
) -> tuple[list[PathStep], list[str]]:
    """Readable steps of a product path, and the findings revealed along it (as result keys).

    `texts`: the text of each rule quoted so far, by `id(rule)`, kept by a caller that holds the
    model (a pathway's counterexample paths quote the same rules again and again).

    `results_of_last=False`: the path ends where an order step is taken, before its results
    are known (a property violated by that order), so the findings it reveals are not shown."""
    model = graph.model
    steps: list[PathStep] = []
    revealed: list[str] = []
    for k, (i, _) in enumerate(path):
        node = prod.nodes[i][0]
        attrs = graph.graph.nodes[node]
        kind = attrs["kind"]
        nxt = path[k + 1][1] if k + 1 < len(path) else None
        if kind == "decision":
            decision = model.decision(attrs["decision"])
            if nxt is not None:
                rule = decision.rules[nxt[1] - 1]
                if texts is None:
                    text = rule_text(rule, model)
                else:
                    text = texts.get(id(rule)) or texts.setdefault(id(rule), rule_text(rule, model))
                steps.append(
                    PathStep(
                        kind="decision",
                        text=f"decision {decision.name} ({decision.title}): rule {rule_name(rule)} applies: {text}",
                        span=rule.cond_span,
                    )
                )
                # what each named condition of the rule meant here: on the latest results
                table = graph.fresh_model.decision(graph.table_key(node))
                read = next(r for r in table.rules if r.index == rule.index)
                steps.extend(define_steps(graph.fresh_model, patient, read.cond))
            else:
                steps.append(
                    PathStep(kind="decision", text=f"decision {decision.name} ({decision.title})", span=decision.span)
                )
        elif kind == "order":
            steps.append(PathStep(kind="order", text=graph.order_text(node), span=attrs["span"]))
            if k + 1 == len(path) and not results_of_last:
                continue
            for f in graph.results_of(node):
                if f in patient and f not in revealed:
                    revealed.append(f)
                    steps.append(finding_step(graph.fresh_model.variable(f), patient[f]))
        elif kind == "choice":
            continue  # the option's order step, next, names the choice and the option taken
        elif node == LIMIT_NODE:
            steps.append(PathStep(kind="limit", text="revisit limit reached: the pathway stops without a disposition"))
        else:
            disp = model.disposition(attrs["disposition"])
            steps.append(PathStep(kind="end", text=f"end {disp.name} ({disp.title})", span=disp.span))
    return steps, revealed


def finding_step(var: m.Variable, value: Value) -> PathStep:
    """The path step of a revealed result: `finding us_result = benign`, `finding us_result (result 2) = benign`."""
    return PathStep(
        kind="finding", text=f"finding {result_label(var.name)} = {show_value(value, unit_of(var))}", span=var.span
    )


def make_evidence(
    check: str,
    verdict: Literal["refuted", "unknown"],
    *,
    patient: Sequence[Assignment] | None = None,
    path: Sequence[PathStep] = (),
    region: Region | None = None,
    reason: str | None = None,
    expected: str | None = None,
    actual: str | None = None,
    condition: str | None = None,
    rules: Sequence[str] = (),
) -> Evidence:
    """The typed payload of a verification diagnostic; a counterexample when there is a patient or a path."""
    cex = None
    if patient is not None or path or region is not None:
        cex = Counterexample(patient=tuple(patient or ()), path=tuple(path), region=region)
    return Evidence(
        check=check,
        verdict=verdict,
        counterexample=cex,
        reason=reason,
        expected=expected,
        actual=actual,
        condition=condition,
        rules=tuple(rules),
    )
