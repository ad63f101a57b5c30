"""The pathway language: grammar, parser, AST, semantic checks and the resolved Model.

The names below are loaded on first use: `import dsl.codes` (the CLI's help, the exit
policy) must not pay for the model's dataclasses or the parser.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dsl.diagnostics import Diagnostic, Severity, VeripathError
    from dsl.model import Model
    from dsl.source import SourceFile, Span

__all__ = ["Diagnostic", "Model", "Severity", "SourceFile", "Span", "VeripathError"]

_HOME = {
    "Diagnostic": "dsl.diagnostics",
    "Severity": "dsl.diagnostics",
    "VeripathError": "dsl.diagnostics",
    "Model": "dsl.model",
    "SourceFile": "dsl.source",
    "Span": "dsl.source",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'dsl' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
