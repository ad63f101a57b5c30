"""`[tool.veripath]` in `pyproject.toml`: the project's defaults for the command line.

The file is found as ruff finds its own: the nearest `pyproject.toml` with a `[tool.veripath]`
table in the working directory or above it. Paths and patterns in it are relative to the
folder of that file. Command-line flags override it; `--exclude` adds to its `exclude`.

    [tool.veripath]
    paths = ["specs"]                 # what `veripath check` (no paths) checks
    exclude = ["tests/data"]          # gitignore-style patterns never walked into
    respect-gitignore = true          # skip what .gitignore files ignore
    strict = false                    # warnings are findings
    timeout = 10000                   # solver time limit per query, ms
    rlimit = 50000000                 # solver resource limit per query (0: none)
    allow-unknown = false             # undecided checks are warnings
    allow-import-root = ["shared"]    # folders imports may read besides the spec's own
    jobs = 4                          # parallel processes for check/test (0: one per core)
    cache = true                      # reuse verified results of unchanged specs

An unknown key or a value of the wrong type is an error (exit 2) naming the key and the file.
Reading the config imports only `tomllib`: `veripath --help` stays fast.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from veripath.status import UserError

FILE_NAME = "pyproject.toml"


class ConfigError(UserError):
    """The configuration cannot be used (exit 2)."""


@dataclass(frozen=True, kw_only=True)
class Config:
    """The settings of `[tool.veripath]`; None where the file does not set them."""

    source: str | None = None  # the pyproject.toml they came from
    root: str = "."  # the folder relative paths and patterns start from
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    strict: bool | None = None
    timeout: int | None = None
    rlimit: int | None = None
    allow_unknown: bool | None = None
    import_roots: tuple[str, ...] = ()
    jobs: int | None = None
    cache: bool = True

    def resolve(self, path: str) -> str:
        """A path of the config as the command should open it: relative to the working directory when inside it."""
        full = os.path.normpath(os.path.join(self.root, path))
        rel = os.path.relpath(full)
        return full if rel.startswith("..") else rel


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


# key in the file -> (Config field, parser returning None for a bad value, what a good value is)
_KEYS: dict[str, tuple[str, Callable[[Any], Any], str]] = {
    "paths": ("paths", _strings, "a list of strings"),
    "exclude": ("exclude", _strings, "a list of strings"),
    "respect-gitignore": ("respect_gitignore", _bool, "true or false"),
    "strict": ("strict", _bool, "true or false"),
    "timeout": ("timeout", _positive, "a whole number of milliseconds, at least 1"),
    "rlimit": ("rlimit", _count, "a whole number, at least 0"),
    "allow-unknown": ("allow_unknown", _bool, "true or false"),
    "allow-import-root": ("import_roots", _strings, "a list of strings"),
    "jobs": ("jobs", _count, "a whole number, at least 0 (0: one per core)"),
    "cache": ("cache", _bool, "true or false"),
}

KEYS = tuple(_KEYS)


def parse(table: Any, source: str) -> Config:
    """The Config of a `[tool.veripath]` table read from `source`; ConfigError if it is not valid."""
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [tool.veripath] must be a table")
    values: dict[str, Any] = {}
    for key, raw in table.items():
        known = _KEYS.get(key)
        if known is None:
            raise ConfigError(f"{source}: unknown key {key!r} in [tool.veripath]; the keys are: {', '.join(KEYS)}")
        name, parser, expected = known
        value = parser(raw)
        if value is None:
            raise ConfigError(f"{source}: [tool.veripath] {key} must be {expected}, not {raw!r}")
        values[name] = value
    return Config(source=source, root=os.path.dirname(source) or ".", **values)


def read(path: str) -> Config | None:
    """The Config of one pyproject.toml; None if it has no `[tool.veripath]` table."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    tool = data.get("tool")
    if not isinstance(tool, dict) or "veripath" not in tool:
        return None
    return parse(tool["veripath"], path)


def find(start: str | None = None) -> Config:
    """The Config of the nearest pyproject.toml with `[tool.veripath]` at or above `start`
    (default: the working directory); an empty Config rooted at `start` if there is none."""
    here = os.path.abspath(start or os.getcwd())
    folder = here
    while True:
        candidate = os.path.join(folder, FILE_NAME)
        if os.path.isfile(candidate):
            found = read(os.path.relpath(candidate) if _inside(candidate, os.getcwd()) else candidate)
            if found is not None:
                return found
        parent = os.path.dirname(folder)
        if parent == folder:
            return Config(root=os.path.relpath(here) if _inside(here, os.getcwd()) else here)
        folder = parent


def _inside(path: str, folder: str) -> bool:
    return not os.path.relpath(path, folder).startswith("..")
