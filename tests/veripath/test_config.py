"""`[tool.veripath]` in pyproject.toml, and which files a folder yields (exclude, .gitignore)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.support import run
from veripath import config
from veripath.discover import discover

ROOT = Path(__file__).resolve().parents[2]
SMALL = (ROOT / "tests/data/cli/small.vp").read_text(encoding="utf-8")
BROKEN = (ROOT / "tests/data/cli/broken.vp").read_text(encoding="utf-8")


def _project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.veripath]\n{table}\n", encoding="utf-8")
    for name, text in {"specs/a.vp": SMALL, "specs/b.vp": SMALL, "data/bad.vp": BROKEN}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_found_from_a_subfolder_with_paths_relative_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path, 'paths = ["specs"]\nstrict = true\ntimeout = 500')
    monkeypatch.chdir(tmp_path / "data")
    found = config.find()
    assert found.source == os.path.join("..", "pyproject.toml") or found.source == str(tmp_path / "pyproject.toml")
    assert found.strict is True and found.timeout == 500
    assert os.path.samefile(found.resolve("specs"), tmp_path / "specs")


def test_no_table_is_an_empty_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    found = config.find()
    assert found.paths == () and found.strict is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("pathz = ['specs']", "unknown key 'pathz'"),
        ("strict = 'yes'", "strict must be true or false"),
        ("timeout = 0", "timeout must be"),
        ("paths = 'specs'", "paths must be a list of strings"),
    ],
)
def test_a_bad_config_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: str, message: str
) -> None:
    _project(tmp_path, table)
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 2
    assert message in result.stderr and "pyproject.toml" in result.stderr


def test_invalid_toml_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.veripath\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 2 and "not valid TOML" in result.stderr


def test_check_without_paths_checks_the_configured_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, 'paths = ["specs"]')
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("ok: 2 files;")


def test_exclude_in_config_and_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, 'exclude = ["data/"]')
    monkeypatch.chdir(tmp_path)
    assert run("check", ".").exit_code == 0
    only = run("check", ".", "--exclude", "b.vp")
    assert only.exit_code == 0 and only.stdout.startswith("ok: 1 file;")
    # a file or a folder named on the command line is checked even if excluded
    assert run("check", "data/bad.vp").exit_code == 2
    assert run("check", "data").exit_code == 2


def test_flags_override_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path, "strict = true")
    (tmp_path / "specs/b.vp").unlink()
    # a warning: a rule masked by an earlier one
    monkeypatch.chdir(tmp_path)
    strict = run("check", "specs", "--exclude", "nothing")
    relaxed = run("check", "specs", "--no-strict")
    assert relaxed.exit_code == 0
    assert strict.exit_code in (0, 1)  # small.vp may have no warning at all; the flag must parse


def test_gitignore_is_respected_unless_turned_off(tmp_path: Path) -> None:
    _project(tmp_path, "")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("data/\n", encoding="utf-8")
    (tmp_path / "specs/.gitignore").write_text("b.vp\n!a.vp\n", encoding="utf-8")
    files, problems = discover([str(tmp_path)], base=str(tmp_path))
    assert [os.path.relpath(f, tmp_path) for f in files] == [os.path.join("specs", "a.vp")] and not problems
    every, _ = discover([str(tmp_path)], base=str(tmp_path), respect_gitignore=False)
    assert len(every) == 3


def test_default_excludes_skip_virtual_environments(tmp_path: Path) -> None:
    (tmp_path / ".venv/lib").mkdir(parents=True)
    (tmp_path / ".venv/lib/x.vp").write_text(SMALL, encoding="utf-8")
    (tmp_path / "y.vp").write_text(SMALL, encoding="utf-8")
    files, _ = discover([str(tmp_path)], base=str(tmp_path))
    assert [os.path.basename(f) for f in files] == ["y.vp"]


def test_this_projects_check_dot_is_only_specs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    found = config.find()
    files, problems = discover(["."], exclude=found.exclude, base=found.root)
    assert files and not problems
    assert all(f.startswith("./specs/") for f in files), files
