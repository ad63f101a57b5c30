"""The JSON tables: schema, exact numbers, stable locations and bytes, header."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from compiler.export_json import FORMAT_VERSION, SCHEMA_ID, export_json
from compiler.json_eval import Tables, run
from compiler.locations import find_root
from compiler.stamp import SolverSettings, VerificationStamp
from dsl import model as m
from dsl.model import CONTRASTS, MODALITIES, RADIATION_LEVELS
from dsl.units import TIME_UNITS, UNITS
from dsl.waivers import WAIVABLE
from tests.export.support import ROOT, SPECS
from tests.verify.helpers import load_graph
from tests.verify.specgen import Built, specs
from veripath.api import load_spec

SCHEMA_PATH = ROOT / "schemas" / "veripath-tables.schema.json"
STAMP = VerificationStamp(
    verdict="verified", solver=SolverSettings(timeout_ms=10_000, rlimit=25_000_000, seed=0), proved=("ends",)
)


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema())


def _export(spec: Path, root: Path = ROOT, stamp: VerificationStamp = STAMP) -> str:
    return export_json(load_graph(spec), verification=stamp, root=str(root), generator_version="9.9.9")


def _walk(node: object) -> list[object]:
    out = [node]
    if isinstance(node, dict):
        for v in node.values():
            out.extend(_walk(v))
    elif isinstance(node, list):
        for v in node:
            out.extend(_walk(v))
    return out


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SCHEMA_ID


def test_schema_enumerations_follow_the_language() -> None:
    schema = _schema()
    action = schema["properties"]["actions"]["items"]["properties"]
    assert action["modality"]["oneOf"][1]["enum"] == list(MODALITIES)
    assert action["contrast"]["oneOf"][1]["enum"] == list(CONTRASTS)
    assert action["radiation"]["oneOf"][1]["enum"] == list(RADIATION_LEVELS)
    assert action["kind"]["enum"] == list(get_args(m.ActionKind))
    assert action["urgency"]["oneOf"][1]["enum"] == list(get_args(m.Urgency))
    assert set(schema["$defs"]["duration"]["oneOf"][1]["properties"]["unit"]["enum"]) == set(TIME_UNITS)
    assert schema["$defs"]["variable"]["allOf"][0]["properties"]["unit"]["enum"] == [*UNITS, None]
    props = schema["properties"]
    assert props["dispositions"]["items"]["properties"]["kind"]["enum"] == list(get_args(m.DispositionKind))
    assert props["decisions"]["items"]["properties"]["hit_policy"]["enum"] == list(get_args(m.HitPolicy))
    assert props["properties"]["items"]["properties"]["kind"]["enum"] == list(get_args(m.PropertyKind))
    rating = schema["$defs"]["rating"]["properties"]
    assert rating["category"]["enum"] == list(get_args(m.RatingCategory))


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_shipped_specs_validate(spec: Path) -> None:
    doc = json.loads(_export(spec))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(doc)]
    assert not errors, errors[:5]
    assert doc["header"]["format_version"] == FORMAT_VERSION
    assert doc["header"]["verification"]["verdict"] == "verified"
    assert [p["name"] for p in doc["properties"] if p["proved"]] == ["ends"]


def test_ratings_and_choices_are_data() -> None:
    doc = json.loads(_export(ROOT / "specs" / "soft_tissue_mass.vp"))
    rules = {r["id"]: r for d in doc["decisions"] for r in d["rules"]}
    v1 = rules["initial_imaging.variant1_superficial"]
    assert v1["orders"] == [{"one_of": [["radiograph", "us_plain"], ["us_plain", "radiograph"]]}]
    assert v1["rating"] is None
    assert [(r["action"], r["score"]) for r in v1["action_ratings"]] == [("radiograph", 9), ("us_plain", 9)]
    assert len(v1["also_rated"]) == 9 and v1["also_rated"][0] == {
        "action": "ct_w",
        "category": "usually_not_appropriate",
        "score": 2,
        "disagreement": False,
    }
    # all 38 ratings of the four ACR 2022 tables, as data: each table once, under `variants`
    tables = {v["name"]: v for v in doc["variants"]}
    assert sorted(tables) == ["acr2022_v1", "acr2022_v2", "acr2022_v3", "acr2022_v4"]
    assert [len(v["ratings"]) for v in tables.values()] == [11, 11, 9, 7]
    assert sum(len(v["ratings"]) for v in tables.values()) == 38
    assert tables["acr2022_v3"]["ratings"][0] == {
        "action": "mri_wwo",
        "category": "usually_appropriate",
        "score": 9,
        "disagreement": False,
    }
    # each variant's rule carries the table: its orders' ratings and the other procedures
    for rid, name in (
        ("initial_imaging.variant1_superficial", "acr2022_v1"),
        ("initial_imaging.variant2_deep", "acr2022_v2"),
        ("after_xr_us.variant3_mri", "acr2022_v3"),
        ("after_xr_us.variant4_ct", "acr2022_v4"),
    ):
        rule = rules[rid]
        assert rule["variant"] == name
        assert sorted(r["action"] for r in rule["action_ratings"] + rule["also_rated"]) == sorted(
            r["action"] for r in tables[name]["ratings"]
        )
    assert rules["deep_after_xr.add_us"]["variant"] == "acr2022_v2"
    assert rules["deep_after_xr.add_us"]["action_ratings"] == [
        {"action": "us_plain", "category": "may_be_appropriate", "score": 5, "disagreement": False}
    ]
    assert "variant" not in rules["characterise.mri"]  # outside every 2022 variant: unrated, with its reason
    choice = next(n for n in doc["pathway"]["nodes"] if n["kind"] == "choice")
    assert choice == {
        "id": "choice:initial_imaging.variant1_superficial",
        "kind": "choice",
        "rule": "initial_imaging.variant1_superficial",
        "options": [
            "order:initial_imaging.variant1_superficial/radiograph+us_plain",
            "order:initial_imaging.variant1_superficial/us_plain+radiograph",
        ],
    }
    flank = json.loads(_export(ROOT / "specs" / "flank_mass.vp"))
    (ct,) = [r for d in flank["decisions"] for r in d["rules"] if r["id"] == "first_study.adult_ct"]
    assert ct["action_ratings"] == [
        {"action": "ct_w", "category": "usually_appropriate", "score": None, "disagreement": False}
    ]


def test_schema_rejects_what_the_format_forbids() -> None:
    doc = json.loads(_export(ROOT / "specs" / "flank_mass.vp"))
    validator = _validator()
    assert validator.is_valid(doc)
    bad_location = json.loads(json.dumps(doc))
    bad_location["decisions"][0]["location"] = "/home/x/specs/flank_mass.vp:3:1"
    assert not validator.is_valid(bad_location)
    float_number = json.loads(json.dumps(doc))
    float_number["inputs"].append(
        {"name": "x", "title": None, "type": "number", "min": 0.5, "max": 1, "unit": None, "location": "a.vp:1:1"}
    )
    assert not validator.is_valid(float_number)
    source_text = json.loads(json.dumps(doc))
    source_text["decisions"][0]["rules"][0]["condition"] = "age_group == adult"
    assert not validator.is_valid(source_text)


def test_numbers_are_exact_and_never_floats(tmp_path: Path) -> None:
    spec = tmp_path / "n.vp"
    spec.write_text(
        'guideline n "N" version "1"\nsource s "S"\n'
        "input x: number in [0, 10.5] cm\ninput y: number in [0, 600] mm\n"
        'disposition d1 "D1" follow_up in 1.5 weeks\ndisposition d2 "D2" reassure\nstart k\n'
        'decision k "K" first\n  when x < 2.5 and y >= 12.5 mm end d1 unrated "u" cite s\n'
        '  otherwise end d2 unrated "u" cite s\n',
        encoding="utf-8",
    )
    doc = json.loads(_export(spec, tmp_path))
    assert _validator().is_valid(doc)
    assert not [v for v in _walk(doc) if isinstance(v, float)]
    assert doc["inputs"][0] | {"location": ""} == {
        "name": "x",
        "title": None,
        "type": "number",
        "min": 0,
        "max": "21/2",
        "unit": "cm",
        "location": "",
    }
    cond = doc["decisions"][0]["rules"][0]["condition"]
    assert cond["operands"][0] == {"op": "compare", "cmp": "<", "left": {"var": "x"}, "right": {"const": "5/2"}}
    assert cond["operands"][1]["right"] == {"const": "25/2"}
    assert doc["dispositions"][0]["within"] == {"amount": "3/2", "unit": "weeks"}
    otherwise = doc["decisions"][0]["rules"][1]
    assert otherwise["otherwise"] is True and otherwise["condition"] is None


def test_numeric_findings_and_linear_terms_are_exact(tmp_path: Path) -> None:
    spec = tmp_path / "lin.vp"
    spec.write_text(
        'guideline lin "L" version "1"\nsource s "S"\n'
        "input size_cm: number in [0, 60] cm\ninput depth_mm: number in [0, 600] mm\n"
        'action panel "Renal panel" procedure\nfinding egfr "eGFR" from panel: number in [0, 200] mL/min/1.73m2\n'
        'disposition d1 "D1" reassure\ndisposition d2 "D2" refer\nstart k\n'
        'decision k "K" first\n  when size_cm > 2 * depth_mm - 5 mm order panel then j unrated "u" cite s\n'
        '  otherwise order panel then j unrated "u" cite s\n'
        'decision j "J" first\n  when egfr / 2 + 5 < 20 end d1 unrated "u" cite s\n'
        '  otherwise end d2 unrated "u" cite s\n',
        encoding="utf-8",
    )
    doc = json.loads(_export(spec, tmp_path))
    assert _validator().is_valid(doc)
    assert doc["findings"][0] | {"location": ""} == {
        "name": "egfr",
        "title": "eGFR",
        "type": "number",
        "min": 0,
        "max": 200,
        "unit": "mL/min/1.73m2",
        "revealed_by": "panel",
        "location": "",
    }
    # in the unit of the comparison's first variable (cm): a mm is 1/10 cm, so 2 * depth_mm is 1/5 * depth_mm
    assert doc["decisions"][0]["rules"][0]["condition"] == {
        "op": "compare",
        "cmp": ">",
        "left": {"var": "size_cm"},
        "right": {"terms": [{"var": "depth_mm", "coef": "1/5"}], "const": "-1/2"},
    }
    assert doc["decisions"][1]["rules"][0]["condition"]["left"] == {
        "terms": [{"var": "egfr", "coef": "1/2"}],
        "const": 5,
    }
    tables = Tables(doc)
    assert run(tables, {"size_cm": 1, "depth_mm": 7, "egfr": "59/2"}).end == "d1"  # 1 > 7/5 - 1/2; 59/4 + 5 < 20
    assert run(tables, {"size_cm": 1, "depth_mm": 7, "egfr": 30}).end == "d2"
    assert run(tables, {"size_cm": 1, "depth_mm": 7}).needs == ("egfr",)


def test_header_hashes_every_source_file_as_read() -> None:
    doc = json.loads(_export(ROOT / "specs" / "soft_tissue_mass.vp"))
    files = doc["header"]["files"]
    assert [f["path"] for f in files] == ["specs/soft_tissue_mass.vp", "specs/catalog/msk_imaging.vp"]
    for f in files:
        text = (ROOT / f["path"]).read_bytes().decode("utf-8").replace("\r\n", "\n")
        assert f["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_crlf_checkout_gives_the_same_bytes(tmp_path: Path) -> None:
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT / "specs", copy / "specs")
    (copy / "pyproject.toml").write_text("", encoding="utf-8")
    for path in (copy / "specs").rglob("*.vp"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    spec = "specs/soft_tissue_mass.vp"
    assert _export(copy / spec, copy) == _export(ROOT / spec, ROOT)


def test_same_bytes_from_any_working_directory_and_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "elsewhere" / "veripath"
    shutil.copytree(ROOT / "specs", copy / "specs")
    expected = _export(ROOT / "specs" / "soft_tissue_mass.vp", ROOT)
    assert str(ROOT) not in expected and "/specs/" not in expected.replace('"specs/', "")
    for cwd, spec, root in [
        (ROOT, "specs/soft_tissue_mass.vp", "."),
        (ROOT / "specs", "soft_tissue_mass.vp", ".."),
        (tmp_path, str(copy / "specs" / "soft_tissue_mass.vp"), str(copy)),
        (copy / "specs" / "catalog", "../soft_tissue_mass.vp", "../.."),
    ]:
        monkeypatch.chdir(cwd)
        loaded = load_spec(spec)
        assert loaded.graph is not None
        text = export_json(loaded.graph, verification=STAMP, root=root, generator_version="9.9.9")
        assert text == expected, (cwd, spec)


def test_same_bytes_under_other_hash_seeds(tmp_path: Path) -> None:
    script = (
        "import sys; from veripath.api import load_spec; from compiler.export_json import export_json;"
        "from compiler.stamp import VerificationStamp;"
        "g = load_spec(sys.argv[1]).graph;"
        "sys.stdout.write(export_json(g, verification=VerificationStamp.unverified(), root=sys.argv[2]))"
    )
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script, str(ROOT / "specs" / "soft_tissue_mass.vp"), str(ROOT)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_find_root_uses_the_nearest_marker(tmp_path: Path) -> None:
    assert find_root(str(ROOT / "specs" / "catalog" / "msk_imaging.vp")) == str(ROOT)
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text("", encoding="utf-8")
    assert find_root(str(tmp_path / "a" / "b")) == str(tmp_path / "a")


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(built=specs())
def test_random_specs_validate(built: Built, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("spec")
    (folder / "rnd.vp").write_text(built.text, encoding="utf-8")
    loaded = load_spec(str(folder / "rnd.vp"))
    if loaded.graph is None:
        return
    doc = json.loads(export_json(loaded.graph, verification=STAMP, root=str(folder)))
    errors = [e.message for e in _validator().iter_errors(doc)]
    assert not errors, (built.text, errors[:3])
    assert doc["header"]["files"][0]["path"] == "rnd.vp"


def test_waivers_are_listed_when_the_spec_has_them() -> None:
    spec = ROOT / "tests" / "data" / "dsl" / "waivers.vp"
    doc = json.loads(_export(spec))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(doc)]
    assert not errors, errors[:5]
    first, *rest = doc["waivers"]
    assert first == {
        "code": "VP303",
        "target": {"kind": "decision", "name": "second"},
        "rules": ["r1", "r2"],
        "check": "redundant:second:r1:r2",
        "reason": "both reassure; the 10 cm boundary is shared",
        "location": "tests/data/dsl/waivers.vp:30:1",
    }
    assert [(w["code"], w["check"]) for w in rest] == [
        ("VP304", "masked:first:r2"),
        ("VP305", "dead:first:r3"),
        ("VP306", "unreachable:decision:large"),
        ("VP306", "unreachable:action:mri"),
        ("VP306", "unreachable:disposition:refer"),
    ]
    waiver = _schema()["properties"]["waivers"]["items"]["properties"]
    assert waiver["code"]["enum"] == [c.code for c in WAIVABLE]
    assert waiver["target"]["properties"]["kind"]["enum"] == list(get_args(m.WaiverTargetKind))
    # a spec without waivers has no "waivers" key: its tables are what they were before waivers
    assert "waivers" not in json.loads(_export(ROOT / "specs" / "flank_mass.vp"))


def test_named_conditions_stay_named() -> None:
    """Each define once in `defines`; each use a `define` node naming it and carrying its condition."""
    spec = ROOT / "tests" / "data" / "dsl" / "defines.vp"
    doc = json.loads(_export(spec))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(doc)]
    assert not errors, errors[:5]
    assert list(doc)[list(doc).index("assumptions") + 1] == "defines"
    by_name = {d["name"]: d for d in doc["defines"]}
    assert list(by_name) == ["red_flags", "adult", "large_or_deep"]  # load order: the guideline, then imports
    assert by_name["red_flags"]["title"] == "Red flags for sarcoma"
    assert by_name["large_or_deep"]["location"] == "tests/data/dsl/lib/red_flags.vp:8:1"
    uses = [n for n in _walk(doc["decisions"]) if isinstance(n, dict) and n.get("op") == "define"]
    assert {u["name"] for u in uses} == {"red_flags", "large_or_deep", "adult"}
    for u in uses:
        assert u["condition"] == by_name[u["name"]]["condition"]
    first = doc["decisions"][0]["rules"][0]["condition"]
    assert (first["op"], first["name"]) == ("define", "red_flags")
    # a spec without defines has no "defines" key: its tables are what they were before defines
    assert "defines" not in json.loads(_export(ROOT / "tests" / "data" / "dsl" / "everything.vp"))


def test_a_sub_pathway_from_a_catalogue_is_in_the_guidelines_tables() -> None:
    """The catalogue's decisions the guideline enters are exported with it, located in the catalogue;
    the one it never enters is not; the header lists every source file."""
    spec = ROOT / "tests" / "data" / "dsl" / "subpathway.vp"
    doc = json.loads(_export(spec))
    assert not list(_validator().iter_errors(doc))
    assert [(d["name"], d["location"]) for d in doc["decisions"]] == [
        ("first", "tests/data/dsl/subpathway.vp:14:1"),
        ("after_mri", "tests/data/dsl/lib/followon.vp:11:1"),
        ("mdt_route", "tests/data/dsl/lib/followon.vp:15:1"),
    ]
    assert [f["path"] for f in doc["header"]["files"]] == [
        "tests/data/dsl/subpathway.vp",
        "tests/data/dsl/lib/followon.vp",
        "tests/data/dsl/lib/findings.vp",
    ]
    nodes = {n["id"] for n in doc["pathway"]["nodes"]}
    assert {"decision:after_mri", "decision:mdt_route"} <= nodes and "decision:after_ct" not in nodes
