"""Golden verification reports: the full `veripath check --no-color` output of every verify spec.

Each `tests/data/verify/<case>.vp` sits beside `<case>.expected.txt`: what a user sees (stdout and
stderr, interleaved as on a terminal) when running `veripath check --no-color tests/data/verify/<case>.vp`
from the repository root, then a last line `exit: <status>`. The comparison is byte for byte, except
for the time at the end of the summary line, `(0.4 s)`, which the goldens hold as `(N s)`; run
pytest with `--update-golden` to rewrite the expected files after an intended change, then review
the diff. Which findings each spec must produce is asserted separately, from its `# expect:`
comments (tests/verify/test_planted.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.support import assert_no_traceback, run, untimed
from tests.dsl.support import ROOT, case_id, check_golden
from tests.verify.helpers import DATA

CASES = sorted(DATA.glob("*.vp"))


def _command(spec: Path) -> list[str]:
    return ["check", "--no-color", spec.relative_to(ROOT).as_posix()]


def _expected_status(spec: Path) -> int:
    text = spec.with_suffix(".expected.txt").read_text(encoding="utf-8")
    return int(text.rsplit("exit: ", 1)[1])


def test_there_are_golden_reports() -> None:
    assert len(CASES) >= 10
    statuses = {_expected_status(spec) for spec in CASES}
    assert statuses == {0, 1}, "the goldens cover both a clean run and one with findings"


@pytest.mark.parametrize("spec", CASES, ids=case_id)
def test_check_report(spec: Path, update_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    # terminal=True: if --no-color ever let an ANSI code through, the golden comparison would see it.
    result = run(*_command(spec), env={"NO_COLOR": ""}, terminal=True)
    assert_no_traceback(result)
    assert result.stderr == "", "findings and the summary go to stdout"
    check_golden(
        f"{untimed(result.output)}exit: {result.exit_code}\n", spec.with_suffix(".expected.txt"), update_golden
    )


def test_the_installed_command_prints_the_same_bytes() -> None:
    """The in-process runner above is the real program: same bytes from a fresh process, exit included."""
    spec = DATA / "planted_unique.vp"
    script = Path(sys.executable).with_name("veripath")
    if not script.exists():
        pytest.skip("the veripath console script is not installed beside this interpreter")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.run(
        [str(script), *_command(spec)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False
    )
    actual = untimed(proc.stdout.decode("utf-8")) + f"exit: {proc.returncode}\n"
    assert actual == spec.with_suffix(".expected.txt").read_text(encoding="utf-8")


def test_no_orphan_golden_reports() -> None:
    orphans = [p.name for p in DATA.glob("*.expected.txt") if not p.with_name(p.name.split(".")[0] + ".vp").exists()]
    assert orphans == []
