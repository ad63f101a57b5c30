"""Counterexamples are exact: every printed patient and region denotes exactly what was found.

The replay tests read the *text* that `veripath check` prints, paste each patient into an
example's `given` (so the DSL's own number and unit parsing reads it back) and check that
the patient reproduces the finding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from dsl.diagnostics import Diagnostic
from dsl.evidence import (
    Assignment,
    Constraint,
    Counterexample,
    Region,
    fact_from_json,
    format_quantity,
    value_from_json,
)
from dsl.model import Fact, Value, format_value
from tests.cli.support import run
from tests.verify.helpers import DATA, load_graph, validate, validate_patient
from verify import verify_graph
from verify.counterexample import Minimiser, cost
from veripath.api import load_spec

# every spec of tests/data/verify whose checks find something with a patient
REPLAYED = sorted(p.name for p in DATA.glob("*.vp") if p.name.startswith(("planted_", "exact_")))
HEADER = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?:error|warning|note): .* \[(?P<code>VP\d{3})\]$")


@dataclass(frozen=True)
class Printed:
    """One diagnostic of the text output: where, which code, and its counterexample lines."""

    line: int
    column: int
    code: str
    patient: str | None
    region: str | None


def printed(stderr: str) -> list[Printed]:
    out: list[Printed] = []
    head: re.Match[str] | None = None
    patient: str | None = None
    region: str | None = None

    def flush() -> None:
        if head is not None:
            out.append(Printed(int(head["line"]), int(head["col"]), head["code"], patient, region))

    for line in stderr.splitlines():
        m = HEADER.match(line)
        if m is not None:
            flush()
            head, patient, region = m, None, None
        elif line.startswith("  patient: "):
            patient = line.removeprefix("  patient: ")
        elif line.startswith("  uncovered region: "):
            region = line.removeprefix("  uncovered region: ")
    flush()
    return out


def given_values(spec: Path, given: str, tmp_path: Path) -> dict[str, Fact]:
    """`given` (printed text) as the DSL reads it in an example of `spec`: values in the declared units
    (a finding's several results, `us_result = nondiagnostic then benign`, as a tuple)."""
    text = spec.read_text(encoding="utf-8")
    loaded = load_spec(str(spec))
    assert loaded.model is not None
    end = loaded.model.dispositions[0].name
    copy = tmp_path / spec.name
    copy.write_text(
        f'{text}\nexample "replay" cite {loaded.model.sources[0].name} given {given} expect end {end}\n',
        encoding="utf-8",
    )
    replay = load_spec(str(copy))
    assert replay.model is not None, [str(d) for d in replay.diagnostics]
    assert not [d for d in replay.diagnostics if d.is_error], [str(d) for d in replay.diagnostics]
    return dict(replay.model.examples[-1].given)


def _check_both(spec: Path) -> tuple[list[Printed], list[dict[str, Any]]]:
    text = run("check", "--no-color", str(spec))
    as_json = run("check", "--format", "json", str(spec))
    shown = printed(text.stdout)
    diags = [d for f in json.loads(as_json.stdout)["files"] for d in f["diagnostics"]]
    findings = 1 if any(d["severity"] == "error" for d in diags) else 0
    assert text.exit_code == as_json.exit_code == findings, text.stdout
    key = [(p.line, p.column, p.code) for p in shown]
    assert key == [(d["location"]["line"], d["location"]["column"], d["code"]) for d in diags]
    return shown, diags


@pytest.mark.parametrize("name", REPLAYED)
def test_every_printed_counterexample_replays_from_its_text(name: str, tmp_path: Path) -> None:
    spec = DATA / name
    graph = load_graph(name)
    shown, diags = _check_both(spec)
    cexes = [r.diagnostic.counterexample for r in verify_graph(graph).refuted() if r.diagnostic is not None]
    with_patient = len([c for c in cexes if c is not None and c.patient])
    replayed = 0
    for p, d in zip(shown, diags, strict=True):
        data = d["data"]
        if "patient" not in data:
            assert p.patient is None
            continue
        assert p.patient is not None, d
        values = given_values(spec, p.patient, tmp_path)
        assert values == {k: fact_from_json(v) for k, v in data["patient"].items()}
        validate_patient(graph, data["check"], values)
        if p.region is not None:
            assert p.region == data["region"]["text"]
            for c in data["region"]["constraints"]:
                if c.get("result", 1) != 1:
                    continue  # a later result: the patient line replays it (`x = a then b`)
                for side in ("low", "high"):
                    if side in c:
                        assert given_values(spec, f"{c['var']} = {c[side]['display']}", tmp_path) == {
                            c["var"]: Fraction(c[side]["value"])
                        }
        replayed += 1
    assert replayed == with_patient > 0, f"{name}: {replayed} of {with_patient} counterexamples printed"


def _conflict_patient(spec: Path) -> str:
    shown, diags = _check_both(spec)
    [hit] = [p for p, d in zip(shown, diags, strict=True) if d["data"]["check"] == "conflict:triage:r1:r2"]
    assert hit.patient is not None
    return hit.patient


def test_issue_conflict_patient_reproduces_the_conflict_in_an_example(tmp_path: Path) -> None:
    """Issue 6: `t == 2161 minutes`, `t >= 36`, `t < 36` (t in hours) under `unique`."""
    spec = DATA / "exact_units.vp"
    patient = _conflict_patient(spec)
    assert patient == "t = 2161 minutes, w = 0 kg, age = 0 years"
    copy = tmp_path / "replay.vp"
    copy.write_text(
        spec.read_text(encoding="utf-8") + f'\nexample "pasted" cite src given {patient} expect end review\n',
        encoding="utf-8",
    )
    result = run("test", "--no-color", str(copy))
    assert result.exit_code == 1
    assert "example 'pasted' does not reach a disposition" in result.stdout
    assert "rules r1 and r2 of decision 'triage' both match with different outcomes" in result.stdout


def test_issue_regions_print_exact_bounds() -> None:
    graph = load_graph("exact_units.vp")
    regions = []
    for r in verify_graph(graph).results:
        cex = r.diagnostic.counterexample if r.diagnostic is not None else None
        if cex is not None and cex.region is not None:
            regions.append(cex.region.text())
    assert regions == [
        "145 minutes <= t < 3 hours, any w, age",
        "t >= 3 hours and 1234 g <= w <= 1.3 kg and age >= 7 months",
    ]


def test_json_values_round_trip_to_the_same_fraction() -> None:
    for name in REPLAYED:
        for r in verify_graph(load_graph(name)).results:
            d: Diagnostic | None = r.diagnostic
            cex = d.counterexample if d is not None else None
            if cex is None:
                continue
            data = json.loads(json.dumps(cex.to_json()))
            assert {k: fact_from_json(v) for k, v in data["patient"].items()} == cex.values()
            for a in cex.patient:
                if isinstance(a.value, Fraction):
                    assert data["patient"][a.name]["unit"] == a.unit
            if cex.region is not None:
                for c, cj in zip(cex.region.constraints, data["region"]["constraints"], strict=True):
                    assert (Fraction(cj["low"]["value"]) if "low" in cj else None) == c.low
                    assert (Fraction(cj["high"]["value"]) if "high" in cj else None) == c.high


def test_json_of_the_issue_patient() -> None:
    cex = Counterexample(patient=(Assignment(name="t", value=Fraction(2161, 60), unit="hours"),))
    assert cex.to_json() == {"patient": {"t": {"value": "2161/60", "unit": "hours", "display": "2161 minutes"}}}
    assert value_from_json(cex.to_json()["patient"]["t"]) == Fraction(2161, 60)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (Fraction(36), "hours", "36 hours"),
        (Fraction(5, 2), "hours", "2.5 hours"),
        (Fraction(-1, 20), None, "-0.05"),
        (Fraction(2161, 60), "hours", "2161 minutes"),
        (Fraction(145, 60), "hours", "145 minutes"),
        (Fraction(1, 3), "hours", "20 minutes"),
        (Fraction(1, 7), "weeks", "1 days"),
        (Fraction(1, 12), "years", "1 months"),
        (Fraction(617, 500), "kg", "1234 g"),
        (Fraction(1, 8), "hours", "7.5 minutes"),
        (Fraction(1, 8), None, "0.125"),
        (Fraction(1, 3), None, "1/3"),
        (Fraction(1, 7000), "hours", "1/7000 hours"),
        (Fraction(-4, 3), "cm", "-4/3 cm"),
        (Fraction(45), "mL/min/1.73m2", "45 mL/min/1.73m2"),
        (Fraction(7, 2), "points", "3.5 points"),
        (Fraction(5, 2), "L", "2.5 L"),
        (Fraction(1, 4), "L", "0.25 L"),
        (Fraction(1, 3), "L", "1/3 L"),
    ],
)
def test_numbers_print_as_exact_literals(value: Fraction, unit: str | None, text: str, tmp_path: Path) -> None:
    assert format_quantity(value, unit) == text
    spec = tmp_path / "one.vp"
    declared = f" {unit}" if unit else ""
    spec.write_text(
        'guideline one "One" version "1"\n'
        'source src "Test source"\n'
        f"input x: number in [-100, 100]{declared}\n"
        'disposition ok "OK" reassure\n'
        "start d\n"
        'decision d "D" first\n'
        '  when x >= 0 end ok unrated "t" cite src\n'
        '  otherwise end ok unrated "t" cite src\n',
        encoding="utf-8",
    )
    assert given_values(spec, f"x = {text}", tmp_path) == {"x": value}


