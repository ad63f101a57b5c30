"""The public Python API: load a spec, compile it, check it.

model = veripath.load("specs/soft_tissue_mass.vp")
graph = veripath.compile(model)
report = veripath.check(["specs/"])   # a Report: per file diagnostics, proved checks, examples, timings
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from compiler import wellformed
from compiler.graph import DecisionGraph
from compiler.lower import GraphTooLarge, lower
from dsl.codes import UNREADABLE_FILE
from dsl.diagnostics import Diagnostic, error, warning
from dsl.model import Model
from dsl.reader import display_path, is_missing, special_file
from veripath import pipeline
from veripath.pipeline import FileResult, Options, Report
from veripath.status import UserError

# What the front end learnt about one file (the pipeline's per-file result).
Loaded = FileResult


class SpecError(UserError):
    """A spec has errors; `diagnostics` says which."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s) in spec")
        self.diagnostics = diagnostics


def load_spec(path: str, *, extra_roots: Sequence[str] = ()) -> FileResult:
    """Read, parse, resolve and (for guidelines) lower one file, collecting diagnostics.

    Imports may read files under the spec's folder and under `extra_roots` only.
    """
    options = Options(import_roots=tuple(extra_roots))
    return pipeline.run([path], options, passes=pipeline.FRONT_END).files[0]


def load(path: str) -> Model:
    """The Model of a spec; raises SpecError if it has errors."""
    loaded = load_spec(path)
    if not loaded.ok or loaded.model is None:
        raise SpecError(loaded.diagnostics)
    return loaded.model


def compile(model: Model) -> DecisionGraph:
    """The decision graph of a guideline Model; raises SpecError if it is not well formed."""
    try:
        graph = lower(model)
    except GraphTooLarge as exc:
        raise SpecError([exc.diagnostic]) from None
    problems = [d for d in wellformed.check(graph) if d.is_error]
    if problems:
        raise SpecError(problems)
    return graph


def run(
    paths: str | Sequence[str],
    options: Options | None = None,
    passes: Sequence[pipeline.Pass] = pipeline.CHECK,
) -> Report:
    """Run `passes` of the pipeline over spec files and folders (folders: every .vp file in them)."""
    files, problems = discover([paths] if isinstance(paths, str) else list(paths))
    if not files and not problems:
        problems.append(error(UNREADABLE_FILE, "no .vp files found", None))
    return pipeline.run(files, options, passes, extra=problems)


def check(paths: str | Sequence[str], options: Options | None = None) -> Report:
    """Check and verify spec files or folders, as `veripath check` does; never raises for bad specs.

    `report.exit_code()` is what the CLI would exit with; `report.files[i]` has the file's
    diagnostics, its checks (`.proved`), its examples and `timings` per pass.
    """
    return run(paths, options, pipeline.CHECK)


def build(paths: str | Sequence[str], options: Options | None = None) -> Report:
    """Verify, then write the outputs into `options.out_dir`, as `veripath build` does."""
    return run(paths, options, pipeline.BUILD)


def discover(paths: list[str]) -> tuple[list[str], list[Diagnostic]]:
    """Expand files and folders into .vp files (sorted, each once)."""
    files: list[str] = []
    problems: list[Diagnostic] = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                for n in sorted(names):
                    found = os.path.join(root, n)
                    if not n.endswith(".vp"):
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
