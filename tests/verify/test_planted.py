"""Planted bugs: the verifier finds exactly the planted ones, with valid counterexamples."""

from __future__ import annotations

import pytest

from dsl.codes import EXAMPLE_FAILED
from tests.verify import reference as ref
from tests.verify.helpers import DATA, base_id, load_graph, refuted, validate
from verify import Report, Verdict, run_examples, verify_graph

EXPECTED: dict[str, set[tuple[str, str]]] = {
    "clean_pathway.vp": set(),
    "planted_unique.vp": {
        ("gap:triage", "VP301"),
        ("conflict:triage:r1:r2", "VP302"),
        ("redundant:triage:r3:r4", "VP303"),
    },
    "planted_first.vp": {
        ("masked:triage:r2", "VP304"),
        ("dead:triage:r3", "VP305"),
        ("dead:triage:r5", "VP305"),
        ("unreachable:disposition:painful", "VP306"),
    },
    "planted_priority.vp": {
        ("gap:triage", "VP301"),
        ("masked:triage:r2", "VP304"),
        ("conflict:triage:r3:r4", "VP302"),
    },
    "planted_any.vp": {
        ("conflict:triage:r1:r3", "VP302"),
        ("conflict:triage:r2:r3", "VP302"),
    },
    "planted_context.vp": {
        ("gap:deep_next", "VP301"),
        ("dead:deep_next:r3", "VP305"),
        ("unreachable:decision:orphan", "VP306"),
        ("unreachable:action:ct", "VP306"),
        ("unreachable:disposition:discharged", "VP306"),
    },
    "planted_properties.vp": {
        ("gap:staging", "VP301"),
        ("property:p_before", "VP307"),
        ("property:p_eventually", "VP307"),
        ("property:p_when_never", "VP307"),
        ("property:p_never", "VP307"),
        ("property:p_ends", "VP307"),
        ("property:p_repeat", "VP307"),
        ("property:p_steps", "VP307"),
    },
    "planted_nonbox.vp": {
        ("gap:compare", "VP301"),
        ("conflict:compare:r2:r3", "VP302"),
        ("redundant:compare:r1:r4", "VP303"),
    },
    "planted_loop.vp": {
        ("property:ends", "VP307"),
        ("property:repeats_strict", "VP307"),
    },
    "exact_units.vp": {
        ("conflict:triage:r1:r2", "VP302"),
        ("gap:weigh", "VP301"),
        ("conflict:weigh:w2:w4", "VP302"),
        ("redundant:weigh:w3:w4", "VP303"),
    },
}


def _report(name: str) -> Report:
    graph = load_graph(name)
    report = verify_graph(graph)
    report.extend(run_examples(graph))
    return report


def test_every_spec_in_the_folder_has_expectations() -> None:
    specs = {p.name for p in DATA.glob("*.vp") if not p.name.startswith(("example_", "perf_"))}
    assert specs <= set(EXPECTED), specs - set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_finds_exactly_the_planted_bugs(name: str) -> None:
    report = _report(name)
    assert not report.unknown(), [r.check for r in report.unknown()]
    assert refuted(report) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_counterexamples_exhibit_the_problem(name: str) -> None:
    graph = load_graph(name)
    for result in verify_graph(graph).refuted():
        assert result.diagnostic is not None
        validate(graph, result.diagnostic)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_agrees_with_brute_force(name: str) -> None:
    graph = load_graph(name)
    found = {base_id(r.check) for r in verify_graph(graph).refuted()}
    assert found == ref.findings(graph)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_proved_results_carry_no_diagnostic(name: str) -> None:
    for r in _report(name).results:
        assert (r.diagnostic is None) == (r.verdict is Verdict.PROVED)
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
    assert gap.counterexample.region.text() == "depth = superficial and size_cm >= 10 and pain = false"
    assert gap.counterexample.values() == {"depth": "superficial", "size_cm": 10, "pain": False}
    assert gap.counterexample.patient_text() == "depth = superficial, size_cm = 10, pain = false"


def test_gap_in_context_names_only_reachable_patients() -> None:
    graph = load_graph("planted_context.vp")
    gap = verify_graph(graph).by_check()["gap:deep_next"].diagnostic
    assert gap is not None and gap.counterexample is not None
    cex = gap.counterexample
    assert cex.region is not None
    assert cex.region.text() == "depth = deep and age >= 40 and mri_result = indeterminate"
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
        "decision sup (Superficial): rule r2 applies: size_cm < 3",
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
    import json

    from veripath.api import load_spec
    from veripath.render import render_text

    for name in ("planted_context.vp", "planted_properties.vp", "example_failures.vp"):
        loaded = load_spec(str(DATA / name))
        assert loaded.graph is not None
        report = verify_graph(loaded.graph)
        report.extend(run_examples(loaded.graph))
        for d in report.diagnostics():
            json.dumps(d.to_json())
            text = render_text(d, loaded.sources)
            cex = d.counterexample
            if cex is not None and cex.patient:
                assert "  patient: " + cex.patient_text() in text
            if cex is not None and cex.region is not None:
                assert "  uncovered region: " + cex.region.text() in text
            if cex is not None and cex.path:
                assert "  path:" in text
            if d.code == EXAMPLE_FAILED:
                assert "expected: " in text and "actual: " in text
