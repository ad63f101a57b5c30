"""The DMN export: valid against the DMN 1.3 schema, and the same answers as the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema
from hypothesis import given, settings

from compiler.export_dmn import ExportError, export_dmn, feel_number
from compiler.graph import DecisionGraph
from dsl.model import Value
from tests.export.support import norm_orders
from tests.export_py.dmn_eval import Dmn
from tests.export_py.support import ROOT, FakeStamp, facts, patients
from tests.verify.specgen import RANDOM_SPECS, Built, load_random, specs
from verify.simulate import Trace, simulate
from veripath.api import load_spec

HERE = Path(__file__).parent


def _xsd() -> Path:
    # ../shared/schemas/dmn13/DMN13.xsd from the project root (a worktree may sit one level deeper)
    for base in (ROOT, *ROOT.parents):
        candidate = base.parent / "shared" / "schemas" / "dmn13" / "DMN13.xsd"
        if candidate.is_file():
            return candidate
    pytest.skip("the DMN 1.3 schema is not beside the project (../shared/schemas/dmn13)")


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(_xsd()))


def graph_of(path: Path) -> DecisionGraph:
    loaded = load_spec(str(path))
    assert loaded.graph is not None, loaded.diagnostics
    return loaded.graph


def generate(graph: DecisionGraph) -> str:
    return export_dmn(graph, stamp=FakeStamp(), root=str(ROOT))


def expected(trace: Trace) -> tuple[object, ...]:
    problem = None
    if trace.error is not None:
        error = trace.error
        problem = "revisit_limit" if "revisit" in error else "conflict" if "both match" in error else "no_rule"
    rules = tuple(s.rule for s in trace.steps if s.kind == "decision")
    return (norm_orders(trace.orders, as_set=True), trace.end, problem, rules)


def complete(graph: DecisionGraph) -> list[dict[str, Value]]:
    names = {v.name for v in graph.fresh_model.variables}  # every result of a repeated study too
    return [p for p in patients(graph, fills=3) if set(p) == names]


@pytest.mark.parametrize("name", ["soft_tissue_mass", "flank_mass", "flank_pain_stone", "headache"])
def test_shipped_specs_validate_and_agree(name: str, schema: xmlschema.XMLSchema) -> None:
    graph = graph_of(ROOT / "specs" / f"{name}.vp")
    text = generate(graph)
    schema.validate(text)
    assert generate(graph) == text and str(ROOT) not in text
    dmn = Dmn(text)
    assert set(dmn.tables) == {d.name for d in graph.model.decisions}
    checked = 0
    for patient in complete(graph):
        assert dmn.walk(facts(graph, patient)) == expected(simulate(graph, patient)), patient
        checked += 1
    assert checked > 10


def test_choices_and_ratings_in_the_tables(schema: xmlschema.XMLSchema) -> None:
    text = generate(graph_of(ROOT / "specs" / "soft_tissue_mass.vp"))
    assert '<text>"{radiograph+us_plain|us_plain+radiograph}"</text>' in text
    assert (
        "<text>in variant acr2022_v1; rated radiograph usually_appropriate 9; rated us_plain usually_appropriate 9; "
        "also rated ct_w " in text
    )
    flank = generate(graph_of(ROOT / "specs" / "flank_mass.vp"))
    schema.validate(flank)
    assert "<text>rated ct_w usually_appropriate</text>" in flank


def test_hostile_spec_is_valid_xml_with_the_text_intact(schema: xmlschema.XMLSchema) -> None:
    graph = graph_of(HERE / "hostile.vp")
    text = generate(graph)
    schema.validate(text)
    assert "<script>" not in text and "</script>" not in text  # escaped by the XML writer
    dmn = Dmn(text)
    assert dmn.walk({"def": "no", "None": True, "size": 3, "return": "pos"})[1] == "exec"


def test_a_comparison_of_two_enumeration_inputs_is_a_vp403_error(tmp_path: Path) -> None:
    spec = tmp_path / "cmp.vp"
    spec.write_text(
        'guideline cmp "C" version "1"\nsource s "S"\ninput a: x | y\ninput b: x | y\n'
        'disposition d "D" reassure\nstart k\ndecision k "K" first\n'
        '  when a == b end d unrated "u" cite s\n  otherwise end d unrated "u" cite s\n',
        encoding="utf-8",
    )
    with pytest.raises(ExportError) as info:
        generate(graph_of(spec))
    assert [d.code.code for d in info.value.diagnostics] == ["VP403"]
    assert info.value.diagnostics[0].span is not None and info.value.diagnostics[0].span.line == 8


def test_a_linear_comparison_is_a_column_over_its_linear_form(tmp_path: Path, schema: xmlschema.XMLSchema) -> None:
    spec = tmp_path / "lin.vp"
    spec.write_text(
        'guideline lin "L" version "1"\nsource s "S"\ninput size_cm: number in [0, 60] cm\n'
        "input depth_mm: number in [0, 600] mm\ninput score: integer in [0, 10] points\n"
        'disposition d "D" reassure\ndisposition r "R" refer\nstart k\ndecision k "K" first\n'
        '  when size_cm > depth_mm / 5 end r unrated "u" cite s\n'
        '  when score + 1/2 >= 4 and 2 * size_cm - depth_mm / 10 <= 3 cm end r unrated "u" cite s\n'
        '  otherwise end d unrated "u" cite s\n',
        encoding="utf-8",
    )
    graph = graph_of(spec)
    text = generate(graph)
    schema.validate(text)
    # in the unit of the first variable (cm: a mm counts 1/10), coprime integer coefficients, the first positive
    assert "<text>50 * size_cm - depth_mm</text>" in text and "<text>200 * size_cm - depth_mm</text>" in text
    assert "<text>score</text>" in text  # one variable: its own column, at 7/2 = 3.5
    dmn = Dmn(text)
    for patient in complete(graph):
        assert dmn.walk(patient) == expected(simulate(graph, patient)), patient


def test_feel_numbers_are_exact() -> None:
    from fractions import Fraction

    assert feel_number(Fraction(5, 2)) == "2.5"
    assert feel_number(Fraction(-1, 8)) == "-0.125"
    assert feel_number(Fraction(3)) == "3"
    assert feel_number(Fraction(1, 3)) is None


COMMON = RANDOM_SPECS


def _random(built: Built, folder: Path, schema: xmlschema.XMLSchema) -> None:
    graph = load_random(built, folder)
    try:
        text = generate(graph)
    except ExportError as e:
        assert all(d.code.code == "VP403" for d in e.diagnostics)
        return
    schema.validate(text)
    dmn = Dmn(text)
    for patient in complete(graph):
        assert dmn.walk(facts(graph, patient)) == expected(simulate(graph, patient)), (built.text, patient)


@settings(COMMON, max_examples=20)
@given(built=specs())
def test_random_specs_agree(
    built: Built, tmp_path_factory: pytest.TempPathFactory, schema: xmlschema.XMLSchema
) -> None:
    _random(built, tmp_path_factory.mktemp("rnd"), schema)


@pytest.mark.slow
@settings(COMMON, max_examples=300)
@given(built=specs())
def test_random_specs_agree_many(
    built: Built, tmp_path_factory: pytest.TempPathFactory, schema: xmlschema.XMLSchema
) -> None:
    _random(built, tmp_path_factory.mktemp("rnd"), schema)


@pytest.mark.parametrize("case", ["defines", "subpathway"])
def test_named_conditions_and_sub_pathways_in_dmn(case: str, schema: xmlschema.XMLSchema) -> None:
    """DMN inlines a define into the input entries (a unary test reads one input) and names it in the
    rule's description; a catalogue's decisions are tables of the guideline, described with their file."""
    graph = graph_of(ROOT / "tests" / "data" / "dsl" / f"{case}.vp")
    text = generate(graph)
    schema.validate(text)
    dmn = Dmn(text)
    assert set(dmn.tables) == {d.name for d in graph.model.decisions}
    for patient in complete(graph):
        assert dmn.walk(patient) == expected(simulate(graph, patient)), patient
    if case == "defines":
        assert "first.r1 (tests/data/dsl/defines.vp:26); named conditions: red_flags, large_or_deep" in text
    else:
        assert "after_mri.r1 (tests/data/dsl/lib/followon.vp:12)" in text
