"""Variants (published tables declared once) in every output: the JSON tables, the Python module,
DMN, the diagram and `veripath run`; under `priority` the scores a rule takes from its variant
decide, identically in every evaluator."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from compiler.export_diagram import diagram_outputs, graph_json
from compiler.export_dmn import export_dmn
from compiler.export_json import export_json
from compiler.export_python import export_python
from compiler.graph import DecisionGraph
from compiler.json_eval import Tables, run
from compiler.stamp import Stamp, VerificationStamp
from tests.cli.support import run as cli
from tests.export.support import ROOT, norm_orders
from tests.export_py.support import import_text
from veripath.api import load_spec

SPEC = """\
guideline vt "Variants" version "1"
source acr "ACR"
source bsg "BSG 2024"
input deep: bool
input ci: bool
action xr "Radiograph" imaging modality xr
action us "US" imaging modality us
action mri "MRI" imaging modality mri cross_sectional
action biopsy "Core biopsy" procedure
disposition reassure "Reassure" reassure
disposition mdt "MDT" refer within 2 weeks
variant v2 "Variant 2: deep mass" cite acr "variant 2"
  note "strength of evidence: limited"
  rated mri usually_appropriate 8
  rated us may_be_appropriate 5 disagreement
  rated biopsy usually_not_appropriate 1
start first
decision first "First" priority
  rule mri_first when deep order mri end mdt in variant v2 cite acr
  rule us_first when deep or ci order us end reassure in variant v2 rated us may_be_appropriate 5 disagreement cite acr
  rule sample when deep and ci order biopsy end mdt in variant v2
    ordered biopsy because "the MDT asked for it" cite bsg "Table 2" cite acr
  rule plain otherwise order xr end reassure rated usually_appropriate 7 cite acr
"""


def _graph(tmp_path: Path) -> DecisionGraph:
    spec = tmp_path / "vt.vp"
    spec.write_text(SPEC, encoding="utf-8")
    loaded = load_spec(str(spec))
    assert loaded.graph is not None and not loaded.diagnostics, [str(d) for d in loaded.diagnostics]
    return loaded.graph


def test_json_tables(tmp_path: Path) -> None:
    text = export_json(_graph(tmp_path), verification=VerificationStamp.unverified(), root=str(tmp_path))
    doc = json.loads(text)
    schema = json.loads((ROOT / "schemas" / "veripath-tables.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["variants"] == [
        {
            "name": "v2",
            "title": "Variant 2: deep mass",
            "ratings": [
                {"action": "mri", "category": "usually_appropriate", "score": 8, "disagreement": False},
                {"action": "us", "category": "may_be_appropriate", "score": 5, "disagreement": True},
                {"action": "biopsy", "category": "usually_not_appropriate", "score": 1, "disagreement": False},
            ],
            "citations": [{"source": "acr", "locator": "variant 2"}],
            "notes": ["strength of evidence: limited"],
            "location": "vt.vp:12:1",
        }
    ]
    rules = {r["label"]: r for r in doc["decisions"][0]["rules"]}
    assert rules["mri_first"]["variant"] == "v2" and "reasons" not in rules["mri_first"]
    assert [r["action"] for r in rules["mri_first"]["action_ratings"]] == ["mri"]
    assert [r["action"] for r in rules["mri_first"]["also_rated"]] == ["us", "biopsy"]
    assert rules["sample"]["reasons"] == [
        {"action": "biopsy", "reason": "the MDT asked for it", "citation": {"source": "bsg", "locator": "Table 2"}}
    ]
    assert "variant" not in rules["plain"] and "reasons" not in rules["plain"]
    # under priority the variant's scores decide: MRI (8) over US (5) and the biopsy (1) for a deep
    # mass, whatever `ci`; `otherwise` applies only where no other rule matches
    tables = Tables(doc)
    assert norm_orders(run(tables, {"deep": True, "ci": False}).orders) == ("mri",)
    assert norm_orders(run(tables, {"deep": False, "ci": True}).orders) == ("us",)
    assert norm_orders(run(tables, {"deep": False, "ci": False}).orders) == ("xr",)


def test_python_module(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    module = import_text(export_python(graph, stamp=Stamp(verdict="verified"), root=str(tmp_path)), tmp_path, "vt_mod")
    title, ratings = module.VARIANTS["v2"]
    assert title == "Variant 2: deep mass"
    assert [(r.action, r.category, r.score, r.disagreement) for r in ratings] == [
        ("mri", "usually_appropriate", 8, False),
        ("us", "may_be_appropriate", 5, True),
        ("biopsy", "usually_not_appropriate", 1, False),
    ]
    assert module.RULE_VARIANTS == {"first.mri_first": "v2", "first.us_first": "v2", "first.sample": "v2"}
    assert [(r.action, r.also) for r in module.RATINGS["first.us_first"]] == [
        ("us", False),
        ("mri", True),
        ("biopsy", True),
    ]
    (order,) = module.recommend({"deep": True, "ci": True}).orders
    assert (order.action, order.rating, order.score) == ("mri", "usually_appropriate", 8)


def test_dmn_and_diagram(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    dmn = export_dmn(graph, stamp=Stamp(verdict="verified"), root=str(tmp_path))
    assert "<text>in variant v2; rated mri usually_appropriate 8; also rated us may_be_appropriate 5 " in dmn
    assert '; ordered biopsy because "the MDT asked for it" cite bsg "Table 2"</text>' in dmn
    mermaid = "".join(diagram_outputs(graph, Stamp(verdict="verified"), str(tmp_path)).values())
    assert "deep [8] (v2)" in mermaid
    edges = {e.get("rule"): e for e in graph_json(graph, str(tmp_path))["edges"] if e["kind"] == "rule"}
    assert edges["first.sample"]["variant"] == "v2"
    assert edges["first.sample"]["reasons"] == [{"action": "biopsy", "reason": "the MDT asked for it"}]


def test_run_shows_the_variant(tmp_path: Path) -> None:
    spec = tmp_path / "vt.vp"
    spec.write_text(SPEC, encoding="utf-8")
    text = cli("run", str(spec), "--given", "deep=true", "--given", "ci=false").stdout
    shown = "  rule mri_first applies\n  in variant v2: Variant 2: deep mass\n    mri rated usually_appropriate 8\n"
    assert shown in text
    data = json.loads(cli("run", str(spec), "--format", "json", "--given", "deep=true", "--given", "ci=false").stdout)
    (step,) = [s for s in data["path"] if s["kind"] == "decision"]
    assert step["variant"] == {
        "name": "v2",
        "title": "Variant 2: deep mass",
        "ratings": [{"action": "mri", "category": "usually_appropriate", "score": 8, "disagreement": False}],
    }
