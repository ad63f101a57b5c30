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

import os
import re
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


# A pattern of the common kind: names and `*` globs, with `/` between them, leading (anchored) or
# trailing (folders only). No `!`, `**`, `?`, `[...]`, backslash or space, and no segment that is
# only `*`, `.` or `..`: a list of patterns holding such a line is left to pathspec.
_SIMPLE = re.compile(r"/?(?:[\w.-]*\*?)+(?:/(?:[\w.-]*\*?)+)*/?", re.ASCII)


class _Spec:
    """Gitignore patterns: `match(path)` is True if a pattern excludes `path` (a folder ends with `/`),
    False if one re-includes it (`!pattern`), None if none says.

    pathspec decides, except for a list of simple patterns (the built-in ones, most `.gitignore`
    files): those become one regular expression, the one pathspec writes for each, so `check`
    imports pathspec (about a twentieth of its start) only when a pattern needs it.
    """

    def __init__(self, lines: Sequence[str]) -> None:
        self._regex: re.Pattern[str] | None = None
        self._spec: pathspec.GitIgnoreSpec | None = None
        patterns = [line for line in lines if line and not line.startswith("#")]
        if all(_simple(p) for p in patterns):
            self._regex = re.compile("|".join(_translate(p) for p in patterns) or "(?!)")
        else:
            import pathspec

            self._spec = pathspec.GitIgnoreSpec.from_lines(lines)

    def match(self, path: str) -> bool | None:
        if self._spec is not None:
            found: bool | None = self._spec.check_file(path).include
            return found
        assert self._regex is not None
        if path.startswith("/"):  # as pathspec normalizes it
            path = path[1:]
        elif path.startswith("./"):
            path = path[2:]
        return True if self._regex.match(path) else None


def _simple(pattern: str) -> bool:
    if not _SIMPLE.fullmatch(pattern) or "**" in pattern:
        return False
    return all(s not in ("", "*", ".", "..") for s in pattern.removeprefix("/").removesuffix("/").split("/"))


def _translate(pattern: str) -> str:
    """The regular expression pathspec writes for a simple pattern (matched at the start of a path)."""
    folder = pattern.endswith("/")
    body = pattern.removesuffix("/")
    anchored = "/" in body
    body = body.removeprefix("/")
    glob = "/".join("[^/]*".join(re.escape(part) for part in segment.split("*")) for segment in body.split("/"))
    return ("" if anchored else "(?:.+/)?") + glob + ("/" if folder else "(?:/|$)")


class _Filter:
    """Whether a path found in a walk is excluded."""

    def __init__(self, base: str, exclude: Sequence[str], respect_gitignore: bool) -> None:
        self.base = os.path.abspath(base)
        self.exclude = _Spec([*DEFAULT_EXCLUDE, *exclude])
        self.respect_gitignore = respect_gitignore
        self._ignores: dict[str, _Spec | None] = {}
        self.top = _git_top(self.base)

    def _gitignore(self, folder: str) -> _Spec | None:
        if folder not in self._ignores:
            try:
                with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as fh:
                    self._ignores[folder] = _Spec(fh.read().splitlines())
            except OSError:
                self._ignores[folder] = None
        return self._ignores[folder]

    def _matches(self, spec: _Spec, rel: str, is_dir: bool) -> bool | None:
        """True: excluded, False: re-included (`!pattern`), None: no pattern says."""
        return spec.match(rel + "/" if is_dir else rel)

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
