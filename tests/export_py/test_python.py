"""The generated Python module: same answers as the simulator, safe, typed, deterministic."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from compiler.export_python import export_python
from compiler.graph import DecisionGraph
from tests.export.support import matches
from tests.export_py.support import ROOT, FakeStamp, answer, expected, facts, import_text, patients
from tests.verify.specgen import RANDOM_SPECS, Built, load_random, specs
from verify.simulate import simulate
from veripath.api import load_spec

SPECS = ["soft_tissue_mass", "flank_mass", "flank_pain_stone", "headache"]
HERE = Path(__file__).parent


def graph_of(path: Path) -> DecisionGraph:
    loaded = load_spec(str(path))
    assert loaded.graph is not None, loaded.diagnostics
    return loaded.graph


def generate(graph: DecisionGraph, **kw: Any) -> str:
    return export_python(graph, stamp=FakeStamp(proved=("ends",)), root=str(ROOT), **kw)


@pytest.fixture(scope="module", params=SPECS)
def shipped(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[DecisionGraph, Any]:
    graph = graph_of(ROOT / "specs" / f"{request.param}.vp")
    module = import_text(generate(graph), tmp_path_factory.mktemp("gen"), f"gen_{request.param}")
    return graph, module


def test_shipped_specs_agree_with_the_simulator(shipped: tuple[DecisionGraph, Any]) -> None:
    graph, module = shipped
    count = 0
    for patient in patients(graph):
        assert answer(module.walk(facts(graph, patient))) == expected(simulate(graph, patient)), patient
        count += 1
    assert count > 10


def test_examples_pass_through_the_module(shipped: tuple[DecisionGraph, Any]) -> None:
    graph, module = shipped
    assert graph.model.examples
    for ex in graph.model.examples:
        path = module.walk(dict(ex.given))
        assert path.disposition is not None and path.disposition.name == ex.expect_end, ex.title
        if ex.expect_orders is not None:
            assert matches(ex.expect_orders, path.orders), ex.title


def test_chain_and_tree_agree(tmp_path: Path) -> None:
    graph = graph_of(ROOT / "specs" / "soft_tissue_mass.vp")
    chain = import_text(generate(graph, lookup="chain"), tmp_path, "gen_chain")
    tree = import_text(generate(graph), tmp_path, "gen_tree")
    for patient in patients(graph, fills=1):
        assert answer(chain.walk(patient)) == answer(tree.walk(patient))


def test_recommend_gives_the_next_step(shipped: tuple[DecisionGraph, Any]) -> None:
    graph, module = shipped
    if graph.model.name != "soft_tissue_mass":
        pytest.skip("walks the soft-tissue pathway")
    inputs = {
        "region": "extremity",
        "depth": "deep",
        "age_group": "adult",
        "ng12_direct_access": False,
        "concern_persists": True,
        "size_cm": 6,
        "us_feasible": True,
        "mri_contraindicated": False,
    }
    first = module.recommend(inputs)
    assert [o.action for o in first.orders] == ["radiograph"]
    assert first.disposition is None and first.needs == ("xr_result",)
    assert (first.decision, first.rule) == ("initial_imaging", "initial_imaging.variant2_deep")
    order = first.orders[0]
    assert (order.rating, order.score, order.radiation) == ("usually_appropriate", 9, "varies")
    second = module.recommend({**inputs, "xr_result": "nondiagnostic"})
    assert [o.action for o in second.orders] == ["us_plain"] and second.needs == ("us_result",)
    done = module.recommend(
        {**inputs, "xr_result": "nondiagnostic", "us_result": "nondiagnostic", "mri_result": "indeterminate"}
    )
    assert done.disposition is not None and done.disposition.name == "under_sarcoma_mdt"
    assert [o.action for o in done.orders] == ["sarcoma_mdt_2w"]
    assert done.orders[0].urgency is not None and done.needs == ()
    # nothing known yet: the first decision names what it needs, never guesses
    empty = module.recommend({})
    assert empty.orders == () and empty.disposition is None and empty.needs == ("region",)
    # variant 1: a choice between the two orders of the studies, each option's orders rated
    superficial = module.recommend({**inputs, "depth": "superficial"})
    (choice,) = superficial.orders
    assert isinstance(choice, module.OneOf) and choice.rule == "initial_imaging.variant1_superficial"
    assert [[o.action for o in option] for option in choice.options] == [
        ["radiograph", "us_plain"],
        ["us_plain", "radiograph"],
    ]
    assert {(o.action, o.rating, o.score) for option in choice.options for o in option} == {
        ("radiograph", "usually_appropriate", 9),
        ("us_plain", "usually_appropriate", 9),
    }
    assert superficial.needs == ("xr_result", "us_result")  # after_xr_us reads both
    ratings = module.RATINGS["initial_imaging.variant1_superficial"]
    assert [(r.action, r.score, r.also) for r in ratings[:3]] == [
        ("radiograph", 9, False),
        ("us_plain", 9, False),
        ("ct_w", 2, True),
    ]
    assert len(ratings) == 11  # the whole ACR 2022 table of variant 1


def test_bad_facts_raise_value_error_naming_the_input(shipped: tuple[DecisionGraph, Any]) -> None:
    graph, module = shipped
    if graph.model.name != "soft_tissue_mass":
        pytest.skip("uses the soft-tissue inputs")
    with pytest.raises(ValueError, match=r"unknown fact 'colour'.*region"):
        module.recommend({"colour": "red"})
    with pytest.raises(ValueError, match="'region' is one of extremity, trunk_wall"):
        module.recommend({"region": "elbow"})
    with pytest.raises(ValueError, match=r"'size_cm' is a number in \[0, 60\]"):
        module.walk({"size_cm": 61})
    with pytest.raises(ValueError, match="'size_cm'"):
        module.walk({"size_cm": True})
    with pytest.raises(ValueError, match="'us_feasible' is true or false"):
        module.walk({"us_feasible": "yes"})
    with pytest.raises(ValueError, match="'size_cm'"):
        module.walk({"size_cm": float("nan")})


def test_numbers_are_exact(shipped: tuple[DecisionGraph, Any]) -> None:
    graph, module = shipped
    if graph.model.name != "soft_tissue_mass":
        pytest.skip("uses the soft-tissue inputs")
    checked = module.check({"size_cm": 0.1, "region": "extremity"})
    assert checked["size_cm"] == Fraction(1, 10) and type(checked["size_cm"]) is Fraction
    assert type(module.check({"size_cm": 10.0})["size_cm"]) is int


def test_output_is_deterministic(tmp_path: Path) -> None:
    graph = graph_of(ROOT / "specs" / "soft_tissue_mass.vp")
    text = generate(graph)
    assert generate(graph) == text
    assert str(ROOT) not in text and "Generated by veripath" in text
    assert "# specs/soft_tissue_mass.vp:" in text
    # another working directory and another hash seed give the same bytes
    script = (
        "import sys, veripath; from compiler.export_python import export_python;"
        "from tests.export_py.support import FakeStamp;"
        f"g = veripath.compile(veripath.load({str(ROOT / 'specs' / 'soft_tissue_mass.vp')!r}));"
        f"sys.stdout.write(export_python(g, stamp=FakeStamp(proved=('ends',)), root={str(ROOT)!r}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout == text


def test_generated_module_passes_mypy_strict(tmp_path: Path) -> None:
    from mypy import api

    graph = graph_of(ROOT / "specs" / "flank_mass.vp")
    target = tmp_path / "flank_mass.py"
    target.write_text(generate(graph), encoding="utf-8")
    stdout, stderr, status = api.run(["--strict", "--no-incremental", "--cache-dir", os.devnull, str(target)])
    assert status == 0, stdout + stderr


ALLOWED_TOP = {
    "GUIDELINE", "TITLE", "VERSION", "VERIPATH_VERSION", "SOURCES_SHA256", "VERDICT", "PROVED", "Fact", "Problem",
    "__all__", "_DOMAINS", "_REVEALS", "_ACTIONS", "_DISPOSITIONS", "_DECISIONS", "_START", "_LIMIT", "_GRAPH",
    "_FAST", "_READS", "_INDEX", "_PROBLEMS", "_LOOSE", "_RULE_TEXT", "_RULES", "RATINGS", "VARIANTS", "RULE_VARIANTS",
    "Results", "_FINDINGS",  # a pathway that repeats a study
}  # fmt: skip
RUNTIME_FUNCTIONS = {
    "check", "_number", "lookup", "_resolve", "_ev3", "_term", "_choose3", "_choose", "_order", "_disposition",
    "_run", "_flat", "walk", "recommend", "_settle", "_masks", "_per_integer", "_rules", "_exact", "_item",
    "_actions",
    "_check_values", "_result", "_counted",  # a pathway that repeats a study
}  # fmt: skip


def _structure(tree: ast.Module) -> None:
    """Only the expected statements: imports, constants, the fixed classes and functions."""
    body = tree.body
    assert isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    for node in body[1:]:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = {a.name for a in node.names}
            assert names <= {"annotations", "json", "math", "Callable", "Mapping", "dataclass", "Fraction", "Any",
                             "Final", "Literal", "bisect_left", "bisect_right"}  # fmt: skip
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            assert isinstance(target, ast.Name)
            assert target.id in ALLOWED_TOP or re.fullmatch(r"_K\d+|_[MP]\d+_\d+", target.id), target.id
        elif isinstance(node, ast.ClassDef):
            assert node.name in {"Order", "OneOf", "Rating", "Disposition", "Step", "Recommendation", "Path"}
        elif isinstance(node, ast.FunctionDef):
            assert node.name in RUNTIME_FUNCTIONS or (node.name.startswith("_t") and node.name[2:].isdigit())
        else:
            raise AssertionError(f"unexpected statement {ast.dump(node)[:80]}")
    # no call to anything but the module's own helpers, constructors and builtins it needs
    calls = {
        n.func.id if isinstance(n.func, ast.Name) else n.func.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name | ast.Attribute)
    }
    assert calls <= RUNTIME_FUNCTIONS | {
        "Fraction", "frozenset", "tuple", "bool", "isinstance", "ValueError", "repr", "sorted", "join", "get",
        "isfinite", "int", "enumerate", "max", "len", "any", "append", "keys", "next", "Order", "Disposition",
        "Path", "Recommendation", "Step", "dataclass", "need", "range", "items", "bisect_left", "bisect_right",
        "bit_length", "dict", "zip", "split", "type", "bytearray", "from_bytes", "loads", "OneOf", "Rating", "extend",
        "update", "pop", "values",
    }, calls  # fmt: skip


def test_hostile_spec_cannot_change_the_module(tmp_path: Path) -> None:
    graph = graph_of(HERE / "hostile.vp")
    text = generate(graph)
    compile(text, "hostile.py", "exec")
    _structure(ast.parse(text))
    module = import_text(text, tmp_path, "gen_hostile")
    assert graph.model.title == module.TITLE and '"""' in module.TITLE and "\n" in module.TITLE
    assert module.GUIDELINE == "class"
    path = module.walk({"def": "yes", "size": Fraction(1), "return": "pos", "None": True})
    assert path.disposition.name == "lambda"
    assert path.orders[0].title == graph.model.action("print").title
    other = module.walk({"def": "no", "size": 3})
    assert other.disposition.reason == "a reason with ''' and \"\"\" and \\n"
    for line in text.splitlines():
        assert line.isascii() and "\u202e" not in line
    # the rules are JSON text, decoded on first use; "5/2" comes back as an exact Fraction
    module = import_text(text, tmp_path, "gen_hostile_fresh")
    assert '"5/2"' in text and module._RULES == [None, None]
    partial = module.walk({"size": Fraction(3)})  # three-valued: `def` unknown, but size < 2.5 is false
    assert partial.disposition.name == "exec" and module._RULES[1] is None
    assert module._rules(0)[0][1] == [
        "and",
        [["in", "def", ["yes"]], ["cmp", "<", ["var", "size"], ["const", Fraction(5, 2)]]],
    ]
    assert module.walk({"size": Fraction(5, 2) - Fraction(1, 10**9)}).needs == ("def",)