def test_format_value_is_exact() -> None:
    assert format_value(Fraction(2161, 60)) == "2161/60"
    assert format_value(Fraction(12345, 1000)) == "12.345"
    assert format_value(Fraction(1, 2**20)) == "1/1048576"  # shorter than its 20-digit decimal
    assert Fraction(format_value(Fraction(-7, 3))) == Fraction(-7, 3)


def test_fraction_literals_parse_and_zero_denominators_are_refused(tmp_path: Path) -> None:
    spec = tmp_path / "frac.vp"
    body = (
        'guideline frac "F" version "1"\n'
        'source src "Test source"\n'
        "input t: number in [0, 60] hours\n"
        'disposition ok "OK" reassure\n'
        'disposition no "No" refer\n'
        "start d\n"
        'decision d "D" first\n'
        '  when t >= {x} end ok unrated "t" cite src\n'
        '  otherwise end no unrated "t" cite src\n'
        'example "at" cite src given t = 2161 minutes expect end ok\n'
        'example "below" cite src given t = 2160.9 minutes expect end no\n'
    )
    spec.write_text(body.replace("{x}", "2161/60"), encoding="utf-8")
    assert run("check", "--no-color", str(spec)).exit_code == 0
    spec.write_text(body.replace("{x}", "1/0"), encoding="utf-8")
    result = run("check", "--no-color", str(spec))
    assert result.exit_code == 2
    assert "error: '1 / 0' divides by zero [VP240]" in result.stdout  # not a fraction: a division, refused


