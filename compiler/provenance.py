"""What every generated file says about where it came from: tool version, source hash, stamp.

Nothing here depends on the time, the working directory or the hash seed: paths are made
relative to a stable root (the project root) and written with `/`.
"""

from __future__ import annotations

import hashlib
import os
from importlib.metadata import PackageNotFoundError, version

from dsl.model import Model
from dsl.source import Span


def tool_version() -> str:
    try:
        return version("veripath")
    except PackageNotFoundError:  # a source tree without installation
        return "0.0.0"


def relative(path: str, root: str) -> str:
    """`path` relative to `root`, with `/` separators (never absolute)."""
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return rel.replace(os.sep, "/")


def source_digest(model: Model, root: str) -> str:
    """SHA-256 over every source file of the model (relative path and bytes, in load order)."""
    h = hashlib.sha256()
    for path in model.files:
        name = relative(path, root).encode()
        with open(path, "rb") as fh:
            data = fh.read()
        h.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def location(span: Span | None, root: str) -> str:
    if span is None:
        return "?"
    return f"{relative(span.file, root)}:{span.line}"
