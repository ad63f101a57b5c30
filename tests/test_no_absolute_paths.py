"""Tracked files must not name absolute paths of one machine's checkout (they break on every other)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tracked() -> list[str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    proc = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if proc.returncode != 0:
        pytest.skip("not a git checkout")
    return [name for name in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if name]


def _forbidden() -> list[str]:
    """Absolute paths of this machine's checkout: the checkout itself, the main worktree (when this is
    a linked worktree) and the shared notes beside them (`../shared`). The folder holding the checkout
    is not forbidden as a whole: it may be a common one such as /tmp/, which commands in the docs name."""
    places = {ROOT}
    proc = subprocess.run(
        ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode == 0 and proc.stdout.strip():
        places.add(Path(proc.stdout.strip()).parent)
    places |= {p.parent / "shared" for p in places}
    return sorted(str(p) + "/" for p in places if p != Path(p.anchor))


def test_no_tracked_file_names_an_absolute_path_of_the_checkout() -> None:
    forbidden = _forbidden()
    offenders = []
    for name in _tracked():
        path = ROOT / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        for bad in forbidden:
            if bad.encode() in data:
                line = data[: data.index(bad.encode())].count(b"\n") + 1
                offenders.append(f"{name}:{line}: {bad}")
    assert offenders == [], "refer to ../shared/... and to paths relative to the checkout instead"
