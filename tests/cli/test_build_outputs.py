"""How `veripath build` puts outputs on disk: permissions, groups, leftovers, clashes, --check, stdout."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from compiler import outputs
from tests.cli.support import run, summary_of

DATA = Path(__file__).resolve().parent.parent / "data" / "cli"
SMALL = DATA / "small.vp"


def test_outputs_have_the_usual_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        result = run("build", str(SMALL), "--out", str(tmp_path))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stdout
    written = sorted(tmp_path.iterdir())
    assert [p.name for p in written] == ["small.dmn", "small.json", "small.mmd", "small.py"]
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_a_killed_build_leaves_nothing_the_next_build_keeps(tmp_path: Path) -> None:
    leftover = tmp_path / f"{outputs.TMP_PREFIX}12345-small.py"
    leftover.write_text("half a file", encoding="utf-8")
    result = run("build", str(SMALL), "--out", str(tmp_path))
    assert result.exit_code == 0, result.stdout
    assert not leftover.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(outputs.TMP_PREFIX)]


def test_a_failed_group_write_replaces_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("old a", encoding="utf-8")
    (tmp_path / "b.txt").write_text("old b", encoding="utf-8")
    real_open = os.fdopen
    calls = {"n": 0}

    def failing_fdopen(fd: int, *args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:  # the second file cannot be written (disk full)
            os.close(fd)
            raise OSError(28, "No space left on device")
        return real_open(fd, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "fdopen", failing_fdopen)
    with pytest.raises(OSError):
        outputs.write_group(str(tmp_path), {"a.txt": "new a", "b.txt": "new b"})
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "old a"
    assert (tmp_path / "b.txt").read_text(encoding="utf-8") == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_two_specs_with_one_guideline_name_clash(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    (specs / "copy").mkdir(parents=True)
    shutil.copy(SMALL, specs / "small.vp")
    shutil.copy(SMALL, specs / "copy" / "small.vp")
    out = tmp_path / "out"
    result = run("build", "--format", "json", str(specs), "--out", str(out))
    assert result.exit_code == 4, result.stdout
    report = json.loads(result.stdout)
    codes = [d["code"] for f in report["files"] for d in f["diagnostics"]]
    assert codes == ["VP404", "VP404"]
    assert not out.exists() or list(out.iterdir()) == []


def test_build_check_names_stale_outputs(tmp_path: Path) -> None:
    assert run("build", str(SMALL), "--out", str(tmp_path)).exit_code == 0
    current = run("build", "--check", str(SMALL), "--out", str(tmp_path))
    assert current.exit_code == 0, current.stdout
    assert summary_of(current.stdout).startswith("ok: 1 file;")
    (tmp_path / "small.py").write_text("# edited by hand\n", encoding="utf-8")
    (tmp_path / "small.dmn").unlink()
    stale = run("build", "--check", "--no-color", str(SMALL), "--out", str(tmp_path))
    assert stale.exit_code == 1
    named = [line for line in stale.stdout.splitlines() if "[VP402]" in line]
    assert len(named) == 2
    assert any("small.py is not what" in line for line in named)
    assert any("small.dmn is not what" in line for line in named)
    assert (tmp_path / "small.py").read_text(encoding="utf-8") == "# edited by hand\n"  # --check writes nothing


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit"])
def test_build_stdout_is_one_document(tmp_path: Path, fmt: str) -> None:
    result = run("build", "--format", fmt, str(SMALL), "--out", str(tmp_path))
    assert result.exit_code == 0, result.stdout
    if fmt == "junit":
        assert result.stdout.startswith("<?xml")
        return
    document = json.loads(result.stdout)
    if fmt == "json":
        (entry,) = document["files"]
        assert sorted(os.path.basename(p) for p in entry["outputs"]) == [
            "small.dmn",
            "small.json",
            "small.mmd",
            "small.py",
        ]


def test_outputs_do_not_depend_on_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    (project / "specs").mkdir(parents=True)
    (project / "pyproject.toml").write_text("", encoding="utf-8")
    shutil.copy(SMALL, project / "specs" / "small.vp")
    monkeypatch.chdir(project)
    assert run("build", "specs", "--out", str(tmp_path / "a")).exit_code == 0
    monkeypatch.chdir(project / "specs")
    assert run("build", ".", "--out", str(tmp_path / "b")).exit_code == 0
    monkeypatch.chdir(tmp_path)
    assert run("build", str(project / "specs"), "--out", str(tmp_path / "c")).exit_code == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    for other in ("b", "c"):
        for name in names:
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / other / name).read_bytes(), (other, name)
    assert "specs/small.vp" in (tmp_path / "a" / "small.json").read_text(encoding="utf-8")
    assert str(tmp_path) not in (tmp_path / "a" / "small.py").read_text(encoding="utf-8")
