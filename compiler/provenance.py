"""What every generated file says about where it came from: tool version, source hash, stamp.

Nothing here depends on the time, the working directory or the hash seed: paths are made
relative to a stable root (the project root) and written with `/`.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version

from compiler.locations import relative_file, source_digests
from dsl.model import Model
from dsl.source import Span


def tool_version() -> str:
    try:
        return version("veripath")
    except PackageNotFoundError:  # a source tree without installation
        return "0.0.0"


def relative(path: str, root: str) -> str:
    """`path` relative to `root`, with `/` separators (never absolute)."""
    return relative_file(path, root)


def source_digest(model: Model, root: str) -> str:
    """One SHA-256 over every source file of the model: each file's relative path and the digest
    of its text as the reader decodes it (`compiler.locations.source_digests`), so a CRLF
    checkout gives the same digest; the JSON tables list the per-file digests."""
    h = hashlib.sha256()
    for d in source_digests(model, root):
        h.update(f"{d.path}\0{d.sha256}\n".encode())
    return h.hexdigest()


def location(span: Span | None, root: str) -> str:
    if span is None:
        return "?"
    return f"{relative(span.file, root)}:{span.line}"
