"""The generated files of a guideline, and how `build` puts them on disk.

Every exporter is a pure function `(graph, stamp, root) -> {file name: text}`; nothing
is written until every exporter of a guideline has produced its text, so an exporter
that fails (a construct its format cannot express) leaves the build folder as it was.

Writing a guideline's outputs (`write_group`):
- every file is first written in full beside its target under a temporary name
  (`.veripath-tmp-<pid>-<name>`), with the usual permissions (0666 less the umask);
- only then are they renamed over the targets, one `os.replace` each, in a fixed order:
  a reader sees either the old or the new content of each file, never half a file, and
  the window in which the set is mixed is that of a few renames;
- a build that was killed leaves temporary files that the next build of that folder
  removes before it writes (`remove_leftovers`); `build --check` ignores them.
Each file's header names the SHA-256 of the sources it came from, so a reader can tell
whether two files of a set come from the same build.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

# Each exporter imports its module when it runs: `check` imports this module (through the
# pipeline) and exports nothing, so it loads no exporter.
if TYPE_CHECKING:
    from compiler.graph import DecisionGraph
    from compiler.stamp import Stamp

TMP_PREFIX = ".veripath-tmp-"


def _umask() -> int:
    # os.umask can only be read by setting it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_leftovers(out_dir: str) -> None:
    """Remove temporary files that an interrupted build left in `out_dir`."""
    if not os.path.isdir(out_dir):
        return
    for name in sorted(os.listdir(out_dir)):
        if name.startswith(TMP_PREFIX):
            with contextlib.suppress(FileNotFoundError):  # another build removed it first
                os.unlink(os.path.join(out_dir, name))


def write_group(out_dir: str, files: Mapping[str, str]) -> list[str]:
    """Write `files` (name -> text) into `out_dir` as one group; the written paths, sorted.

    Raises OSError when the folder cannot be written; then no target has been replaced
    and no temporary file is left.
    """
    os.makedirs(out_dir, exist_ok=True)
    remove_leftovers(out_dir)
    mode = 0o666 & ~_umask()
    staged: list[tuple[str, str]] = []
    try:
        for name in sorted(files):
            target = os.path.join(out_dir, name)
            tmp = os.path.join(out_dir, f"{TMP_PREFIX}{os.getpid()}-{name}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
            staged.append((tmp, target))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(files[name])
            os.chmod(tmp, mode)  # O_CREAT honours the umask, but not on every file system
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise
    return [target for _, target in staged]


def stale(out_dir: str, files: Mapping[str, str]) -> list[str]:
    """The paths in `out_dir` whose content is not `files`' (missing or different), sorted."""
    out: list[str] = []
    for name in sorted(files):
        path = os.path.join(out_dir, name)
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                current = fh.read()
        except (OSError, UnicodeDecodeError):
            out.append(path)
            continue
        if current != files[name]:
            out.append(path)
    return out


# -- the exporters --------------------------------------------------------------------------------

Exporter = Callable[["DecisionGraph", "Stamp", str], dict[str, str]]


def python_outputs(graph: DecisionGraph, stamp: Stamp, root: str) -> dict[str, str]:
    """The standalone Python module (`<guideline>.py`)."""
    from compiler.export_python import export_python

    return {f"{graph.model.name}.py": export_python(graph, stamp=stamp, root=root)}


def json_outputs(graph: DecisionGraph, stamp: Stamp, root: str) -> dict[str, str]:
    """The decision tables and the pathway as JSON (`<guideline>.json`, schemas/veripath-tables.schema.json)."""
    from compiler.export_json import export_json, output_name

    return {output_name(graph): export_json(graph, verification=stamp, root=root)}


def dmn_outputs(graph: DecisionGraph, stamp: Stamp, root: str) -> dict[str, str]:
    """The DMN 1.3 decision tables (`<guideline>.dmn`); ExportError when DMN cannot say a rule."""
    from compiler.export_dmn import export_dmn

    return {f"{graph.model.name}.dmn": export_dmn(graph, stamp=stamp, root=root)}


def diagram_outputs(graph: DecisionGraph, stamp: Stamp, root: str) -> dict[str, str]:
    """The Mermaid diagram (`<guideline>.mmd`)."""
    from compiler.export_diagram import diagram_outputs as mermaid_outputs

    return mermaid_outputs(graph, stamp, root)


# What `veripath build` writes for every guideline, in this order.
EXPORTERS: tuple[Exporter, ...] = (json_outputs, python_outputs, dmn_outputs, diagram_outputs)
