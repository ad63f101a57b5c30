"""The process entry point: exit statuses, flushed output, and no teardown (a real process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from veripath.entry import exit_status

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("code", "status"), [(None, 0), (0, 0), (1, 1), (2, 2), (3, 3), (256 + 2, 2), ("bye", 1)])
def test_exit_status_is_what_sys_exit_would_give(code: object, status: int) -> None:
    assert exit_status(code) == status


def _veripath(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "veripath", *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_clean_specs_exit_0_with_the_whole_json_on_stdout() -> None:
    done = _veripath("check", "specs/", "--format", "json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)  # flushed before os._exit: the document is complete
    assert payload["summary"]["exit_code"] == 0
    assert len(payload["files"]) >= 3


def test_bad_input_exits_2_with_the_diagnostics_on_stdout() -> None:
    done = _veripath("check", "tests/data/cli/broken.vp")
    assert done.returncode == 2
    assert "error:" in done.stdout and "broken.vp" in done.stdout


def test_usage_error_exits_2_and_version_exits_0() -> None:
    assert _veripath("check", "--timeout", "0").returncode == 2
    done = _veripath("--version")
    assert done.returncode == 0 and "veripath" in done.stdout