def test_region_text_and_membership() -> None:
    region = Region(
        constraints=(
            Constraint(var="depth", values=("deep",)),
            Constraint(var="t", unit="hours", low=Fraction(145, 60), high=Fraction(3), high_open=True),
        ),
        free=("w",),
    )
    assert region.text() == "depth = deep and 145 minutes <= t < 3 hours, any w"
    assert region.contains({"depth": "deep", "t": Fraction(145, 60)})
    assert not region.contains({"depth": "deep", "t": Fraction(3)})
    assert not region.contains({"depth": "superficial", "t": Fraction(2)})


def test_minimiser_prefers_simple_exact_values() -> None:
    graph = load_graph("exact_units.vp")
    minimiser = Minimiser(graph.model)
    low, high = Fraction(1, 3), Fraction(1, 3) + Fraction(1, 1000)

    def holds(p: Mapping[str, Value]) -> bool:
        t = p["t"]
        return isinstance(t, Fraction) and low < t < high

    raw: dict[str, Value] = {"t": low + Fraction(1, 7000), "w": Fraction(37, 3), "age": Fraction(2, 3)}
    better = minimiser.improve(raw, holds)
    assert holds(better)
    t = better["t"]
    assert isinstance(t, Fraction)
    assert cost(t, "hours") < 10
    assert format_quantity(t, "hours") == "20.01 minutes"
    assert better["w"] == 0 and better["age"] == 0


def test_minimiser_keeps_the_threshold_a_finding_needs() -> None:
    graph = load_graph("exact_units.vp")
    minimiser = Minimiser(graph.model)
    raw: dict[str, Value] = {"t": Fraction(2161, 60), "w": Fraction(37, 3), "age": Fraction(1, 3)}
    better = minimiser.improve(raw, lambda p: p["t"] == Fraction(2161, 60))
    assert better == {"t": Fraction(2161, 60), "w": 0, "age": 0}


def test_sarif_and_junit_carry_exact_values() -> None:
    spec = str(DATA / "exact_units.vp")
    result = run("check", "--format", "sarif", spec)
    assert result.exit_code == 1, result.stderr
    sarif = json.loads(result.stdout)
    props = [r["properties"] for r in sarif["runs"][0]["results"]]  # every verification result has them
    assert len(props) == 5
    conflict = next(p for p in props if p["check"] == "conflict:triage:r1:r2")
    assert conflict["patient"]["t"] == {"value": "2161/60", "unit": "hours", "display": "2161 minutes"}
    # every number carries its input's unit, round ones too (they used to print bare: `w = 0`)
    assert conflict["patient"]["w"] == {"value": "0", "unit": "kg", "display": "0 kg"}
    assert conflict["patient"]["age"] == {"value": "0", "unit": "years", "display": "0 years"}
    junit_result = run("check", "--format", "junit", spec)
    assert junit_result.exit_code == 1, junit_result.stderr
    junit = junit_result.stdout
    assert "patient: t = 2161 minutes, w = 0 kg, age = 0 years" in junit
    assert "uncovered region: 145 minutes &lt;= t &lt; 3 hours, any w, age" in junit


