"""Repeated studies in every exporter: a finding's results in order, the k-th read after the k-th order.

`tests/data/verify/repeat_once.vp` repeats a nondiagnostic ultrasound once, then orders MRI;
`planted_repeat.vp` reaches one decision after one ultrasound or after two. The JSON tables,
their reference evaluator (`veripath run`), the Python module and the DMN must all give the
simulator's answer when a patient's results differ from one order to the next.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from compiler.export_dmn import export_dmn
from compiler.export_json import export_json
from compiler.export_python import export_python
from compiler.json_eval import FactError, Tables, run
from compiler.stamp import Stamp, VerificationStamp
from tests.dsl.support import check_golden
from tests.export.support import ROOT, agree, as_json, explore, tables_of
from tests.export_py.dmn_eval import Dmn
from tests.export_py.support import answer, expected, facts, import_text, patients
from tests.verify.helpers import DATA, load_graph
from verify import simulate
from veripath.cli import main

ONCE = DATA / "repeat_once.vp"
SPLIT = DATA / "planted_repeat.vp"
CHOICE = ROOT / "tests" / "data" / "compiler" / "choice_in_a_loop.vp"  # a loop re-orders US through a choice
SCHEMA = ROOT / "schemas" / "veripath-tables.schema.json"


@pytest.mark.parametrize("spec", [ONCE, SPLIT, CHOICE], ids=lambda p: p.stem)
def test_the_evaluator_agrees_on_every_class_of_patients(spec: Path) -> None:
    graph = load_graph(spec)
    tables = tables_of(graph)
    statuses: dict[str, int] = {}
    for patient in explore(graph, tables):
        result = agree(graph, tables, patient)
        statuses[result.status] = statuses.get(result.status, 0) + 1
    assert statuses.get("end", 0) >= 3 and statuses.get("needs", 0) >= 3, statuses


def test_the_evaluator_reads_the_latest_result() -> None:
    tables = tables_of(load_graph(ONCE))
    benign = run(tables, {"us_result": ["nondiagnostic", "benign"]})
    assert (benign.status, benign.orders, benign.end) == ("end", ("us_plain", "us_plain"), "reassure")
    assert benign.results == {"us_result": 2}
    # one value is the first result: the repeat's result is still to come
    waiting = run(tables, {"us_result": "nondiagnostic", "mri_contraindicated": False})
    assert (waiting.status, waiting.needs, waiting.stopped_at) == ("needs", ("us_result",), "after_repeat")
    assert waiting.result_needed("us_result") == 2
    assert [s.seen for s in waiting.steps if hasattr(s, "seen")][-1] == {"mri_contraindicated": False}
    # a one-element list is the same as one value; extra results are never read
    assert run(tables, {"us_result": ["benign"]}).end == run(tables, {"us_result": ["benign", "suspicious"]}).end
    with pytest.raises(FactError, match="'mri_contraindicated' is an input: give one value"):
        run(tables, {"mri_contraindicated": [True, False]})
    with pytest.raises(FactError, match="'us_result' is one of nondiagnostic, benign, suspicious, not 'x'"):
        run(tables, {"us_result": ["benign", "x"]})
    with pytest.raises(FactError, match="at least one result"):
        run(tables, {"us_result": []})


def test_an_assumption_on_a_finding_is_tested_on_every_result(tmp_path: Path) -> None:
    spec = tmp_path / "a.vp"
    spec.write_text(
        ONCE.read_text(encoding="utf-8") + 'assume "no suspicious result": us_result != suspicious\n', encoding="utf-8"
    )
    tables = tables_of(load_graph(spec), tmp_path)
    assert run(tables, {"us_result": ["nondiagnostic", "benign"]}).violated_assumptions == ()
    assert run(tables, {"us_result": ["nondiagnostic", "suspicious"]}).violated_assumptions == (0,)


def test_examples_and_their_lists_of_results_follow_the_schema() -> None:
    graph = load_graph(ONCE)
    doc = json.loads(export_json(graph, verification=VerificationStamp.unverified(), root=str(ROOT)))
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert not [e.message for e in validator.iter_errors(doc)]
    givens = {e["title"]: e["given"] for e in doc["examples"]}
    assert givens["benign on the repeat"] == {"us_result": ["nondiagnostic", "benign"]}
    tables = Tables(doc)
    for example in doc["examples"]:
        result = run(tables, example["given"])
        assert (result.status, result.end, list(result.orders)) == (
            "end",
            example["expect"]["end"],
            example["expect"]["orders"],
        )
    # the pathway's order nodes say which findings they reveal; the evaluator counts them
    reveals = [n["reveals"] for n in doc["pathway"]["nodes"] if n["kind"] == "order"]
    assert reveals.count(["us_result"]) == 2


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["run", *args])
    return result.exit_code, result.stdout


def test_run_takes_results_in_order_and_says_which_it_needs() -> None:
    code, out = _run(str(ONCE), "--given", "us_result=nondiagnostic then suspicious")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[1] == "facts: us_result = nondiagnostic then suspicious"
    assert lines[-1] == "end refer: Refer [refer, within 2 weeks]"
    code, out = _run(str(ONCE), "--given", "us_result=nondiagnostic", "--given", "mri_contraindicated=false")
    assert code == 0
    assert out.splitlines()[-1] == (
        "needs us_result (result 2 of us_plain, ordered again): nondiagnostic | benign | suspicious"
    )
    code, out = _run(str(ONCE), "--given", "us_result=nondiagnostic", "--format", "json")
    needs = json.loads(out)["needs"]
    assert [(n["name"], n.get("result")) for n in needs] == [("us_result", 2), ("mri_contraindicated", None)]
    code, out = _run(str(ONCE), "--given", "mri_contraindicated=true then false")
    assert code == 2


def _module(graph: Any, folder: Path, name: str) -> Any:
    return import_text(export_python(graph, stamp=Stamp(verdict="verified"), root=str(ROOT)), folder, name)


@pytest.mark.parametrize("spec", [ONCE, SPLIT, CHOICE], ids=lambda p: p.stem)
def test_the_python_module_agrees_with_the_simulator(spec: Path, tmp_path: Path) -> None:
    graph = load_graph(spec)
    module = _module(graph, tmp_path, f"gen_{spec.stem}")
    count = 0
    for patient in patients(graph, fills=3):
        assert answer(module.walk(facts(graph, patient))) == expected(simulate(graph, patient)), patient
        count += 1
    assert count > 10
    for example in graph.model.examples:
        path = module.walk(dict(example.given))
        assert tuple(o.action for o in path.orders) == example.expect_orders, example.title


def test_the_python_module_recommends_the_repeat_until_its_result_is_known(tmp_path: Path) -> None:
    module = _module(load_graph(ONCE), tmp_path, "gen_once")
    first = module.recommend({})
    assert [o.action for o in first.orders] == ["us_plain"] and first.needs == ("us_result",)
    again = module.recommend({"us_result": "nondiagnostic"})
    assert [o.action for o in again.orders] == ["us_plain"] and again.needs == ("us_result", "mri_contraindicated")
    mri = module.recommend({"us_result": ("nondiagnostic", "nondiagnostic"), "mri_contraindicated": False})
    assert [o.action for o in mri.orders] == ["mri"] and mri.needs == ("mri_result",)
    with pytest.raises(ValueError, match="'mri_contraindicated' is an input: give one value"):
        module.walk({"mri_contraindicated": [True]})
    with pytest.raises(ValueError, match="unknown fact 'colour'"):
        module.walk({"colour": ["red"]})
    assert module.lookup("after_repeat", module.check({"us_result": "benign", "mri_contraindicated": True})) == 0


def test_the_python_module_of_a_repeated_study_passes_mypy_strict(tmp_path: Path) -> None:
    from mypy import api

    target = tmp_path / "repeat_once.py"
    target.write_text(export_python(load_graph(ONCE), stamp=Stamp(verdict="verified"), root=str(ROOT)), "utf-8")
    stdout, stderr, status = api.run(["--strict", "--no-incremental", "--cache-dir", os.devnull, str(target)])
    assert status == 0, stdout + stderr


@pytest.mark.parametrize("spec", [ONCE, SPLIT, CHOICE], ids=lambda p: p.stem)
def test_the_dmn_walk_counts_the_orders_of_each_study(spec: Path) -> None:
    graph = load_graph(spec)
    text = export_dmn(graph, stamp=Stamp(verdict="verified"), root=str(ROOT))
    assert '<vp:reveals action="us' in text
    dmn = Dmn(text)
    names = {v.name for v in graph.fresh_model.variables}
    complete = [p for p in patients(graph, fills=3) if set(p) == names]
    assert complete
    for patient in complete:
        want = expected(simulate(graph, patient))
        assert dmn.walk(facts(graph, patient)) == (want[0], want[1], want[3], want[4]), patient


def test_a_pathway_without_a_repeated_study_exports_as_before() -> None:
    graph = load_graph(ROOT / "specs" / "flank_mass.vp")
    assert graph.fresh is None
    assert "vp:reveals" not in export_dmn(graph, stamp=Stamp(verdict="verified"), root=str(ROOT))
    module = export_python(graph, stamp=Stamp(verdict="verified"), root=str(ROOT))
    assert "_check_values" not in module and "Results" not in module
    assert as_json({"x": ("a", "b")}) == {"x": ["a", "b"]}


@pytest.mark.parametrize("suffix", ["json", "py", "dmn", "mmd"])
def test_the_build_of_a_repeated_study_matches_its_golden(
    suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    """What `veripath build` writes for a pathway that repeats a study, every exporter byte for byte
    (no shipped spec repeats one, so `build/` does not show it): `tests/data/export/repeat_once.expected.*`."""
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["build", str(ONCE.relative_to(ROOT)), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    actual = (tmp_path / f"repeat_once.{suffix}").read_text(encoding="utf-8")
    check_golden(actual, ROOT / "tests" / "data" / "export" / f"repeat_once.expected.{suffix}", update_golden)
