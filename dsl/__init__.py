"""The pathway language: grammar, parser, AST, semantic checks and the resolved Model."""

from dsl.diagnostics import Diagnostic, Severity, VeripathError
from dsl.model import Model
from dsl.source import SourceFile, Span

__all__ = ["Diagnostic", "Model", "Severity", "SourceFile", "Span", "VeripathError"]
