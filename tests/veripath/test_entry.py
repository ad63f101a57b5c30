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


def test_the_collector_is_left_alone_outside_the_command() -> None:
    import gc

    from veripath import entry

    frozen = gc.get_freeze_count()
    with entry.collector("read"):
        assert gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_in_the_command_a_front_end_pass_runs_without_the_collector_and_what_it_built_is_frozen() -> None:
    probe = """
import gc, json
from veripath import entry, pipeline
entry.start()
seen = {}
for name in ("read", "verify-tables"):
    before = gc.get_freeze_count()
    with entry.collector(name):
        seen[name] = {"enabled": gc.isenabled(), "built": [[i] for i in range(1000)]}
    seen[name]["frozen"] = gc.get_freeze_count() - before
    seen[name]["after"] = gc.isenabled()
    del seen[name]["built"]
print(json.dumps({"threshold": gc.get_threshold()[0], **seen}))
"""
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["threshold"] == 200_000
    assert seen["read"]["enabled"] is False and seen["read"]["after"] is True and seen["read"]["frozen"] >= 1000
    assert seen["verify-tables"] == {"enabled": True, "frozen": 0, "after": True}
