"""Typed evidence that a diagnostic carries: counterexample patients, paths, regions.

A verification diagnostic says which check it is and its verdict; a refuted check
carries a `Counterexample` (the patient, the path they follow, the uncovered region).
Every number is exact and carries its variable's unit: the text of a value is a literal of
the language that denotes exactly that value (`36 years`, `2.5 cm`, `2161 minutes`,
`2161/60 hours`), so a printed patient can be pasted into an example's `given`; JSON gives
the exact fraction as a string beside its unit (`{"value": "2161/60", "unit": "hours",
"display": "2161 minutes"}`).

This module lives in `dsl/` so that `Diagnostic` can hold it without importing the verifier.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

from dsl.frozen import node
from dsl.model import MAX_DECIMALS, Fact, Value, exact_decimal, format_fact, format_value
from dsl.source import Span
from dsl.units import UNITS

# decision: a decision reached (and the rule that applies); define: whether a named condition of the
# step before holds for the patient, and what it means; final: what the check found there
StepKind = Literal["decision", "define", "order", "finding", "end", "limit", "stop", "final"]
EvidenceVerdict = Literal["refuted", "unknown"]


def smaller_units(unit: str) -> list[str]:
    """Units of the same kind as `unit` and smaller, the nearest first."""
    kind, factor = UNITS[unit]
    same = [(f, u) for u, (k, f) in UNITS.items() if k == kind and f < factor]
    return [u for _, u in sorted(same, reverse=True)]


def format_quantity(x: Fraction, unit: str | None) -> str:
    """`x` (in `unit`, the variable's declared unit) as exact text of the language.

    A number of a variable with a unit is written with it: `36 years`, `2.5 cm`. A value with
    no short exact decimal in its unit is written in the nearest smaller unit of the same kind
    in which it has one (`2161 minutes` for 2161/60 hours), else as a fraction
    (`2161/60 hours`). A variable without a unit gives a bare number (`36`, `2161/60`).
    """
    if unit is None:
        return format_value(x)
    short = exact_decimal(x, 2)
    if short is not None:
        return f"{short} {unit}"
    others = [(u, x * UNITS[unit][1] / UNITS[u][1]) for u in smaller_units(unit)]
    for digits in (0, 2, MAX_DECIMALS):
        if digits == MAX_DECIMALS:
            plain = exact_decimal(x, digits)
            if plain is not None:
                return f"{plain} {unit}"
        for u, y in others:
            text = exact_decimal(y, digits)
            if text is not None:
                return f"{text} {u}"
    return f"{format_value(x)} {unit}"


def format_text(v: Value, unit: str | None = None) -> str:
    """A patient value as text: `true`, `deep`, or an exact number (see `format_quantity`)."""
    if isinstance(v, bool | str):
        return format_value(v)
    return format_quantity(v, unit)


def number_json(x: Fraction, unit: str | None) -> dict[str, Any]:
    """An exact number in JSON: `{"value": "2161/60", "unit": "hours", "display": "2161 minutes"}`."""
    return {"value": str(x), "unit": unit, "display": format_quantity(x, unit)}


def value_json(v: Value, unit: str | None = None) -> Any:
    """Booleans and enumeration values as themselves; numbers exactly (see `number_json`)."""
    if isinstance(v, bool | str):
        return v
    return number_json(v, unit)


def value_from_json(data: Any) -> Value:
    """The inverse of `value_json` (the unit of a number is its variable's declared unit)."""
    if isinstance(data, bool | str):
        return data
    if isinstance(data, dict) and isinstance(data.get("value"), str):
        return Fraction(data["value"])
    raise ValueError(f"not a patient value: {data!r}")


def fact_json(fact: Fact, unit: str | None = None) -> Any:
    """A patient's fact: a value as `value_json`, or a finding's results as a list of them (in order)."""
    if isinstance(fact, tuple):
        return [value_json(v, unit) for v in fact]
    return value_json(fact, unit)


def fact_from_json(data: Any) -> Fact:
    """The inverse of `fact_json`."""
    if isinstance(data, list):
        return tuple(value_from_json(v) for v in data)
    return value_from_json(data)


@node
class Assignment:
    """One fact of a patient: a value, or a finding's results in order (a study ordered more
    than once); numbers are in the variable's declared `unit`."""

    name: str
    value: Fact
    unit: str | None = None

    def text(self) -> str:
        """e.g. `size_cm = 2.5`, `us_result = nondiagnostic then benign` (pasteable into `given`)."""
        return f"{self.name} = {format_fact(self.value, lambda v: format_text(v, self.unit))}"


@node
class PathStep:
    """One step of the path a patient follows, with the place in the source it comes from."""

    kind: StepKind
    text: str
    span: Span | None = None

    @property
    def location(self) -> str:
        return f"{self.span.file}:{self.span.line}:{self.span.column}" if self.span is not None else ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "location": self.location}


@node
class Constraint:
    """The values of one variable in a region: a set (`values`) or an interval (`low`, `high`).

    An interval side that is None is unbounded (the end of the variable's range). `result`
    is the result of a finding the constraint is about (a study ordered more than once: the
    decision reads the latest result); 1 for inputs and the first result."""

    var: str
    unit: str | None = None
    result: int = 1
    values: tuple[Value, ...] = ()
    low: Fraction | None = None
    low_open: bool = False
    high: Fraction | None = None
    high_open: bool = False

    @property
    def label(self) -> str:
        """The variable as readers see it: `us_result`, or `us_result (result 2)`."""
        return self.var if self.result == 1 else f"{self.var} (result {self.result})"

    def text(self) -> str:
        q = self._show
        var = self.label
        if self.values:
            if len(self.values) == 1:
                return f"{var} = {q(self.values[0])}"
            return f"{var} in {{{', '.join(q(v) for v in self.values)}}}"
        lower = None if self.low is None else f"{q(self.low)} {'<' if self.low_open else '<='} "
        upper = None if self.high is None else f" {'<' if self.high_open else '<='} {q(self.high)}"
        if lower is not None and upper is not None:
            return f"{lower}{var}{upper}"
        if upper is not None:
            return f"{var}{upper}"
        if self.low is not None:
            return f"{var} {'>' if self.low_open else '>='} {q(self.low)}"
        return f"any {var}"

    def _show(self, v: Value) -> str:
        return format_text(v, self.unit)

    def holds_for(self, fact: Fact) -> bool:
        """Whether a patient's fact (a value, or a finding's results) lies in the constraint."""
        if isinstance(fact, tuple):
            return len(fact) >= self.result and self.contains(fact[self.result - 1])
        return self.result == 1 and self.contains(fact)

    def contains(self, v: Value) -> bool:
        if self.values:
            return v in self.values and type(v) in {type(x) for x in self.values}
        if not isinstance(v, Fraction):
            return False
        if self.low is not None and (v < self.low or (self.low_open and v == self.low)):
            return False
        return not (self.high is not None and (v > self.high or (self.high_open and v == self.high)))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"var": self.var, "text": self.text()}
        if self.result != 1:
            out["result"] = self.result
        if self.values:
            out["values"] = [value_json(v, self.unit) for v in self.values]
            return out
        if self.low is not None:
            out["low"] = {**number_json(self.low, self.unit), "open": self.low_open}
        if self.high is not None:
            out["high"] = {**number_json(self.high, self.unit), "open": self.high_open}
        return out


