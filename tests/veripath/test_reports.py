"""The report formats: SARIF for code scanning, JUnit, the JSON report, GitHub annotations, the text
summary, fingerprints, baselines and waived findings."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from click.testing import CliRunner, Result

from dsl.codes import CODES
from veripath import __version__, pipeline
from veripath.codes_doc import render_codes_md
from veripath.findings import findings, summarize
from veripath.identity import fingerprint
from veripath.pipeline import Options, Report
from veripath.render_json import dumps, render_json
from veripath.render_junit import render_junit, xml_text
from veripath.render_sarif import artifact_uri, render_sarif, utf16_column
from veripath.render_text import render_report

ROOT = Path(__file__).resolve().parents[2]


def _shared_schemas() -> Path:
    """../shared/schemas beside the project root (CI), or beside a folder above it (a git worktree)."""
    for folder in ROOT.parents:
        if (folder / "shared" / "schemas").is_dir():
            return folder / "shared" / "schemas"
    return ROOT.parent / "shared" / "schemas"


SHARED = _shared_schemas()
DATA = ROOT / "tests" / "data"
FINDINGS = DATA / "cli" / "findings.vp"
SMALL = DATA / "cli" / "small.vp"
BROKEN = DATA / "cli" / "broken.vp"
SPECS = ROOT / "specs"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main_command(), list(args), env=env, catch_exceptions=True)


def main_command() -> Any:
    from veripath.cli import main

    return main


@pytest.fixture(autouse=True)
def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


def _sarif_validator() -> Any:
    path = SHARED / "sarif" / "sarif-schema-2.1.0.json"
    if not path.exists():
        pytest.fail(f"{path} is not there (CI has shared/ beside the project)")
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def _junit_schema() -> Any:
    path = SHARED / "junit" / "junit-10.xsd"
    if not path.exists():
        pytest.fail(f"{path} is not there (CI has shared/ beside the project)")
    return xmlschema.XMLSchema(str(path))


def _report_schema() -> Any:
    schema = json.loads((ROOT / "schemas" / "veripath-report.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _valid(validator: Any, doc: Any) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message[:300]}" for e in errors[:5])


def _check(paths: list[str], options: Options | None = None) -> Report:
    return pipeline.run(paths, options or Options(), pipeline.CHECK)


# -- SARIF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [BROKEN, FINDINGS, SMALL])
def test_sarif_is_valid_against_the_official_schema(spec: Path) -> None:
    result = run("check", "--format", "sarif", str(spec))
    log = json.loads(result.stdout)
    _valid(_sarif_validator(), log)
    (sarif_run,) = log["runs"]
    assert sarif_run["columnKind"] == "utf16CodeUnits"
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(CODES)
    for r in rules:
        assert r["helpUri"].endswith(f"docs/codes.md#{r['id'].lower()}")
        assert r["fullDescription"]["text"] and r["help"]["text"]
    for res in sarif_run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert re.fullmatch(r"[0-9a-f]{64}", res["partialFingerprints"]["veripath/v1"])
        (loc,) = res["locations"]
        artifact = loc["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "SRCROOT" and artifact["uri"].startswith("tests/data/cli/")


def test_sarif_code_flows_and_related_locations() -> None:
    log = json.loads(run("check", "--format", "sarif", str(FINDINGS)).stdout)
    results = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    conflict = results["VP302"]
    (related,) = conflict["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == 29  # rule r1 of after_us
    assert "overlaps rule 'r1'" in related["message"]["text"]
    (flow,) = results["VP301"]["codeFlows"]
    steps = flow["threadFlows"][0]["locations"]
    assert steps[0]["location"]["message"]["text"].startswith("decision initial")
    assert all("physicalLocation" in s["location"] for s in steps)
    assert "patient: depth = superficial" in flow["message"]["text"]


def test_sarif_columns_count_utf16_code_units(tmp_path: Path) -> None:
    # An astral character (two UTF-16 code units) before the mistake on the same line.
    text = SMALL.read_text(encoding="utf-8")
    spec = tmp_path / "astral.vp"
    spec.write_text(text.replace("guideline small", 'guideline small "\U0001f600" bad', 1), encoding="utf-8")
    assert utf16_column("a\U0001f600b", 3) == 4
    assert utf16_column("ab", 5) == 5  # past the end: one unit per column
    log = json.loads(run("check", "--format", "sarif", str(spec)).stdout)
    text_result = run("check", "--no-color", str(spec)).stdout
    (res, *_) = log["runs"][0]["results"]
    head = text_result.splitlines()[0]
    column = int(head.split(":")[2])
    region = res["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 2 and region["startColumn"] == column + 1


def test_artifact_uris_are_percent_encoded_and_relative_to_srcroot(tmp_path: Path) -> None:
    root = str(tmp_path)
    assert artifact_uri(str(tmp_path / "my specs" / "café.vp"), root) == ("my%20specs/caf%C3%A9.vp", "SRCROOT")
    raw = os.fsdecode(b"caf\xe9#1.vp")  # not UTF-8: held as a lone surrogate
    assert artifact_uri(str(tmp_path / raw), root) == ("caf%E9%231.vp", "SRCROOT")
    uri, base = artifact_uri("/elsewhere/x y.vp", root)
    assert base is None and uri == "file:///elsewhere/x%20y.vp"


def test_a_finding_without_a_position_has_a_file_level_location(tmp_path: Path) -> None:
    assert run("build", str(SMALL), "--out", str(tmp_path)).exit_code == 0
    (tmp_path / "small.py").write_text("# edited\n", encoding="utf-8")
    log = json.loads(run("build", "--check", str(SMALL), "--out", str(tmp_path), "--format", "sarif").stdout)
    _valid(_sarif_validator(), log)
    (res,) = log["runs"][0]["results"]
    assert res["ruleId"] == "VP402"
    (loc,) = res["locations"]
    assert "region" not in loc["physicalLocation"]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "tests/data/cli/small.vp"


# -- identity -------------------------------------------------------------------------------------


def _fingerprints(spec: Path) -> dict[str, str]:
    report = _check([str(spec)])
    (f,) = report.files
    assert f.model is not None
    return {d.code.code: fingerprint(d, f.model.name) for d in f.diagnostics}


def test_fingerprints_survive_inserted_lines_and_a_renamed_unrelated_rule(tmp_path: Path) -> None:
    before = _fingerprints(FINDINGS)
    assert set(before) == {"VP301", "VP302", "VP303", "VP307"}
    text = FINDINGS.read_text(encoding="utf-8")
    moved = tmp_path / "findings.vp"
    moved.write_text("# a comment\n# and another\n\n" + text, encoding="utf-8")
    assert _fingerprints(moved) == before
    renamed = tmp_path / "renamed.vp"
    edited = text.replace(
        'decision initial "Initial imaging" unique\n  when depth == superficial',
        'decision initial "Initial imaging" unique\n  rule superficial_first\n  when depth == superficial',
    )
    assert edited != text
    renamed.write_text(edited, encoding="utf-8")
    assert _fingerprints(renamed) == before
    # A different finding has a different fingerprint.
    assert len(set(before.values())) == len(before)


def test_front_end_fingerprints_ignore_line_numbers(tmp_path: Path) -> None:
    spec = tmp_path / "broken.vp"
    spec.write_text(BROKEN.read_text(encoding="utf-8"), encoding="utf-8")
    first = json.loads(run("check", "--format", "json", str(spec)).stdout)
    spec.write_text("\n\n" + BROKEN.read_text(encoding="utf-8"), encoding="utf-8")
    second = json.loads(run("check", "--format", "json", str(spec)).stdout)
    fps = [[d["fingerprint"] for d in doc["files"][0]["diagnostics"]] for doc in (first, second)]
    assert fps[0] == fps[1] and len(set(fps[0])) == 2


# -- JUnit ----------------------------------------------------------------------------------------


def test_junit_is_valid_and_has_one_case_per_check() -> None:
    xsd = _junit_schema()
    for spec in (FINDINGS, BROKEN, SPECS):
        xml = run("check", "--format", "junit", str(spec)).stdout
        xsd.validate(xml)
    xml = run("check", "--format", "junit", str(FINDINGS)).stdout
    import xml.etree.ElementTree as ET

    suites = ET.fromstring(xml)
    cases = {c.get("name"): c for c in suites.iter("testcase")}
    assert {
        "findings.compile",
        "findings.initial.completeness",
        "findings.initial.consistency",
        "findings.after_us.completeness",
        "findings.after_us.consistency",
        "findings.property.ends",
        "findings.example.superficial, benign, small",
    } <= set(cases)
    assert all(c.get("time") is not None for c in cases.values())
    failed = {n for n, c in cases.items() if c.find("failure") is not None}
    assert failed == {"findings.after_us.completeness", "findings.after_us.consistency", "findings.property.ends"}
    # the VP303 warning is visible in its case without failing it ... here its case also has the VP302 failure
    out = cases["findings.after_us.consistency"].find("system-out")
    assert out is not None and "[VP303]" in (out.text or "")


def test_junit_for_test_has_the_examples() -> None:
    import xml.etree.ElementTree as ET

    xml = run("test", "--format", "junit", str(SMALL)).stdout
    _junit_schema().validate(xml)
    names = [c.get("name") for c in ET.fromstring(xml).iter("testcase")]
    assert any(n and n.startswith("small.example.") for n in names)


def test_xml_text_replaces_what_xml_forbids() -> None:
    assert xml_text("a\x01b\uffff\ufffe\u202e\udcff") == "a\\x01b\\uffff\\ufffe\\u202e\\udcff"
    assert xml_text("line\nnext\x0b", multiline=True) == "line\nnext\\v"


# -- JSON -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [BROKEN, FINDINGS, SMALL])
def test_json_report_is_valid_against_its_schema(spec: Path) -> None:
    doc = json.loads(run("check", "--format", "json", str(spec)).stdout)
    _valid(_report_schema(), doc)
    assert doc["format_version"] == 1 and doc["version"] == __version__


def test_json_path_steps_are_structured() -> None:
    doc = json.loads(run("check", "--format", "json", str(FINDINGS)).stdout)
    gap = next(d for d in doc["files"][0]["diagnostics"] if d["code"] == "VP301")
    step = gap["data"]["path"][0]
    assert step["kind"] and step["span"]["file"] == step["location"].rsplit(":", 2)[0]
    assert isinstance(step["span"]["line"], int)
    checks = {c["name"]: c["verdict"] for c in doc["files"][0]["checks"]}
    assert checks["findings.initial.completeness"] == "proved"


@pytest.mark.skipif(sys.platform != "linux", reason="file names that are not UTF-8 need a POSIX file system")
def test_file_names_that_are_not_utf8_survive_every_format(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.vp")
    spec = tmp_path / name
    shutil.copy(FINDINGS, spec)
    for fmt in ("json", "sarif", "junit", "github", "text"):
        result = run("check", "--format", fmt, str(spec))
        assert result.exit_code == 1, (fmt, result.output)
        out = result.stdout_bytes
        out.decode("utf-8")  # strictly UTF-8: no raw bytes
        assert b"\xe9" not in out.replace("é".encode(), b"")
        if fmt == "json":
            doc = json.loads(out)
            _valid(_report_schema(), doc)
            assert doc["files"][0]["path"].endswith("caf\\udce9.vp")
        if fmt == "sarif":
            log = json.loads(out)
            _valid(_sarif_validator(), log)
            uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            assert uri.endswith("caf%E9.vp")
        if fmt == "junit":
            _junit_schema().validate(out.decode("utf-8"))


# -- GitHub annotations ---------------------------------------------------------------------------


def test_github_annotations() -> None:
    result = run("check", "--format", "github", str(FINDINGS))
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=tests/data/cli/findings.vp,line=28,col=1,endLine=37,")
    assert "title=VP301 gap::decision 'after_us' does not cover" in lines[0]
    assert "%0Apatient: " in lines[0] and "\n" not in lines[0]
    assert any(line.startswith("::warning ") and "VP303" in line for line in lines)
    assert lines[-1].startswith("3 errors, 1 warning in 1 file;")


# -- text -----------------------------------------------------------------------------------------


def test_summary_says_what_was_proved() -> None:
    result = run("check", str(SPECS))
    assert result.exit_code == 0
    (line,) = result.stdout.splitlines()
    assert re.fullmatch(
        r"ok: 5 files; \d+ decisions complete and consistent; \d+ properties proved; \d+ examples passed "
        r"\(\d+\.\d s\)",
        line,
    ), line
    bad = run("check", str(FINDINGS)).stdout.splitlines()[-1]
    assert bad.startswith("3 errors, 1 warning in 1 file; 1 of 2 decisions complete and consistent; ")
    assert "0 of 1 property proved; 1 example passed (" in bad


def test_quiet_verbose_and_output_file(tmp_path: Path) -> None:
    assert run("check", "-q", str(SMALL)).stdout == ""
    quiet = run("check", "-q", str(FINDINGS)).stdout
    assert "[VP301]" in quiet and "decisions complete" not in quiet
    verbose = run("check", "-v", str(SMALL)).stdout.splitlines()
    assert any(re.search(r"proved: small\.\w+\.completeness: decision '\w+' is complete", v) for v in verbose)
    assert verbose[-1].startswith("ok: 1 file;")
    target = tmp_path / "report.sarif"
    result = run("check", "--format", "sarif", "--output-file", str(target), str(FINDINGS))
    assert result.exit_code == 1
    assert result.stdout.startswith("3 errors, 1 warning in 1 file;") and len(result.stdout.splitlines()) == 1
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"
    text = tmp_path / "report.txt"
    assert run("check", "--color", "--output-file", str(text), str(FINDINGS)).stdout == ""
    assert "\x1b[" not in text.read_text(encoding="utf-8") and "[VP302]" in text.read_text(encoding="utf-8")


def test_color_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from veripath.cli import _use_color

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.delenv("TERM", raising=False)
    assert _use_color(None) is True
    monkeypatch.setenv("TERM", "dumb")
    assert _use_color(None) is False
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert _use_color(None) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert _use_color(None) is False
    assert _use_color(True) is True


def test_no_progress_display_when_not_a_terminal() -> None:
    result = run("check", str(SPECS))
    assert result.stderr == ""


# -- baselines and waivers -------------------------------------------------------------------------


def test_baseline_fails_only_on_new_findings(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    first = run("check", "--write-baseline", str(baseline), str(FINDINGS))
    assert first.exit_code == 1
    recorded = json.loads(baseline.read_text(encoding="utf-8"))
    assert recorded["format"] == "veripath-baseline" and len(recorded["findings"]) == 4
    again = run("check", "--baseline", str(baseline), str(FINDINGS))
    assert again.exit_code == 0, again.stdout
    assert "[VP301]" in again.stdout and "baseline: listed in the baseline" in again.stdout
    assert "4 findings in the baseline" in again.stdout.splitlines()[-1]
    sarif = json.loads(run("check", "--baseline", str(baseline), "--format", "sarif", str(FINDINGS)).stdout)
    assert {r["baselineState"] for r in sarif["runs"][0]["results"]} == {"unchanged"}
    # a new finding fails the run
    spec = tmp_path / "findings.vp"
    spec.write_text(
        FINDINGS.read_text(encoding="utf-8").replace("always ends", "never mri before us_plain"), encoding="utf-8"
    )
    new = run("check", "--baseline", str(baseline), str(spec))
    assert new.exit_code in (0, 1)
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    refused = run("check", "--baseline", str(bad), str(FINDINGS))
    assert refused.exit_code == 2 and "not a veripath baseline" in refused.stderr


def test_compile_errors_are_never_baselined(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    run("check", "--write-baseline", str(baseline), str(BROKEN))
    assert json.loads(baseline.read_text(encoding="utf-8"))["findings"] == []
    assert run("check", "--baseline", str(baseline), str(BROKEN)).exit_code == 2


def _waived_report() -> Report:
    report = _check([str(FINDINGS)])
    (f,) = report.files
    f.diagnostics = [
        dataclasses.replace(d, waived="the sources are silent; agreed at the 2024 review")
        if d.code.code == "VP302"
        else d
        for d in f.diagnostics
    ]
    return report


def test_waived_findings_are_shown_as_waived_everywhere() -> None:
    report = _waived_report()
    found = findings(report)
    summary = summarize(report, found)
    sources = {k: v for f in report.files for k, v in f.sources.items()}
    text = render_report(found, summary, sources, {})
    assert "[VP302] (waived: the sources are silent; agreed at the 2024 review)" in text
    assert "1 finding waived" in text.splitlines()[-1]
    log = render_sarif(found, sources, __version__)
    _valid(_sarif_validator(), log)
    waived = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    assert [r["ruleId"] for r in waived] == ["VP302"]
    assert waived[0]["suppressions"][0]["justification"].startswith("the sources are silent")
    doc = json.loads(dumps(render_json(report, found, summary, __version__, 1)))
    _valid(_report_schema(), doc)
    assert [d["code"] for d in doc["files"][0]["diagnostics"] if d["waived"]] == ["VP302"]
    xml = render_junit(report, found, sources)
    _junit_schema().validate(xml)
    assert "waived: VP302: the sources are silent" in xml


# -- docs -----------------------------------------------------------------------------------------


def test_codes_md_is_current(update_golden: bool) -> None:
    path = ROOT / "docs" / "codes.md"
    expected = render_codes_md()
    if update_golden:
        path.write_text(expected, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == expected, "run: python -m veripath.codes_doc > docs/codes.md"
    for code in CODES:
        assert f'<a id="{code.lower()}"></a>' in expected


def test_file_names_with_spaces_and_hashes_pass_every_schema(tmp_path: Path) -> None:
    folder = tmp_path / "dir with spaces"
    folder.mkdir()
    spec = folder / "bad #1.vp"
    shutil.copy(FINDINGS, spec)
    for fmt in ("json", "sarif", "junit"):
        result = run("check", "--format", fmt, str(spec))
        assert result.exit_code == 1, (fmt, result.output)
        if fmt == "json":
            doc = json.loads(result.stdout)
            _valid(_report_schema(), doc)
            assert doc["files"][0]["path"].endswith("dir with spaces/bad #1.vp")
        elif fmt == "sarif":
            log = json.loads(result.stdout)
            _valid(_sarif_validator(), log)
            uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
            assert uris and all(u.endswith("dir%20with%20spaces/bad%20%231.vp") for u in uris), uris
        else:
            _junit_schema().validate(result.stdout)
            assert "dir with spaces/bad #1.vp" in result.stdout
