"""Planted bugs: the verifier finds exactly the planted ones, with valid counterexamples.

What each spec of tests/data/verify must produce is written in the spec, as '# expect:' comments on
the lines the findings point at (see `tests.verify.helpers.expectations`)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from dsl.codes import EXAMPLE_FAILED, UNREAD_EXAMPLE_FACT
from tests.dsl.support import case_id
from tests.verify import reference as ref
from tests.verify.helpers import DATA, Expected, base_id, expectations, findings, load_graph, validate
from verify import Report, Verdict, run_examples, verify_graph
from veripath.api import load_spec
from veripath.render import render_text

SPECS = sorted(DATA.glob("*.vp"))
VERIFIED = [p for p in SPECS if not p.name.startswith("example_")]  # example_*: only examples fail


def _report(spec: Path) -> Report:
    graph = load_graph(spec)
    report = verify_graph(graph)
    report.extend(run_examples(graph))
    return report


def test_the_planted_specs_expect_findings() -> None:
    planted = [p for p in SPECS if p.name.startswith(("planted_", "exact_", "example_"))]
    assert len(planted) >= 10
    assert [p.name for p in planted if not expectations(p)] == []


def test_expectations_are_parsed_from_their_own_line(tmp_path: Path) -> None:
    spec = tmp_path / "x.vp"
    spec.write_text(
        'guideline x "X" version "1"\n'
        "\n"
        'example "a b"  # expect: VP308 example:a b  # a note\n'
        "decision d  # expect: VP301 gap:d  # expect: VP302 conflict:d:r1:r2\n",
        encoding="utf-8",
    )
    assert expectations(spec) == [
        Expected(3, "VP308", "example:a b"),
        Expected(4, "VP301", "gap:d"),
        Expected(4, "VP302", "conflict:d:r1:r2"),
    ]
    spec.write_text("decision d  # ct: expect VP306\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="malformed expectation"):
        expectations(spec)


@pytest.mark.parametrize("spec", SPECS, ids=case_id)
def test_finds_exactly_the_planted_bugs(spec: Path) -> None:
    report = _report(spec)
    assert not report.unknown(), [r.check for r in report.unknown()]
    assert findings(report, spec) == expectations(spec)


@pytest.mark.parametrize("spec", VERIFIED, ids=case_id)
def test_counterexamples_exhibit_the_problem(spec: Path) -> None:
    graph = load_graph(spec)
    refuted = verify_graph(graph).refuted()
    assert len(refuted) >= len([e for e in expectations(spec) if not e.check.startswith("example:")])
    for result in refuted:
        assert result.diagnostic is not None
        validate(graph, result.diagnostic)


@pytest.mark.parametrize("spec", VERIFIED, ids=case_id)
def test_agrees_with_brute_force(spec: Path) -> None:
    graph = load_graph(spec)
    found = {base_id(r.check) for r in verify_graph(graph).refuted()}
    assert found == ref.findings(graph)
    assert found == {e.check for e in expectations(spec)}


@pytest.mark.parametrize("spec", SPECS, ids=case_id)
def test_proved_results_carry_no_diagnostic_but_an_example_warning(spec: Path) -> None:
    results = _report(spec).results
    assert results
    for r in results:
        assert r.diagnostic is not None or r.verdict is Verdict.PROVED
        if r.verdict is Verdict.PROVED and r.diagnostic is not None:  # only a passed example's own warning
            assert r.check.startswith("example:") and r.diagnostic.code is UNREAD_EXAMPLE_FACT
        if r.diagnostic is not None:
            assert r.diagnostic.evidence is not None
            assert r.diagnostic.evidence.check == r.check
        assert r.seconds >= 0


def test_spans_point_at_the_right_place() -> None:
    graph = load_graph("planted_unique.vp")
    by_check = verify_graph(graph).by_check()
    decision = graph.model.decision("triage")
    gap = by_check["gap:triage"].diagnostic
    conflict = by_check["conflict:triage:r1:r2"].diagnostic
    assert gap is not None and conflict is not None
    assert gap.span == decision.span
    assert conflict.span == decision.rules[1].span  # the second rule
    assert conflict.notes[0].span == decision.rules[0].span


def test_gap_region_is_readable() -> None:
    graph = load_graph("planted_unique.vp")
    gap = verify_graph(graph).by_check()["gap:triage"].diagnostic
    assert gap is not None and gap.counterexample is not None
    assert gap.counterexample.region is not None
    assert gap.counterexample.region.text() == "depth = superficial and size_cm >= 10 cm and pain = false"
    assert gap.counterexample.values() == {"depth": "superficial", "size_cm": 10, "pain": False}
    assert gap.counterexample.patient_text() == "depth = superficial, size_cm = 10 cm, pain = false"


def test_gap_in_context_names_only_reachable_patients() -> None:
    graph = load_graph("planted_context.vp")
    gap = verify_graph(graph).by_check()["gap:deep_next"].diagnostic
    assert gap is not None and gap.counterexample is not None
    cex = gap.counterexample
    assert cex.region is not None
    assert cex.region.text() == "depth = deep and age >= 40 years and mri_result = indeterminate"
    assert cex.values()["depth"] == "deep"
    assert cex.values()["age"] == 40
    texts = [s.text for s in cex.path]
    assert [s.kind for s in cex.path][-1] == "final"
    assert texts[0].startswith("decision triage")
    assert "finding mri_result = indeterminate" in texts
    assert texts[-1] == "no rule of decision deep_next matches"


def test_property_counterexample_path() -> None:
    graph = load_graph("planted_properties.vp")
    diag = verify_graph(graph).by_check()["property:p_before"].diagnostic
    assert diag is not None and diag.counterexample is not None
    texts = [s.text for s in diag.counterexample.path]
    assert [s.kind for s in diag.counterexample.path] == ["decision", "order", "finding", "decision", "order", "final"]
    assert texts == [
        "decision initial (Initial): rule r1 applies: depth == superficial",
        "order us_plain",
        "finding us_result = suspicious",
        "decision sup (Superficial): rule r2 applies: size_cm < 3 cm",
        "order biopsy",
        "violation: biopsy is ordered before any cross_sectional",
    ]
    assert diag.counterexample.values() == {
        "depth": "superficial",
        "mri_contraindicated": False,
        "size_cm": 0,
        "us_result": "suspicious",
    }


def test_revisit_limit_counts_as_not_ending() -> None:
    graph = load_graph("planted_loop.vp")
    diag = verify_graph(graph).by_check()["property:ends"].diagnostic
    assert diag is not None and diag.counterexample is not None
    assert diag.counterexample.path[-2].kind == "limit"
    assert diag.counterexample.path[-2].text.startswith("revisit limit reached")


def test_output_is_deterministic() -> None:
    for name in ("planted_properties.vp", "planted_context.vp"):
        graph = load_graph(name)
        a = [d.to_json() for d in verify_graph(graph).diagnostics()]
        b = [d.to_json() for d in verify_graph(load_graph(name)).diagnostics()]
        assert a == b


def test_diagnostics_render_and_serialise() -> None:
    """Each part of a finding is in its text and its JSON exactly when the finding has it (the full
    text is pinned by the golden reports; this checks it against the diagnostic's own fields)."""
    seen: Counter[str] = Counter()
    for spec in SPECS:
        loaded = load_spec(str(spec))
        assert loaded.graph is not None
        report = verify_graph(loaded.graph)
        report.extend(run_examples(loaded.graph))
        for d in report.diagnostics():
            data = json.loads(json.dumps(d.to_json()))
            assert d.span is not None and d.evidence is not None
            assert (data["code"], data["message"]) == (d.code.code, d.message)
            assert (data["location"]["line"], data["location"]["column"]) == (d.span.line, d.span.column)
            assert data["data"]["check"] == d.evidence.check
            text = render_text(d, loaded.sources)
            assert text.startswith(f"{d.span}: {d.severity.value}: {d.message} [{d.code.code}]\n")
            cex = d.counterexample
            parts = {
                "patient": (cex is not None and bool(cex.patient), "  patient: "),
                "region": (cex is not None and cex.region is not None, "  uncovered region: "),
                "path": (cex is not None and bool(cex.path), "  path:\n"),
                "example": (d.code == EXAMPLE_FAILED, "  expected: "),
            }
            for part, (has, line) in parts.items():
                assert (line in text) == has, (d.evidence.check, part)
                seen[part] += has
            if cex is not None and cex.patient:
                assert "  patient: " + cex.patient_text() + "\n" in text
                assert data["data"]["patient"].keys() == cex.values().keys()
            if cex is not None and cex.region is not None:
                assert "  uncovered region: " + cex.region.text() + "\n" in text
                assert data["data"]["region"]["text"] == cex.region.text()
            if d.code == EXAMPLE_FAILED:
                assert "  actual: " in text
    assert set(seen) == {"patient", "region", "path", "example"} and min(seen.values()) > 0, seen