@node
class Region:
    """A box of patients: one constraint per constrained variable; `free` variables take any value."""

    constraints: tuple[Constraint, ...]
    free: tuple[str, ...] = ()

    def text(self) -> str:
        """e.g. "depth = deep and 145 minutes <= t < 3, any size_cm"."""
        out = " and ".join(c.text() for c in self.constraints)
        if self.free:
            out = (out + ", " if out else "") + "any " + ", ".join(self.free)
        return out or "every patient"

    def contains(self, patient: dict[str, Fact]) -> bool:
        return all(c.var in patient and c.holds_for(patient[c.var]) for c in self.constraints)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text(),
            "constraints": [c.to_json() for c in self.constraints],
            "free": list(self.free),
        }


@node
class Counterexample:
    """A patient that exhibits a finding, the path they follow, and (gaps) the whole uncovered region."""

    patient: tuple[Assignment, ...]
    path: tuple[PathStep, ...] = ()
    region: Region | None = None

    def values(self) -> dict[str, Fact]:
        """The patient as plain facts keyed by variable name (numbers in the declared units; a
        finding whose study was ordered more than once: its results in order)."""
        return {a.name: a.value for a in self.patient}

    def patient_text(self) -> str:
        """e.g. "depth = deep, t = 2161 minutes": pasteable into an example's `given`."""
        return ", ".join(a.text() for a in self.patient)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"patient": {a.name: fact_json(a.value, a.unit) for a in self.patient}}
        if self.path:
            out["path"] = [s.to_json() for s in self.path]
        if self.region is not None:
            out["region"] = self.region.to_json()
        return out


@node
class Evidence:
    """What a verification diagnostic carries besides its message.

    check: the check id ("gap:next_study", "property:no_early_biopsy", "example:TITLE").
    verdict: "refuted" (a problem was found) or "unknown" (the solver could not decide).
    counterexample: the patient, path and region of a refuted check, when there is one.
    reason: the solver's reason for an unknown verdict.
    expected, actual: a failed example's expected and actual outcome.
    condition: the condition of a dead rule.
    rules: the ids of the two rules of a conflict or overlap.
    """

    check: str
    verdict: EvidenceVerdict
    counterexample: Counterexample | None = None
    reason: str | None = None
    expected: str | None = None
    actual: str | None = None
    condition: str | None = None
    rules: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"check": self.check, "verdict": self.verdict}
        if self.counterexample is not None:
            out.update(self.counterexample.to_json())
        for key in ("reason", "expected", "actual", "condition"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.rules:
            out["rules"] = list(self.rules)
        return out
