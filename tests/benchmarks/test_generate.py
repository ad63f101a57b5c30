"""Smoke tests of the benchmark generators and of the runner's --quick logic (seconds, not a benchmark)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import bruteforce as bf
from benchmarks import generate as gen
from benchmarks import report, run
from benchmarks.cases import FULL, QUICK, parse_size
from benchmarks.worker import compare_brute_table, count_paths, same_model
from compiler.lower import lower
from veripath.api import load_spec


@pytest.mark.parametrize("policy", ["unique", "first"])
@pytest.mark.parametrize("finite", [False, True])
def test_table_generator_plants_exactly_what_it_says(policy: str, finite: bool, tmp_path: Path) -> None:
    case = gen.table(80, 5, policy=policy, finite=finite, seed=3)
    decision = case.model.decisions[0]
    assert len(decision.rules) == 80
    assert decision.hit_policy == policy
    graph = lower(case.model)
    assert graph.kind(graph.start) == "decision"
    truth = case.truth
    assert len(truth.gaps) == 2
    if policy == "unique":
        assert truth.conflicts and truth.redundant and not truth.masked
    else:
        assert truth.masked and truth.shadowing and not truth.conflicts
    # brute force over the whole (abstracted) input space finds exactly the planted defects
    space = bf.Space.of(case.model)
    assert compare_brute_table(truth, space, bf.check_table(space, decision))["correct"]
    # the .vp text goes through the front end to the same Model
    path = tmp_path / "t.vp"
    path.write_text(case.text, encoding="utf-8")
    loaded = load_spec(str(path))
    assert not [d for d in loaded.diagnostics if d.is_error]
    assert loaded.model is not None and same_model(loaded.model, case.model)


def test_generators_are_deterministic() -> None:
    assert gen.table(50, 4, seed=1).text == gen.table(50, 4, seed=1).text
    assert gen.table(50, 4, seed=1).text != gen.table(50, 4, seed=2).text
    assert gen.pathway(12).text == gen.pathway(12).text


def test_pathway_generator_small(tmp_path: Path) -> None:
    case = gen.pathway(10)
    graph = lower(case.model)
    assert len(case.model.decisions) == 10
    assert count_paths(graph) >= 2 ** (10 - 2)
    found = bf.check_pathway(graph)
    assert {k: "REFUTED" if v else "PROVED" for k, v in found.violated.items()} == case.truth.expected
    assert not found.gaps and not found.conflicts and not found.dead_rules
    props = {p.name: p for p in case.model.properties}
    for name, patient in case.truth.witnesses.items():
        assert bf.violates(graph, props[name], patient), name
    path = tmp_path / "p.vp"
    path.write_text(case.text, encoding="utf-8")
    loaded = load_spec(str(path))
    assert not [d for d in loaded.diagnostics if d.is_error]
    assert loaded.model is not None and same_model(loaded.model, case.model)


def test_pathway_500_has_more_than_a_billion_paths() -> None:
    graph = lower(gen.pathway(500).model)
    assert count_paths(graph) > 10**9


def test_sizes_and_plans() -> None:
    assert [c.policy for c in parse_size("5000x7")] == ["unique", "first"]
    assert [c.id for c in parse_size("d500")] == ["pathway-500"]
    assert parse_size("300x5-finite")[0].finite
    assert parse_size("cli")[0].kind == "cli"
    with pytest.raises(ValueError):
        parse_size("lots")
    assert {c.target for c in FULL} >= {"T1", "T2", "T3", "T4"}
    assert len({c.id for c in FULL}) == len(FULL) and len({c.id for c in QUICK}) == len(QUICK)


def test_quick_runner_writes_results_and_report(tmp_path: Path) -> None:
    code = run.main(["--quick", "--in-process", "--out", str(tmp_path), "--sizes", "10x3-unique", "d10"])
    results = json.loads((tmp_path / "quick.json").read_text(encoding="utf-8"))["results"]
    assert [r["case"]["id"] for r in results] == ["table-10x3-unique", "pathway-10"]
    assert code == 0, [r.get("error") for r in results]
    table, pathway = results
    assert table["brute"]["correct"] and pathway["brute"]["correct"]
    assert table["parse"]["same_model"] and pathway["parse"]["same_model"]
    if table["fast"]["status"] == "ok":  # the verifier may be mid-rewrite; the runner still reports
        assert table["fast"]["correct"]["correct"]
    text = (tmp_path / "quick.md").read_text(encoding="utf-8")
    assert "### Targets" in text and "table-10x3-unique" in text and report.END in text


def test_report_judges_targets() -> None:
    def table_result(seconds: float, naive: float, correct: bool) -> dict[str, Any]:
        return {
            "case": {"id": "table-5000x7-unique", "kind": "table", "target": "T1"},
            "status": "ok",
            "fast": {"status": "ok", "seconds": seconds, "correct": {"correct": correct}},
            "naive": {"status": "ok", "seconds": naive},
            "rss_fast_mb": 300.0,
        }

    met = dict((t, m) for t, _, _, m in report.targets([table_result(1.0, 100.0, True)]))
    assert met["T1"] == "yes" and met["MEM"] == "yes"
    slow = dict((t, m) for t, _, _, m in report.targets([table_result(3.0, 1000.0, True)]))
    assert slow["T1"] == "**NO**"
    not_enough = dict((t, m) for t, _, _, m in report.targets([table_result(1.0, 20.0, True)]))
    assert not_enough["T1"] == "**NO**"
    wrong = dict((t, m) for t, _, _, m in report.targets([table_result(1.0, 100.0, False)]))
    assert wrong["T1"] == "**NO**"


def test_the_pathway_baseline_knows_every_property_form() -> None:
    """The brute-force baseline agrees with the verifier on the ordering and disposition forms
    (conditions on inputs: it refuses conditions on findings, which are three-valued along a path)."""
    import dataclasses

    from dsl.cond import reads
    from tests.verify.helpers import DATA, load_graph
    from verify import Verdict, verify_graph

    model = load_graph(DATA / "planted_conditional.vp").model
    findings = {v.name for v in model.findings}
    inputs_only = tuple(
        p for p in model.properties if p.condition is None or not {v for v, _ in reads(p.condition)} & findings
    )
    assert {p.kind for p in inputs_only} >= {"always_before", "never_before", "never_end"}
    # the baseline does not read assumptions: compare both without them
    graph = lower(dataclasses.replace(model, properties=inputs_only, assumptions=()))
    verdicts = {
        r.check.split(":", 1)[1]: r.verdict for r in verify_graph(graph).results if r.check.startswith("property:")
    }
    found = bf.check_pathway(graph)
    assert found.violated == {name: v is Verdict.REFUTED for name, v in verdicts.items()}
    for name, patient in found.witnesses.items():
        assert bf.violates(graph, next(p for p in inputs_only if p.name == name), patient), name
    with pytest.raises(ValueError, match="tests a finding"):
        bf.check_pathway(lower(model))
