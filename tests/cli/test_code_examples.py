"""The example in each code's explanation, saved as example.vp and checked with `veripath check`,
reports that code (and nothing else, except where listed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsl.codes import CODES, Code, Severity, Stage
from tests.cli.support import run
from tests.dsl.test_codes import NO_EXAMPLE

WITH_EXAMPLE = [c for c in CODES.values() if c.example]

# An example may report a second code where the two cannot come apart: a decision no patient
# reaches (VP306) is reached only through a rule no patient matches (VP305).
ALSO_REPORTED = {"VP306": {"VP305"}}

# The options of `veripath check` that report a code (coverage hints only with --coverage).
FLAGS = {"VP320": ("--coverage",), "VP321": ("--coverage",)}


@pytest.mark.parametrize("code", WITH_EXAMPLE, ids=lambda c: c.code)
def test_example_reports_its_code(code: Code, tmp_path: Path) -> None:
    spec = tmp_path / "example.vp"
    spec.write_text(code.example, encoding="utf-8")
    result = run("check", "--format", "json", *FLAGS.get(code.code, ()), str(spec))
    payload = json.loads(result.stdout)
    found = payload["diagnostics"] + [d for f in payload["files"] for d in f["diagnostics"]]
    reported = {d["code"]: d["severity"] for d in found}
    assert code.code in reported, (code.code, payload)
    assert set(reported) - {code.code} <= ALSO_REPORTED.get(code.code, set()), reported
    assert reported[code.code] == code.severity.value
    if code.severity is Severity.WARNING:
        assert result.exit_code == 0  # a warning fails the run only under --strict (VP246 and VP3xx)
    elif code.stage in (Stage.READ, Stage.SEMANTICS):
        assert result.exit_code == 2
    else:
        assert result.exit_code == 1


def test_coverage_hints_need_the_flag(tmp_path: Path) -> None:
    for code in FLAGS:
        spec = tmp_path / "example.vp"
        spec.write_text(CODES[code].example, encoding="utf-8")
        result = run("check", "--format", "json", str(spec))
        assert result.exit_code == 0 and code not in result.stdout


def test_most_codes_have_an_example() -> None:
    assert len(WITH_EXAMPLE) >= len(CODES) - len(NO_EXAMPLE)
