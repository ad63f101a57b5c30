"""Files and folders on the command line -> the `.vp` files to check.

A file you name is always checked. In a folder, veripath walks every `.vp` file except
what is excluded: the built-in patterns (`.git`, `.venv`, ...), `exclude` patterns
(gitignore syntax, relative to `base`: the folder of the configuration), and, unless
`respect_gitignore` is off, what the `.gitignore` files of the tree ignore (those of the
folder's ancestors up to the top of the git repository too). A folder you name that is
itself excluded is walked anyway (you asked for it); what is inside it is not filtered by
the patterns that exclude the folder itself.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dsl.codes import UNREADABLE_FILE
from dsl.diagnostics import Diagnostic, error, warning
from dsl.reader import display_path, is_missing, special_file

if TYPE_CHECKING:
    import pathspec

DEFAULT_EXCLUDE = (
    ".git/",
    ".hg/",
    ".svn/",
    ".venv/",
    "venv/",
    ".tox/",
    ".nox/",
    "node_modules/",
    "__pycache__/",
    ".mypy_cache/",
    ".ruff_cache/",
    ".pytest_cache/",
)


def _spec(lines: Sequence[str]) -> pathspec.GitIgnoreSpec:
    import pathspec  # only a folder's walk needs it, not a single file

    return pathspec.GitIgnoreSpec.from_lines(lines)


class _Filter:
    """Whether a path found in a walk is excluded."""

    def __init__(self, base: str, exclude: Sequence[str], respect_gitignore: bool) -> None:
        self.base = os.path.abspath(base)
        self._patterns = [*DEFAULT_EXCLUDE, *exclude]
        self.respect_gitignore = respect_gitignore
        self._ignores: dict[str, pathspec.GitIgnoreSpec | None] = {}
        self.top = _git_top(self.base)

    def _gitignore(self, folder: str) -> pathspec.GitIgnoreSpec | None:
        if folder not in self._ignores:
            try:
                with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as fh:
                    self._ignores[folder] = _spec(fh.read().splitlines())
            except OSError:
                self._ignores[folder] = None
        return self._ignores[folder]

    def _matches(self, spec: pathspec.GitIgnoreSpec, rel: str, is_dir: bool) -> bool | None:
        """True: excluded, False: re-included (`!pattern`), None: no pattern says."""
        found: bool | None = spec.check_file(rel + "/" if is_dir else rel).include
        return found

    @functools.cached_property
    def exclude(self) -> pathspec.GitIgnoreSpec:
        """Built only when a folder is walked (checking named files needs no patterns)."""
        return _spec(self._patterns)

    def excluded(self, path: str, is_dir: bool, walk_root: str) -> bool:
        """Whether `path`, found walking the folder `walk_root` (absolute), is left out."""
        full = os.path.abspath(path)
        base = self.base if _inside(walk_root, self.base) else walk_root
        if self._matches(self.exclude, os.path.relpath(full, base), is_dir) and not self._named(walk_root, base):
            return True
        return self.respect_gitignore and self._ignored(full, is_dir, base) and not self._ignored(walk_root, True, base)

    def _named(self, walk_root: str, base: str) -> bool:
        """Whether the folder the user named is itself excluded by the patterns."""
        rel = os.path.relpath(walk_root, base)
        return rel != "." and bool(self._matches(self.exclude, rel, True))

    def _ignored(self, full: str, is_dir: bool, base: str) -> bool:
        """Whether the .gitignore files from the top of the repository (or `base`) down ignore `full`."""
        top = self.top if self.top is not None and _inside(full, self.top) else base
        chain = []
        folder = os.path.dirname(full)
        while _inside(folder, top):
            chain.append(folder)
            if folder == top:
                break
            folder = os.path.dirname(folder)
        ignored = False
        for folder in reversed(chain):  # the nearest .gitignore decides last, as in git
            spec = self._gitignore(folder)
            if spec is not None:
                verdict = self._matches(spec, os.path.relpath(full, folder), is_dir)
                if verdict is not None:
                    ignored = verdict
        return ignored


def _inside(path: str, folder: str) -> bool:
    return not os.path.relpath(path, folder).startswith("..")


def _git_top(start: str) -> str | None:
    folder = start
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def discover(
    paths: Sequence[str],
    *,
    exclude: Sequence[str] = (),
    base: str = ".",
    respect_gitignore: bool = True,
) -> tuple[list[str], list[Diagnostic]]:
    """Expand files and folders into .vp files (each folder's files sorted, each file once)."""
    keep = _Filter(base, exclude, respect_gitignore)
    files: list[str] = []
    problems: list[Diagnostic] = []
    for p in paths:
        if os.path.isdir(p):
            walk_root = os.path.abspath(p)
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not keep.excluded(os.path.join(root, d), True, walk_root))
                for n in sorted(names):
                    if not n.endswith(".vp"):
                        continue
                    found = os.path.join(root, n)
                    if keep.excluded(found, False, walk_root):
                        continue
                    kind = special_file(found)  # a FIFO is never opened: it would block the run
                    if kind is None:
                        files.append(found)
                    else:
                        problems.append(warning(UNREADABLE_FILE, f"skipped {display_path(found)}: it is {kind}", None))
        elif not is_missing(p):  # a symlink loop or a forbidden folder: reading it says why
            files.append(p)
        else:
            problems.append(error(UNREADABLE_FILE, f"no such file or folder: {p}", None))
    seen: set[str] = set()
    unique = []
    for f in files:
        key = os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, problems
