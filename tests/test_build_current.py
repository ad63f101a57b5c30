"""build/ is committed: it must be exactly what `veripath build specs/` writes today."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from veripath.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_build_folder_is_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["build", "specs", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    fresh = {p.name: p.read_bytes() for p in sorted(tmp_path.iterdir()) if p.is_file()}
    committed = {
        p.name: p.read_bytes() for p in sorted((ROOT / "build").iterdir()) if p.is_file() and p.name != ".gitkeep"
    }
    assert fresh, "build wrote nothing"
    assert sorted(fresh) == sorted(committed), "run `make run` (or veripath build specs/) and commit build/"
    for name, data in fresh.items():
        assert committed[name] == data, f"build/{name} is stale: run `veripath build specs/` and commit it"


def test_build_is_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    first, second = tmp_path / "a", tmp_path / "b"
    assert runner.invoke(main, ["build", "specs", "--out", str(first)]).exit_code == 0
    assert runner.invoke(main, ["build", "specs", "--out", str(second)]).exit_code == 0
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert not [p for p in first.iterdir() if p.name.startswith(".")], "temporary files left behind"


def test_build_check_agrees_that_build_is_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["build", "--check", "specs", "--out", "build"])
    assert result.exit_code == 0, result.output
