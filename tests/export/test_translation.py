"""Translation validation: the JSON reference evaluator agrees with the verifier's simulator.

On every shipped spec, exhaustively over every class of patients (finite domains in
full, numbers at every threshold ± the smallest step: `support.explore`), on partial
patients (what is still needed), on every example, and on random specs (hypothesis).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings

from compiler.graph import DecisionGraph
from compiler.json_eval import FactError, Tables, run
from dsl.model import Value
from tests.export.support import ROOT, SPECS, agree, as_json, boundary_values, explore, matches, tables_of
from tests.verify.helpers import load_graph
from tests.verify.specgen import RANDOM_SPECS, Built, load_random, specs

COMMON = RANDOM_SPECS


def _completions(graph: DecisionGraph, patient: dict[str, Value]) -> Iterator[dict[str, Value]]:
    """Two full patients that extend `patient`: every other value at its first, then its last value."""
    model = graph.fresh_model  # every result of a repeated study, too
    values = {v.name: boundary_values(graph.model, model.variable(v.finding)) for v in model.variables}
    for pick in (0, -1):
        yield {v: patient.get(v, values[v][pick]) for v in values}


def _check_everything(graph: DecisionGraph, tables: Tables) -> dict[str, int]:
    seen: dict[str, int] = {}
    for patient in explore(graph, tables):
        result = agree(graph, tables, patient)
        seen[result.status] = seen.get(result.status, 0) + 1
        if result.status != "needs":
            for full in _completions(graph, patient):
                agree(graph, tables, full)
    return seen


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_shipped_specs_agree_on_every_class_of_patients(spec: Path) -> None:
    graph = load_graph(spec)
    seen = _check_everything(graph, tables_of(graph))
    assert seen.get("needs", 0) > 0 and seen.get("end", 0) > 0, seen


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_shipped_examples_pass_through_the_evaluator(spec: Path) -> None:
    graph = load_graph(spec)
    tables = tables_of(graph)
    assert graph.model.examples
    for example in graph.model.examples:
        result = agree(graph, tables, dict(example.given))
        assert result.status == "end", example.title
        assert result.end == example.expect_end, example.title
        if example.expect_orders is not None:
            assert matches(example.expect_orders, result.orders), example.title


def test_every_exported_example_passes_from_the_document_alone() -> None:
    graph = load_graph(SPECS[-1])
    tables = tables_of(graph)
    for example in tables.doc["examples"]:
        result = run(tables, example["given"])
        assert (result.status, result.end) == ("end", example["expect"]["end"])
        assert example["expect"]["orders"] is None or matches(tuple(example["expect"]["orders"]), result.orders)


def test_facts_outside_their_domain_are_refused() -> None:
    tables = tables_of(load_graph(SPECS[-1]))
    bad: list[dict[str, object]] = [
        {"size_cm": "121/2"},
        {"size_cm": "x"},
        {"size_cm": True},
        {"depth": "shallow"},
        {"us_feasible": "yes"},
        {"nope": 1},
    ]
    for facts in bad:
        with pytest.raises(FactError):
            run(tables, facts)
    assert str(tables.fact("size_cm", "121/4")) == "121/4"
    assert str(tables.fact("size_cm", 2.5)) == "5/2"


def _random(built: Built, folder: Path, limit: int) -> None:
    graph = load_random(built, folder)
    tables = tables_of(graph, folder)
    for n, patient in enumerate(explore(graph, tables)):
        if n >= limit:
            break
        result = agree(graph, tables, patient)
        if result.status != "needs":
            for full in _completions(graph, patient):
                agree(graph, tables, full)
    for example in graph.model.examples:
        agree(graph, tables, dict(example.given))
    assert as_json({}) == {}


@settings(COMMON, max_examples=50)
@given(built=specs())
def test_random_specs_agree(built: Built, tmp_path_factory: pytest.TempPathFactory) -> None:
    _random(built, tmp_path_factory.mktemp("spec"), limit=300)


@pytest.mark.slow
@settings(COMMON, max_examples=600)
@given(built=specs())
def test_random_specs_agree_exhaustively(built: Built, tmp_path_factory: pytest.TempPathFactory) -> None:
    _random(built, tmp_path_factory.mktemp("spec"), limit=10**9)


@pytest.mark.parametrize("case", ["defines", "subpathway"])
def test_named_conditions_and_sub_pathways_agree_on_every_class_of_patients(case: str) -> None:
    graph = load_graph(ROOT / "tests" / "data" / "dsl" / f"{case}.vp")
    seen = _check_everything(graph, tables_of(graph))
    assert seen.get("end", 0) > 0, seen
