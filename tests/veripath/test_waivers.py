"""Waivers end to end: `waive` accepts exactly the finding it names, stays visible, never fails a run.

tests/data/waivers/planted_waivers.vp has two agreeing overlaps (VP303) in one decision and two
waivers: one accepts the first overlap, the other names an overlap that does not exist (VP311).
tests/data/dsl/waivers.vp waives every one of its six warnings, one of each form.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from dsl.codes import GAP, REDUNDANT_OVERLAP, UNUSED_WAIVER
from dsl.diagnostics import Diagnostic, diagnostic, warning
from dsl.evidence import Evidence
from dsl.waivers import apply_waivers
from tests.cli.support import run
from tests.dsl.support import DATA
from veripath import api, pipeline
from veripath.pipeline import Options
from veripath.status import ExitCode, exit_code

PLANTED = DATA / "waivers" / "planted_waivers.vp"
ALL_WAIVED = DATA / "dsl" / "waivers.vp"


def _found(d: Diagnostic) -> tuple[str, int, str | None, str | None]:
    check = d.evidence.check if d.evidence is not None else None
    return (d.code.code, d.span.line if d.span else 0, check, d.waived)


def test_a_waiver_accepts_exactly_the_finding_it_names() -> None:
    (f,) = api.check(str(PLANTED)).files
    assert [_found(d) for d in f.sorted_diagnostics()] == [
        ("VP303", 10, "redundant:first:small:medium", "both reassure at exactly 5 cm"),
        ("VP303", 11, "redundant:first:medium:large", None),
        ("VP311", 13, None, None),
    ]
    (unused,) = [d for d in f.diagnostics if d.code is UNUSED_WAIVER]
    assert unused.message == (
        "this waiver matches no finding: the verifier reports no VP303 (redundant:first:small:large)"
    )
    # the check results carry the same waived diagnostic as the report
    waived = {c.check: c.diagnostic.waived for c in f.checks if c.diagnostic is not None}
    assert waived["redundant:first:small:medium"] == "both reassure at exactly 5 cm"
    assert waived["redundant:first:medium:large"] is None


def test_waived_findings_stay_visible_in_text_and_json() -> None:
    text = run("check", "--no-color", str(PLANTED))
    assert text.exit_code == 0
    assert "[VP303] (waived: both reassure at exactly 5 cm)" in text.stdout
    assert text.stdout.count("(waived:") == 1
    payload = json.loads(run("check", "--format", "json", str(PLANTED)).stdout)
    (file,) = payload["files"]
    assert [d.get("waived") for d in file["diagnostics"]] == ["both reassure at exactly 5 cm", None, None]


def test_strict_fails_only_on_what_is_not_waived() -> None:
    assert run("check", "--strict", str(PLANTED)).exit_code == ExitCode.FINDINGS  # one VP303 and the VP311
    result = run("check", "--strict", "--no-color", str(ALL_WAIVED))
    assert result.exit_code == ExitCode.OK, result.stdout
    assert result.stdout.count("(waived:") == 6


def test_the_exit_policy_ignores_waived_findings() -> None:
    found = warning(REDUNDANT_OVERLAP, "overlap", None)
    assert exit_code([found], strict=True) is ExitCode.FINDINGS
    assert exit_code([dataclasses.replace(found, waived="agreed")], strict=True) is ExitCode.OK


def test_an_error_is_never_waived_even_by_a_matching_waiver() -> None:
    (f,) = api.check(str(PLANTED)).files
    assert f.model is not None
    (w, _) = f.model.waivers
    gap = diagnostic(GAP, "a gap", None, evidence=Evidence(check=w.check, verdict="refuted"))
    forced = dataclasses.replace(gap, code=REDUNDANT_OVERLAP)  # an error with a waivable code and the id
    out, unused = apply_waivers((w,), [gap, forced], report_unused=True)
    assert [d.waived for d in out] == [None, None]
    assert [d.code for d in unused] == [UNUSED_WAIVER]


def test_unused_waivers_are_reported_only_where_the_verifier_ran() -> None:
    (f,) = pipeline.run([str(PLANTED)], passes=pipeline.TEST).files
    assert "waive" in f.timings
    assert f.diagnostics == []  # no finding to waive, and no VP311: the tables were not checked


def test_build_treats_a_spec_whose_findings_are_all_waived_as_verified(tmp_path: Path) -> None:
    report = api.build(str(ALL_WAIVED), Options(strict=True, out_dir=str(tmp_path), root=str(DATA)))
    (f,) = report.files
    assert report.exit_code() is ExitCode.OK
    assert f.stamp().verified
    tables = json.loads((tmp_path / "waivers.json").read_text(encoding="utf-8"))
    assert tables["header"]["verification"]["verdict"] == "verified"
    assert len(tables["waivers"]) == 6
    # with a finding that is not waived, --strict builds nothing
    blocked = api.build(str(PLANTED), Options(strict=True, out_dir=str(tmp_path / "planted"), root=str(DATA)))
    assert blocked.exit_code() is ExitCode.FINDINGS
    assert not (tmp_path / "planted").exists()


def test_a_catalogue_cannot_waive(tmp_path: Path) -> None:
    spec = tmp_path / "c.vp"
    spec.write_text('catalogue c "C"\nwaive VP306 on action mri because "x"\n', encoding="utf-8")
    codes = [d.code.code for d in api.load_spec(str(spec)).diagnostics]
    assert "VP219" in codes
