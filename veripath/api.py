"""The public Python API: load a spec, compile it, check it.

model = veripath.load("specs/soft_tissue_mass.vp")
graph = veripath.compile(model)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from compiler import wellformed
from compiler.graph import DecisionGraph
from compiler.lower import GraphTooLarge, lower, lower_checked
from dsl.diagnostics import Diagnostic, VeripathError, error, warning
from dsl.model import Model
from dsl.reader import display_path, is_missing, read_guideline, special_file
from dsl.resolve import resolve
from dsl.source import SourceFile


class SpecError(VeripathError):
    """A spec has errors; `diagnostics` says which."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s) in spec")
        self.diagnostics = diagnostics


@dataclass
class Loaded:
    """Everything the front end learnt about one file."""

    path: str
    model: Model | None = None
    graph: DecisionGraph | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def load_spec(path: str, *, extra_roots: Sequence[str] = ()) -> Loaded:
    """Read, parse, resolve and (for guidelines) lower one file, collecting diagnostics.

    Imports may read files under the spec's folder and under `extra_roots` only.
    """
    read = read_guideline(path, extra_roots=extra_roots)
    result = Loaded(path=display_path(path), sources=read.sources, diagnostics=list(read.diagnostics))
    if read.diagnostics or not read.modules:
        return result
    model, diags = resolve(read.modules)
    result.diagnostics.extend(diags)
    if diags and any(d.is_error for d in diags):
        return result
    result.model = model
    if model.kind == "guideline" and model.start is not None:
        graph, problems = lower_checked(model)
        if graph is not None:
            problems = wellformed.check(graph)
        result.diagnostics.extend(problems)
        if graph is not None and not any(d.is_error for d in problems):
            result.graph = graph
    return result


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
                        problems.append(warning("VP100", f"skipped {display_path(found)}: it is {kind}", None))
        elif not is_missing(p):  # a symlink loop or a forbidden folder: reading it says why
            files.append(p)
        else:
            problems.append(error("VP100", f"no such file or folder: {p}", None))
    seen: set[str] = set()
    unique = []
    for f in files:
        key = os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, problems
