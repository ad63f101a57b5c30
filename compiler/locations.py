"""Stable source locations and source digests for exported tables.

A span's file is whatever path the reader was given, so it depends on the working
directory (`specs/x.vp`, `x.vp` or an absolute path for the same file). Exports
never show that path: every location is made relative to a *root* (the folder given
on the command line, or the project root found by a marker), with `/` separators,
so the same checkout gives the same bytes wherever it lives and wherever it is built.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from dsl.model import Model
from dsl.reader import decode
from dsl.source import Span

ROOT_MARKERS = ("pyproject.toml", ".git")


def find_root(start: str, markers: tuple[str, ...] = ROOT_MARKERS) -> str:
    """The nearest folder at or above `start` (a file or folder) holding a marker; else `start`'s folder."""
    here = os.path.abspath(start)
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    probe = here
    while True:
        if any(os.path.exists(os.path.join(probe, marker)) for marker in markers):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return here
        probe = parent


def relative_file(path: str, root: str) -> str:
    """`path` relative to `root`, with `/` separators (never absolute)."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return rel.replace(os.sep, "/")


def location(span: Span, root: str) -> str:
    """`file:line:column` (1-based), the file relative to `root`."""
    return f"{relative_file(span.file, root)}:{span.line}:{span.column}"


@dataclass(frozen=True, slots=True)
class SourceDigest:
    path: str  # relative to the root, `/` separators
    sha256: str  # of the text as veripath reads it (UTF-8, no BOM, `\n` line ends)


def digest_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_digests(model: Model, root: str) -> list[SourceDigest]:
    """One digest per file of the guideline (itself first, then its imports in load order).

    The text is hashed as the reader decodes it, so a checkout with CRLF line ends or a
    byte order mark gives the same digest as one without.
    """
    out: list[SourceDigest] = []
    for path in model.files:
        with open(path, "rb") as fh:
            data = fh.read()
        text, problem = decode(path, data)
        if text is None:
            raise OSError(f"cannot read {path}: {problem.message if problem else 'not a spec'}")
        out.append(SourceDigest(relative_file(path, root), digest_text(text)))
    return out
