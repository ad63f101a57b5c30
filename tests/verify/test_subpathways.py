"""Sub-pathways: a guideline entering decisions held in catalogues, and one guideline over several files.

Every finding points into the file it is about (`file:line:col`), the catalogue decisions a
guideline enters are verified as its own, and those it never enters are neither verified nor
reported as unreachable. The reports are compared as text, exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.support import assert_no_traceback, run, untimed

GUIDELINE = """\
guideline follow "Follow-on" version "1"
import "parts/after_us.vp"
import "parts/sources.vp"
input big: bool
start first
decision first "First" unique
  when big order us then after_us rated usually_appropriate 9 cite acr
  when not big end done rated usually_appropriate 9 cite acr
property us_first: never mri before us
"""

SOURCES = """\
catalogue sources "Sources"
source acr "ACR"
"""

# `after_us` leaves `us_result == equivocal` without a rule; `after_ct` is never entered.
AFTER_US = """\
catalogue after_us_part "After US"
import "sources.vp"
action us "US" imaging modality us
action mri "MRI" imaging modality mri cross_sectional
finding us_result "US result" from us: normal | equivocal | abnormal
disposition done "Done" discharge
disposition refer "Refer" refer
decision after_us "After US" unique
  when us_result == normal end done rated usually_appropriate 9 cite acr
  when us_result == abnormal order mri end refer rated usually_appropriate 9 cite acr
decision after_ct "After CT" unique
  when us_result == normal end done rated usually_appropriate 9 cite acr
"""


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "parts").mkdir()
    (tmp_path / "follow.vp").write_text(GUIDELINE, encoding="utf-8")
    (tmp_path / "parts" / "sources.vp").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "parts" / "after_us.vp").write_text(AFTER_US, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "follow.vp"


def test_a_gap_in_an_entered_catalogue_decision_is_reported_in_the_catalogue(spec: Path) -> None:
    result = run("check", "--no-color", "follow.vp")
    assert_no_traceback(result)
    assert untimed(result.output) == (
        "parts/after_us.vp:8:1: error: decision 'after_us' does not cover every patient who can reach it [VP301]\n"
        '    8 | decision after_us "After US" unique\n'
        "      | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
        "  patient: big = true, us_result = equivocal\n"
        "  uncovered region: us_result = equivocal\n"
        "  path:\n"
        "    -> decision first (First): rule r1 applies: big  (follow.vp:7:8)\n"
        "    -> order us  (follow.vp:7:3)\n"
        "    -> finding us_result = equivocal  (parts/after_us.vp:5:1)\n"
        "    -> decision after_us (After US)  (parts/after_us.vp:8:1)\n"
        "    -> no rule of decision after_us matches  (parts/after_us.vp:8:1)\n"
        "  hint: add a rule for these patients (an 'uncovered' disposition with a reason if the sources are silent)\n"
        "1 error, 0 warnings in 1 file; 1 of 2 decisions complete and consistent; 1 property proved (N s)\n"
    )
    assert result.exit_code == 1


def test_the_catalogue_checks_on_its_own_and_its_unentered_decision_is_not_unused(spec: Path) -> None:
    result = run("check", "--no-color", "--strict", "parts/after_us.vp", "parts/sources.vp")
    assert_no_traceback(result)
    assert untimed(result.output) == "ok: 2 files (N s)\n"
    assert result.exit_code == 0


def test_a_decision_declared_twice_across_files_names_both(spec: Path) -> None:
    (spec.parent / "follow.vp").write_text(
        GUIDELINE + 'decision after_ct "Mine" first\n  otherwise end done rated usually_appropriate 9 cite acr\n',
        encoding="utf-8",
    )
    result = run("check", "--no-color", "follow.vp")
    assert untimed(result.output).splitlines()[:5] == [
        "parts/after_us.vp:11:10: error: 'after_ct' is already declared as a decision in follow.vp [VP202]",
        '   11 | decision after_ct "After CT" unique',
        "      |          ^~~~~~~~",
        "  follow.vp:10:10: note: first declared here",
        "  hint: names are shared by a guideline and everything it imports",
    ]
    assert result.exit_code == 2
