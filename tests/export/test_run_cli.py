"""`veripath run`: one patient through the JSON tables, text and JSON, with the reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.export_json import export_json
from compiler.stamp import VerificationStamp
from tests.export.support import ROOT, norm_orders
from tests.verify.helpers import load_graph
from verify import simulate
from veripath.cli import main

STM = str(ROOT / "specs" / "soft_tissue_mass.vp")
SEED_003_CT = [
    "region=extremity",
    "depth=deep",
    "age_group=adult",
    "ng12_direct_access=false",
    "us_feasible=true",
    "mri_contraindicated=true",
    "xr_result=mineralisation",
    "ct_result=suspicious",
    "size_cm=4.5",
]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["run", *args])
    return result.exit_code, result.stdout, result.stderr


def _given(pairs: list[str]) -> list[str]:
    return [x for p in pairs for x in ("--given", p)]


def test_text_names_each_decision_the_rule_and_why() -> None:
    code, out, _ = _run(STM, *_given(SEED_003_CT))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "guideline soft_tissue_mass (not verified: run 'veripath check' for that)"
    assert "size_cm = 9/2" in lines[1]
    assert "  -> rule extremity_mri_contraindicated: true" in lines
    assert "       false   not mri_contraindicated" in lines  # why seed003_extremity_mri did not apply
    assert "  rule adult applies" in lines  # refer_mdt: the sarcoma MDT whatever the CT shows (seed 003)
    orders = [line for line in lines if line.startswith("order ")]
    assert [o.split(":")[0] for o in orders] == [
        "order radiograph",
        "order ct_w",
        "order sarcoma_mdt_2w",
    ]
    assert "[imaging, modality ct, contrast with, radiation varies, cross-sectional]" in orders[1]
    assert "urgency urgent, within 2 weeks" in orders[2]
    assert lines[-1].startswith("end under_sarcoma_mdt: ")
    assert not [line for line in lines if line.startswith("needs")]


def test_json_matches_the_simulator_and_lists_what_is_needed(tmp_path: Path) -> None:
    facts = {"region": "extremity", "depth": "superficial", "ng12_direct_access": False, "us_feasible": True}
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts), encoding="utf-8")
    code, out, _ = _run(STM, "--facts", str(path), "--given", "xr_result=nondiagnostic", "--format", "json")
    assert code == 0
    data = json.loads(out)
    trace = simulate(load_graph(STM), {**facts, "xr_result": "nondiagnostic"})
    assert data["status"] == "needs"
    assert [n["name"] for n in data["needs"]] == list(trace.missing)
    # variant 1: either study may come first, a choice the facts do not settle
    (choice,) = data["orders"]
    options = [[a["name"] for a in option] for option in choice["one_of"]]
    assert options == [["radiograph", "us_plain"], ["us_plain", "radiograph"]]
    assert norm_orders(trace.orders) == (tuple(tuple(o) for o in options),)
    us = next(n for n in data["needs"] if n["name"] == "us_result")
    assert (us["kind"], us["revealed_by"], us["ordered"]) == ("finding", "us_plain", True)
    decisions = [s for s in data["path"] if s["kind"] == "decision"]
    assert [d["rule"] for d in decisions[:-1]] == [s.rule for s in trace.steps if s.kind == "decision"]
    assert decisions[-1]["status"] == "needs" and decisions[-1]["rule"] is None


def test_text_lists_the_options_of_a_choice() -> None:
    facts = ["region=trunk_wall", "depth=superficial", "ng12_direct_access=false", "us_feasible=true"]
    code, out, _ = _run(STM, *_given(facts))
    assert code == 0, out
    lines = out.splitlines()
    at = lines.index("order one of {(radiograph, us_plain), (us_plain, radiograph)} (the clinician takes one option):")
    assert lines[at + 1].startswith("  radiograph: Radiography, area of interest [imaging, modality xr")
    assert lines[at + 2].startswith("  us_plain: US, area of interest")
    # both options order both studies: their findings are needed next, the studies ordered either way
    assert "needs xr_result (finding of radiograph (ordered)): nondiagnostic | diagnostic | mineralisation" in lines
    assert (
        "needs us_result (finding of us_plain (ordered)): nondiagnostic | clearly_benign | suspicious | mineralisation"
        in lines
    )


def test_runs_a_built_table_file(tmp_path: Path) -> None:
    graph = load_graph(STM)
    built = tmp_path / "soft_tissue_mass.json"
    stamp = VerificationStamp(verdict="verified", solver=None, proved=())
    built.write_text(export_json(graph, verification=stamp, root=str(ROOT)), encoding="utf-8")
    code, out, _ = _run(str(built), *_given(SEED_003_CT), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["verification"] == "verified"
    assert data["end"]["name"] == "under_sarcoma_mdt"


def test_a_gap_exits_1_and_says_so(tmp_path: Path) -> None:
    spec = tmp_path / "gap.vp"
    spec.write_text(
        'guideline gap "Gap" version "1"\nsource s "S"\ninput f: bool\ndisposition d "D" reassure\nstart k\n'
        'decision k "K" unique\n  when f end d unrated "u" cite s\n',
        encoding="utf-8",
    )
    code, out, _ = _run(str(spec), "--given", "f=false")
    assert code == 1
    assert "  stops: no rule matches" in out.splitlines()
    code, out, _ = _run(str(spec), "--given", "f=true", "--format", "json")
    assert code == 0 and json.loads(out)["end"]["kind"] == "reassure"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--given", "size_cm=61"], "'size_cm' is between 0 and 60 cm, not 61"),
        (["--given", "depth=shallow"], "'depth' is one of superficial, deep"),
        (["--given", "us_feasible=maybe"], "'us_feasible' is true or false"),
        (["--given", "nonsense"], "--given expects name=value"),
        (["--given", "weight=3"], "no input or finding named 'weight'"),
        (["--given", "size_cm=3 kg"], "'size_cm' is measured in cm; kg is a mass and cm is a length"),
        (
            ["--given", "size_cm=3 inches"],
            "'size_cm': unknown unit 'inches'; did you mean 'minutes'? the units are: mm, cm, m,",
        ),
        (["--given", "size_cm=610 mm"], "'size_cm' is between 0 and 60 cm, not 61"),
    ],
)
def test_bad_facts_exit_2(args: list[str], message: str) -> None:
    code, out, err = _run(STM, *args)
    assert code == 2 and not out
    assert message in err


def test_a_spec_with_errors_exits_2(tmp_path: Path) -> None:
    spec = tmp_path / "bad.vp"
    spec.write_text('guideline bad "Bad"\nstart nowhere\n', encoding="utf-8")
    code, out, err = _run(str(spec))
    assert code == 2 and not err
    assert "error" in out  # the spec's diagnostics, on stdout like every report


def test_a_named_condition_is_shown_with_what_it_means() -> None:
    spec = str(ROOT / "tests" / "data" / "dsl" / "defines.vp")
    code, out, _ = _run(spec, *_given(["size_cm=3", "deep=false", "growing=true", "age=30"]))
    assert code == 0, out
    assert out.splitlines()[2:10] == [
        "decision first (First study), hit policy unique",
        "     rule r1: unknown",
        "       unknown red_flags (large_or_deep or (growing and pain))",
        "       needs   pain",
        "     rule r2: unknown",
        "       unknown not red_flags (large_or_deep or (growing and pain))",
        "       true    adult (age >= 18)",
        "       needs   pain",
    ]


NUMBERS = str(ROOT / "tests" / "data" / "dsl" / "numbers.vp")


def test_numeric_findings_and_units_in_facts(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"symptoms": "7 days", "egfr": "45 mL/min/1.73m2"}), encoding="utf-8")
    given = ["depth_mm=5", "size_cm=30 mm", "score=7/2", "age=50", "lesions=3", "us_result=indeterminate"]
    code, out, _ = _run(NUMBERS, "--facts", str(facts), *_given(given))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[1] == (
        "facts: symptoms = 1 weeks, egfr = 45 mL/min/1.73m2, depth_mm = 5 mm, size_cm = 3 cm, score = 7/2 points, "
        "age = 50 years, lesions = 3, us_result = indeterminate"
    )
    assert "       true    score + 1/2 >= 4" in lines  # half points
    assert "       false   -1/10 * depth_mm + 10 * size_cm + 10 < 30" in lines  # a linear comparison, in mm
    assert lines[-1] == "end refer: Refer [refer, within 2 weeks]"
    code, out, _ = _run(NUMBERS, *_given(given[:5]), "--format", "json")
    assert code == 0
    assert [n["name"] for n in json.loads(out)["needs"]] == ["egfr"]
    code, out, _ = _run(NUMBERS, *_given(given[:5]))
    assert "needs egfr (finding of renal_panel (ordered)) (in mL/min/1.73m2)" in out.splitlines()
