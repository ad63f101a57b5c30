"""The verification stamp: verified only when every check was decided and none failed."""

from __future__ import annotations

from pathlib import Path

from compiler.stamp import SolverSettings, Stamp
from tests.verify.helpers import load_graph
from verify import SolverOptions, run_examples, verify_graph
from verify.stamp import stamp_of

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_spec_is_verified_and_lists_its_proved_properties() -> None:
    graph = load_graph(ROOT / "specs" / "flank_mass.vp")
    options = SolverOptions(timeout_ms=20_000)
    stamp = stamp_of(graph, options, [*verify_graph(graph, options).results, *run_examples(graph).results])
    assert stamp.verified and stamp.warning() is None
    assert stamp.solver == SolverSettings(timeout_ms=20_000, rlimit=options.rlimit, seed=0)
    assert stamp.proved == tuple(p.name for p in graph.model.properties)
    assert stamp.to_json()["proved_properties"] == list(stamp.proved)


def test_a_failing_check_is_refuted() -> None:
    graph = load_graph("planted_properties.vp")
    options = SolverOptions()
    report = verify_graph(graph, options)
    assert report.refuted()
    stamp = stamp_of(graph, options, report.results)
    assert stamp.verdict == "refuted"
    assert stamp.warning() is not None
    assert len(stamp.proved) < len(graph.model.properties)


def test_no_results_is_skipped() -> None:
    graph = load_graph("clean_pathway.vp")
    assert stamp_of(graph, SolverOptions(), []).verdict == "skipped"
    blank = Stamp.unverified()
    assert blank.to_json() == {"verdict": "skipped", "solver": None, "proved_properties": []}
