"""Machine-readable renderers: SARIF and JUnit carry the same diagnostics as the text output."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from veripath.cli import main

BROKEN = """guideline t "T" version "1"
source s "S"
input depth: superficial | deep
disposition ok "OK" reassure
start a
decision a "A" unique
  when depth == superficail end ok unrated "x" cite s
  when depth == deep end ok unrated "x" cite s
"""


def _write(tmp_path: Path) -> Path:
    spec = tmp_path / "broken.vp"
    spec.write_text(BROKEN, encoding="utf-8")
    return spec


def test_sarif_points_at_the_bad_value(tmp_path: Path) -> None:
    spec = _write(tmp_path)
    result = CliRunner().invoke(main, ["check", str(spec), "--format", "sarif"])
    assert result.exit_code == 2
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (finding,) = run["results"]
    assert finding["ruleId"] == "VP203" and finding["level"] == "error"
    assert rules[finding["ruleIndex"]]["id"] == "VP203"
    region = finding["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (7, 17, 28)
    assert "did you mean 'superficial'" in finding["message"]["text"]


def test_junit_has_one_failure_per_error(tmp_path: Path) -> None:
    spec = _write(tmp_path)
    result = CliRunner().invoke(main, ["check", str(spec), "--format", "junit"])
    assert result.exit_code == 2
    root = ET.fromstring(result.stdout)
    failures = root.findall("./testsuite/testcase/failure")
    assert [f.get("type") for f in failures] == ["VP203"]
    assert "superficail" in (failures[0].text or "")
