"""The public Python API: load a spec, compile it, check it.

model = veripath.load("specs/soft_tissue_mass.vp")
graph = veripath.compile(model)
report = veripath.check(["specs/"])   # a Report: per file diagnostics, proved checks, examples, timings
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dsl.codes import UNREADABLE_FILE
from dsl.diagnostics import Diagnostic, error
from veripath import pipeline
from veripath.pipeline import FileResult, Options, Report
from veripath.status import UserError

if TYPE_CHECKING:  # `compile` imports the compiler (networkx) when it is called
    from compiler.graph import DecisionGraph
    from dsl.model import Model

# What the front end learnt about one file (the pipeline's per-file result).
Loaded = FileResult


class SpecError(UserError):
    """A spec has errors; `diagnostics` says which."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s) in spec")
        self.diagnostics = diagnostics


def load_spec(path: str, *, extra_roots: Sequence[str] = ()) -> FileResult:
    """Read, parse, resolve and (for guidelines) lower one file, collecting diagnostics.

    Imports may read files under the spec's folder and under `extra_roots` only. The result
    keeps the syntax trees (`read.modules`) beside the Model.
    """
    options = Options(import_roots=tuple(extra_roots), keep_syntax=True)
    return pipeline.run([path], options, passes=pipeline.FRONT_END).files[0]


def load(path: str) -> Model:
    """The Model of a spec; raises SpecError if it has errors."""
    loaded = load_spec(path)
    if not loaded.ok or loaded.model is None:
        raise SpecError(loaded.diagnostics)
    return loaded.model


def compile(model: Model) -> DecisionGraph:
    """The decision graph of a guideline Model; raises SpecError if it is not well formed."""
    from compiler import wellformed
    from compiler.lower import GraphTooLarge, lower

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
    *,
    exclude: Sequence[str] = (),
    base: str = ".",
    respect_gitignore: bool = True,
    jobs: int = 1,
    cache: str | None = None,
) -> Report:
    """Run `passes` of the pipeline over spec files and folders (folders: every .vp file in them
    that is not excluded, see `discover`).

    jobs, cache: for passes that work file by file (not `export`), run the files in `jobs`
    processes and reuse results from the cache folder `cache` (see `veripath.batch`); the
    report is the same, but its files then carry no model or graph.
    """
    files, problems = discover(
        [paths] if isinstance(paths, str) else list(paths),
        exclude=exclude,
        base=base,
        respect_gitignore=respect_gitignore,
    )
    if not files and not problems:
        problems.append(error(UNREADABLE_FILE, "no .vp files found", None))
    if (jobs > 1 or cache is not None) and all(p.name != "export" for p in passes):
        from veripath import batch

        return batch.run(files, options or Options(), passes, extra=problems, jobs=jobs, cache=cache)
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


def discover(
    paths: Sequence[str],
    *,
    exclude: Sequence[str] = (),
    base: str = ".",
    respect_gitignore: bool = True,
) -> tuple[list[str], list[Diagnostic]]:
    """Expand files and folders into .vp files (see `veripath.discover`)."""
    from veripath.discover import discover as walk

    return walk(paths, exclude=exclude, base=base, respect_gitignore=respect_gitignore)