def test_shipped_module_structure() -> None:
    graph = graph_of(ROOT / "specs" / "soft_tissue_mass.vp")
    _structure(ast.parse(generate(graph)))


def test_module_of_a_repeated_study_structure() -> None:
    graph = graph_of(ROOT / "tests" / "data" / "verify" / "repeat_once.vp")
    text = generate(graph)
    _structure(ast.parse(text))
    assert "def _check_values(" in text and "def check(facts: Mapping[str, Fact | Results])" in text


COMMON = RANDOM_SPECS


def _random(built: Built, folder: Path) -> None:
    graph = load_random(built, folder)
    for kind in ("index", "chain"):
        module = import_text(generate(graph, lookup=kind), folder, f"gen_rnd_{kind}")
        for patient in patients(graph, fills=3):
            got = answer(module.walk(facts(graph, patient)))
            assert got == expected(simulate(graph, patient)), (built.text, patient)


@settings(COMMON, max_examples=25)
@given(built=specs())
def test_random_specs_agree_with_the_simulator(built: Built, tmp_path_factory: pytest.TempPathFactory) -> None:
    _random(built, tmp_path_factory.mktemp("rnd"))


@pytest.mark.slow
@settings(COMMON, max_examples=500)
@given(built=specs())
def test_random_specs_agree_with_the_simulator_many(built: Built, tmp_path_factory: pytest.TempPathFactory) -> None:
    _random(built, tmp_path_factory.mktemp("rnd"))


@pytest.mark.parametrize("case", ["defines", "subpathway"])
def test_named_conditions_and_sub_pathways_run_in_the_module(case: str, tmp_path: Path) -> None:
    """Defines are inlined (named in the rule's source-map comment); a catalogue's decisions are in the
    module, each rule under a comment pointing into the catalogue."""
    graph = graph_of(ROOT / "tests" / "data" / "dsl" / f"{case}.vp")
    text = generate(graph)
    module = import_text(text, tmp_path, f"gen_{case}")
    for patient in patients(graph):
        assert answer(module.walk(patient)) == expected(simulate(graph, patient)), patient
    comments = {line.strip() for line in text.splitlines()}
    if case == "defines":
        assert "# tests/data/dsl/defines.vp:26 (red_flags, large_or_deep)" in comments
    else:
        assert "# tests/data/dsl/lib/followon.vp:12" in comments
