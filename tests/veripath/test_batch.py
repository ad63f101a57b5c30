"""Checking a library: the cache of verified results and worker processes change nothing in the report."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.cli.support import run, untimed

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of specs: clean ones, one with findings, one broken; the cwd is its parent."""
    lib = tmp_path / "lib"
    lib.mkdir()
    for name in ("small.vp", "findings.vp", "broken.vp"):
        shutil.copy(ROOT / "tests/data/cli" / name, lib / name)
    for i in range(2, 15):  # enough files for two workers (veripath.batch.FILES_PER_WORKER)
        shutil.copy(ROOT / "tests/data/cli/small.vp", lib / f"small{i}.vp")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VERIPATH_CACHE_DIR", str(tmp_path / "cache"))
    return lib


def _entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file())


def _untimed_json(value: object) -> object:
    """A JSON report without its timings (a warm run reports the same findings, not the same times)."""
    if isinstance(value, dict):
        return {k: _untimed_json(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_untimed_json(v) for v in value]
    return value


def _outputs(*args: str) -> tuple[int, str, str]:
    result = run(*args)
    out = untimed(result.stdout)
    if "json" in args and out.startswith("{"):
        out = json.dumps(_untimed_json(json.loads(out)), indent=2)
    return result.exit_code, out, result.stderr


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_warm_run_reports_what_the_cold_run_did(library: Path, tmp_path: Path, fmt: str) -> None:
    cold = _outputs("check", "lib", "--format", fmt)
    assert cold[0] == 2
    cached = _entries(tmp_path / "cache")
    assert len(cached) == 16  # one per spec (a spec with a missing import would not be cached)
    warm = _outputs("check", "lib", "--format", fmt)
    assert warm == cold
    assert _outputs("check", "lib", "--format", fmt, "--no-cache") == cold


def test_a_changed_spec_is_checked_again(library: Path) -> None:
    assert run("check", "lib/small2.vp").exit_code == 0
    (library / "small2.vp").write_text((library / "broken.vp").read_text(encoding="utf-8"), encoding="utf-8")
    assert run("check", "lib/small2.vp").exit_code == 2


def test_a_corrupted_entry_is_ignored_and_rewritten(library: Path, tmp_path: Path) -> None:
    cold = _outputs("check", "lib")
    for entry in _entries(tmp_path / "cache"):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] + b"x" + data[len(data) // 2 + 1 :])
    assert _outputs("check", "lib") == cold
    for entry in _entries(tmp_path / "cache"):
        entry.write_bytes(b"")
    assert _outputs("check", "lib") == cold
    assert all(e.stat().st_size > 0 for e in _entries(tmp_path / "cache"))  # rewritten


def test_no_cache_neither_reads_nor_writes(library: Path, tmp_path: Path) -> None:
    run("check", "lib", "--no-cache")
    assert not (tmp_path / "cache").exists()
    run("check", "lib")
    entries = _entries(tmp_path / "cache")
    for entry in entries:
        os.utime(entry, (0, 0))
    assert run("check", "lib", "--no-cache").exit_code == 2
    assert all(e.stat().st_mtime == 0 for e in entries)  # not rewritten


def test_options_are_part_of_the_key(library: Path, tmp_path: Path) -> None:
    run("check", "lib/small.vp")
    run("check", "lib/small.vp", "--rlimit", "0")
    run("test", "lib/small.vp")
    assert len(_entries(tmp_path / "cache")) == 3


def test_two_jobs_report_what_one_does(library: Path) -> None:
    one = _outputs("check", "lib", "-j", "1", "--no-cache", "--format", "json")
    two = _outputs("check", "lib", "-j", "2", "--no-cache", "--format", "json")
    assert two == one
    warm_two = _outputs("check", "lib", "-j", "2", "--format", "text")
    assert warm_two == _outputs("check", "lib", "-j", "2", "--format", "text")
    assert _outputs("test", "lib", "-j", "2", "--no-cache") == _outputs("test", "lib", "-j", "1", "--no-cache")


def test_results_of_other_code_are_never_used(library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key names the code that verified (a digest of veripath's sources), not just the version:
    a patched checkout or a mutation-testing run must not be answered from another code's cache."""
    from veripath import batch

    assert len(batch._version()) == 64
    assert run("check", "lib/small2.vp").exit_code == 0
    assert len(_entries(tmp_path / "cache")) == 1
    monkeypatch.setattr(batch, "_version", lambda: "other code")
    assert run("check", "lib/small2.vp").exit_code == 0
    assert len(_entries(tmp_path / "cache")) == 2  # a miss: verified again, stored under another key
