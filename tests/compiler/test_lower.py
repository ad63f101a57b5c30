"""Lowering to the decision graph: stable ids, determinism, unrolled loops, path checks.

Each `tests/data/compiler/<case>.vp` either carries `# expect:` lines (the path-dependent
diagnostics VP208, VP209, VP210 it must produce) or is clean, and then its Mermaid drawing is
compared with `<case>.expected.mmd` (`--update-golden` rewrites it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from compiler.export_diagram import graph_json, to_dot, to_mermaid
from compiler.graph import LIMIT_NODE, DecisionGraph
from compiler.lower import lower, repeated_studies
from dsl.codes import PATHWAY_CYCLE, UNDEFINED_NAME, UNKNOWN_VALUE
from dsl.cond import reads, rename
from tests.dsl.support import DATA, case_id, cases, check_golden, expectations, found
from veripath.api import SpecError, compile, load, load_spec

COMPILER = DATA / "compiler"
CASES = cases(COMPILER)
SMALL = DATA / "cli" / "small.vp"
EVERYTHING = DATA / "dsl" / "everything.vp"


def _graph(path: Path) -> DecisionGraph:
    loaded = load_spec(str(path))
    assert loaded.diagnostics == [], loaded.diagnostics
    assert loaded.graph is not None
    return loaded.graph


def _edges(graph: DecisionGraph) -> list[tuple[Any, ...]]:
    return [(u, v, k, d["kind"]) for u, v, k, d in graph.graph.edges(keys=True, data=True)]


@pytest.mark.parametrize("spec", CASES, ids=case_id)
def test_compiler_cases(spec: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    monkeypatch.chdir(spec.parent)
    loaded = load_spec(spec.name)
    expected = expectations(spec)
    assert sorted(found(d) for d in loaded.diagnostics) == expected
    if expected:
        assert loaded.graph is None
        return
    assert loaded.graph is not None
    assert nx.is_directed_acyclic_graph(loaded.graph.graph)
    check_golden(to_mermaid(loaded.graph), spec.with_suffix(".expected.mmd"), update_golden)


def test_node_ids_come_from_source_names() -> None:
    graph = _graph(SMALL)
    assert graph.start == "decision:initial"
    assert list(graph.graph.nodes) == [
        "decision:initial",
        "order:initial.r1",
        "decision:after_us",
        "order:initial.r2",
        "end:refer",
        "end:reassure",
        "order:after_us.r2",
    ]
    assert graph.kind("order:initial.r1") == "order"
    assert graph.actions_of("order:initial.r1") == ("us_plain",)
    assert graph.attrs("order:initial.r1")["reveals"] == ("us_result",)
    assert graph.next_node("order:initial.r1") == "decision:after_us"


def test_a_choice_is_a_node_with_one_order_step_per_option() -> None:
    graph = _graph(COMPILER / "choice_in_a_loop.vp")
    assert graph.kind("choice:review.r1") == "choice"
    assert graph.option_nodes("choice:review.r1") == ["order:review.r1/us+xr", "order:review.r1/xr+us"]
    assert graph.option_nodes("choice:review.r1@1") == ["order:review.r1/us+xr@1", "order:review.r1/xr+us@1"]
    # each option's step orders the whole order list of the rule, with that option in the choice's place
    assert graph.actions_of("order:result.r1/us@1") == ("mri", "us")
    assert graph.attrs("order:review.r1/xr+us")["option"] == ("xr", "us")
    assert graph.attrs("order:review.r1/xr+us")["reveals"] == ("us_result",)
    # every option leads where the rule does; the option edges carry no rule (no condition)
    assert {graph.next_node(n) for n in graph.option_nodes("choice:review.r1")} == {"decision:result@1"}
    assert graph.past_orders("choice:review.r1") == "decision:result@1"
    kinds = {k for _, _, k in graph.graph.out_edges("choice:review.r1", data="kind")}
    assert kinds == {"option"}
    assert graph.order_text("order:result.r1/xr@1") == "order mri, xr (xr chosen from one of {us, xr})"
    assert graph.order_text("order:review.r1/us+xr") == "order us, xr (chosen from one of {(us, xr), (xr, us)})"


def test_rule_labels_name_the_edges() -> None:
    graph = _graph(EVERYTHING)
    keys = [k for _, _, k in graph.graph.out_edges("decision:initial", keys=True)]
    assert keys == ["initial.superficial", "initial.deep"]
    assert "order:initial.superficial" in graph.graph


@pytest.mark.parametrize("spec", [SMALL, EVERYTHING, *[c for c in CASES if not expectations(c)]], ids=case_id)
def test_two_loads_give_the_same_graph(spec: Path) -> None:
    a, b = _graph(spec), _graph(spec)
    assert a is not b
    assert list(a.graph.nodes(data=True)) == list(b.graph.nodes(data=True))
    assert list(a.graph.edges(keys=True, data=True)) == list(b.graph.edges(keys=True, data=True))
    assert nx.utils.graphs_equal(a.graph, b.graph)
    assert a.model == b.model
    assert graph_json(a) == graph_json(b)
    assert to_mermaid(a) == to_mermaid(b)
    assert to_dot(a) == to_dot(b)


def test_declaration_order_does_not_change_ids_or_edges(tmp_path: Path) -> None:
    text = SMALL.read_text(encoding="utf-8")
    head, rest = text.split('decision initial "Initial imaging"', 1)
    initial, after = rest.split('decision after_us "After ultrasound"', 1)
    after, tail = after.split("property ", 1)
    swapped = tmp_path / "swapped.vp"
    swapped.write_text(
        head
        + 'decision after_us "After ultrasound"'
        + after
        + 'decision initial "Initial imaging"'
        + initial
        + "property "
        + tail,
        encoding="utf-8",
    )
    a, b = _graph(SMALL), _graph(swapped)
    assert sorted(a.graph.nodes) == sorted(b.graph.nodes)
    assert sorted(_edges(a)) == sorted(_edges(b))


def test_bounded_self_loop_is_unrolled() -> None:
    graph = _graph(COMPILER / "bounded_self_loop.vp")
    assert graph.decision_nodes() == ["decision:review", "decision:review@1"]
    assert graph.order_nodes() == ["order:review.r1", "order:review.r1@1"]
    assert graph.next_node("order:review.r1") == "decision:review@1"
    assert graph.next_node("order:review.r1@1") == LIMIT_NODE
    limit = graph.attrs(LIMIT_NODE)
    assert (limit["kind"], limit["disposition_kind"]) == ("end", "uncovered")
    assert nx.is_directed_acyclic_graph(graph.graph)


def test_the_bound_sets_the_number_of_copies() -> None:
    graph = _graph(COMPILER / "bounded_three_times.vp")
    assert graph.decision_nodes() == ["decision:review", "decision:review@1", "decision:review@2"]
    longest = nx.dag_longest_path(graph.graph)
    assert longest[0] == "decision:review" and longest[-1] == LIMIT_NODE


def test_loop_bounded_at_its_entry_is_unrolled() -> None:
    graph = _graph(COMPILER / "bounded_loop_through_start.vp")
    # Ids carry the visits made to the bounded decision (triage) before this node.
    assert graph.decision_nodes() == ["decision:triage", "decision:assess@1", "decision:triage@1", "decision:assess@2"]
    assert LIMIT_NODE in graph.graph


def test_loop_bounded_on_the_second_decision_is_unrolled(tmp_path: Path) -> None:
    spec = tmp_path / "loop.vp"
    text = (COMPILER / "bounded_loop_through_start.vp").read_text(encoding="utf-8")
    text = text.replace('"Triage" first at most 2 visits', '"Triage" first').replace(
        '"Assess the US" first', '"Assess the US" first at most 2 visits'
    )
    spec.write_text(text, encoding="utf-8")
    loaded = load_spec(str(spec))
    assert loaded.diagnostics == []


def test_mermaid_ids_are_unique(tmp_path: Path) -> None:
    spec = tmp_path / "ids.vp"
    text = (COMPILER / "bounded_self_loop.vp").read_text(encoding="utf-8")
    text = text.replace("  otherwise end done", "  otherwise then review_1")
    text += '\ndecision review_1 "Another decision"  first\n  otherwise end done rated usually_appropriate 9 cite s\n'
    spec.write_text(text, encoding="utf-8")
    mermaid = to_mermaid(_graph(spec))
    declared = [
        line.split("{")[0].split("[")[0].split("(")[0].strip() for line in mermaid.splitlines()[1:] if "--" not in line
    ]
    assert len(declared) == len(set(declared))


def test_api_load_and_compile() -> None:
    model = load(str(SMALL))
    graph = compile(model)
    assert graph.start == "decision:initial"
    assert lower(model).graph.nodes == graph.graph.nodes
    with pytest.raises(SpecError) as err:
        load(str(DATA / "cli" / "broken.vp"))
    assert [d.code for d in err.value.diagnostics] == [UNKNOWN_VALUE, UNDEFINED_NAME]
    assert compile(load(str(COMPILER / "bounded_self_loop.vp"))).start == "decision:review"


def test_compile_rejects_a_cycle() -> None:
    loaded = load_spec(str(COMPILER / "unbounded_self_loop.vp"))
    assert loaded.model is not None and loaded.graph is None
    with pytest.raises(SpecError) as err:
        compile(loaded.model)
    assert [d.code for d in err.value.diagnostics] == [PATHWAY_CYCLE]


def test_catalogues_have_no_graph() -> None:
    loaded = load_spec(str(DATA / "dsl" / "catalogue.vp"))
    assert loaded.ok and loaded.model is not None and loaded.graph is None
    with pytest.raises(ValueError, match="a catalogue has no pathway"):
        lower(loaded.model)


def test_no_orphan_golden_files() -> None:
    orphans = [
        p.name for p in COMPILER.glob("*.expected.mmd") if not p.with_name(p.name.split(".")[0] + ".vp").exists()
    ]
    assert orphans == []


# -- repeated studies ---------------------------------------------------------------------------


def test_a_repeated_study_splits_the_nodes_where_paths_disagree() -> None:
    graph = _graph(COMPILER / "repeated_study_split.vp")
    assert repeated_studies(graph) == ("us",)
    decisions = graph.decision_nodes()
    assert decisions[:3] == ["decision:triage", "decision:review+us=1", "decision:first_look"]
    assert {"decision:review+us=2", "decision:again+us=2", "decision:again+us=3", "decision:again@1+us=3"} <= set(
        decisions
    )
    # the copies after the second order read the second result, through a copy of the decision
    assert graph.table_key("decision:review+us=1") == "review"
    assert graph.table_key("decision:review+us=2") == "review{us_result#2}"
    assert graph.attrs("decision:review+us=2")["latest"] == (("us_result", "us_result#2"),)
    table = graph.fresh_model.decision("review{us_result#2}")
    assert table.name == "review" and [r.id for r in table.rules] == [
        r.id for r in graph.model.decision("review").rules
    ]
    assert table.rules[0].cond == rename(graph.model.decision("review").rules[0].cond, {"us_result": "us_result#2"})
    assert graph.results_of("order:first_look.r1") == ("us_result#2",)
    assert graph.results_of("order:triage.r1") == ("us_result",)
    # the model of fresh results: a variable per result, after its finding; the front end's model is untouched
    names = [v.name for v in graph.fresh_model.variables]
    assert names == ["urgent", "us_result", *(f"us_result#{k}" for k in range(2, 6))]
    assert [v.name for v in graph.model.variables] == ["urgent", "us_result"]
    assert graph.model.latest_copies == ()
    assert [d.key for d in graph.fresh_model.latest_copies] == [
        "again{us_result#2}",
        "review{us_result#2}",
        "again{us_result#3}",
        "again{us_result#4}",
    ]


def test_without_a_repeated_study_the_graph_is_the_unrolled_loop_alone() -> None:
    for name in ("bounded_self_loop.vp", "finding_known_after_join.vp"):
        graph = _graph(COMPILER / name)
        if repeated_studies(graph):  # the loop re-orders its study: ids keep their visits only
            assert graph.fresh is not None
            assert all("+" not in n for n in graph.graph.nodes)
        else:
            assert graph.fresh is None and graph.fresh_model is graph.model
            assert all("latest" not in d and "results" not in d for _, d in graph.graph.nodes(data=True))
    shipped = _graph(DATA.parent.parent / "specs" / "soft_tissue_mass.vp")
    assert shipped.fresh is None and repeated_studies(shipped) == ()


def test_an_assumption_on_a_repeated_finding_holds_for_every_result(tmp_path: Path) -> None:
    spec = tmp_path / "a.vp"
    spec.write_text(
        (COMPILER / "repeated_study_split.vp").read_text(encoding="utf-8")
        + 'assume "an urgent patient has no normal result": urgent implies us_result != normal\n',
        encoding="utf-8",
    )
    graph = _graph(spec)
    conds = [a.cond for a in graph.fresh_model.assumptions]
    assert len(conds) == 5  # results 1 to 5
    assert [sorted({v for v, _ in reads(c)}) for c in conds][1] == ["urgent", "us_result#2"]
    assert graph.model.assumptions[0].cond is conds[0]