# -- half points and linear comparisons (issue 9) ------------------------------------------------

HALF = (
    'guideline half "Half points" version "1"\nsource src "Test source"\n'
    "input score: integer in [0, 10] points\ninput extra: integer in [0, 10] points\n"
    "input x: number in [0, 10] points\n"
    'disposition low "Low" reassure\ndisposition high "High" refer\nstart d\n'
    'decision d "D" unique\n  when {a} end high unrated "t" cite src\n  when {b} end low unrated "t" cite src\n'
)


def _findings(tmp_path: Path, a: str, b: str) -> list[tuple[str, str, str]]:
    spec = tmp_path / "half.vp"
    spec.write_text(HALF.format(a=a, b=b), encoding="utf-8")
    graph = load_graph(spec)
    out = []
    for r in verify_graph(graph).refuted():
        assert r.diagnostic is not None and r.diagnostic.evidence is not None
        validate(graph, r.diagnostic)  # the printed patient exhibits the finding
        cex = r.diagnostic.evidence.counterexample
        region = cex.region.text() if cex is not None and cex.region is not None else ""
        patient = ", ".join(a.text() for a in cex.patient) if cex is not None else ""
        out.append((r.check, patient, region))
    return out


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("score + 1/2 >= 4 points", "score <= 3"),  # an integer: score + 1/2 >= 4 is score >= 4
        ("score + 1/2 > 3", "score < 3"),  # and score + 1/2 > 3 is score >= 3
        ("2 * score + extra >= 7", "score + extra / 2 < 7/2"),  # two integers: Z3, in integer arithmetic
        ("(score + extra) / 2 >= 5/2", "score + extra <= 4"),
        ("x + 1/2 >= 4", "x < 3.5"),  # a real number: exactly at 3.5
    ],
)
def test_half_points_are_exact(a: str, b: str, tmp_path: Path) -> None:
    assert _findings(tmp_path, a, b) == []


def test_half_point_gaps_and_overlaps_are_exact(tmp_path: Path) -> None:
    # a real score: 3 < x < 3.5 is covered by neither rule
    assert _findings(tmp_path, "x + 1/2 >= 4", "x <= 3") == [
        ("gap:d", "score = 0 points, extra = 0 points, x = 3.1 points", "3 points < x < 3.5 points")
    ]
    # two integers with half-point weights overlap exactly where 2 * score + extra = 7
    ((check, patient, _),) = _findings(tmp_path, "2 * score + extra >= 7", "score + extra / 2 <= 7/2")
    assert check == "conflict:d:r1:r2" and patient == "score = 3 points, extra = 1 points, x = 0 points"


def test_several_results_print_as_then_and_replay(tmp_path: Path) -> None:
    """A study ordered twice: the patient shows both results, and pasted into an example it is the same patient."""
    spec = DATA / "planted_repeat.vp"
    shown, diags = _check_both(spec)
    [(gap, data)] = [(p, d["data"]) for p, d in zip(shown, diags, strict=True) if d["data"]["check"] == "gap:review"]
    assert gap.patient == "urgent = false, us_result = nondiagnostic then benign"
    assert gap.region == "urgent = false and us_result (result 2) = benign"
    assert given_values(spec, gap.patient, tmp_path) == {"urgent": False, "us_result": ("nondiagnostic", "benign")}
    assert data["patient"] == {"urgent": False, "us_result": ["nondiagnostic", "benign"]}
    assert data["region"]["constraints"][1] == {
        "var": "us_result",
        "text": "us_result (result 2) = benign",
        "result": 2,
        "values": ["benign"],
    }
    copy = tmp_path / "replay.vp"
    copy.write_text(
        spec.read_text(encoding="utf-8") + f'\nexample "pasted" cite src given {gap.patient} expect end reassure\n',
        encoding="utf-8",
    )
    result = run("test", "--no-color", str(copy))
    assert result.exit_code == 1
    assert "example 'pasted' does not reach a disposition: no rule of decision 'review' matches" in result.stdout
    assert "finding us_result (result 2) = benign" in result.stdout
