"""The pathway language: grammar, parser, AST, semantic checks and the resolved Model.

The names below are loaded on first use: `import dsl.codes` (the CLI's help, the exit
policy) must not pay for the model's dataclasses or the parser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dsl.lazy import lazy_names

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

__getattr__ = lazy_names(__name__, _HOME)
