"""The name table: one namespace shared by a guideline and every catalogue it imports.

Each declaration claims its name once; a second claim is a DUPLICATE_NAME at the later
declaration, and a reference to a missing or wrong-kind name gets a "did you mean".
"""

from __future__ import annotations

from dsl import ast
from dsl.codes import (
    DUPLICATE_NAME,
    TYPE_MISMATCH,
    UNDEFINED_NAME,
)
from dsl.diagnostics import Diagnostic, Note, diagnostic, did_you_mean

_KIND_WORDS = {
    "source": "a source",
    "variable": "an input or finding",
    "action": "an action",
    "disposition": "a disposition",
    "decision": "a decision",
    "property": "a property",
}


class NameTable:
    """Declared names and the diagnostics of resolving against them (shared by the resolver's parts)."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.names: dict[str, tuple[str, ast.Name]] = {}  # name -> (kind, declaring Name)

    def report(self, diagnostic: Diagnostic) -> None:
        """Collect a diagnostic (resolution reports every problem, it never stops at the first)."""
        self.diagnostics.append(diagnostic)

    # -- namespace ---------------------------------------------------------------
    def declare(self, kind: str, name: ast.Name) -> bool:
        """Claim a name for a declaration; False (and DUPLICATE_NAME) when it is taken."""
        previous = self.names.get(name.text)
        if previous is not None:
            self.report(
                diagnostic(
                    DUPLICATE_NAME,
                    f"'{name.text}' is already declared as {_KIND_WORDS[previous[0]]}",
                    name.span,
                    notes=(Note(message="first declared here", span=previous[1].span),),
                    hint="names are shared by a guideline and everything it imports",
                )
            )
            return False
        self.names[name.text] = (kind, name)
        return True

    def owns(self, name: ast.Name) -> bool:
        """Whether this declaration is the one that holds its name (not a reported duplicate)."""
        entry = self.names.get(name.text)
        return entry is not None and entry[1] is name

    def kind_of(self, text: str) -> str | None:
        """What a name is, in words ("an action"), or None when undeclared."""
        entry = self.names.get(text)
        return _KIND_WORDS[entry[0]] if entry else None

    def lookup(self, kind: str, name: ast.Name, what: str) -> bool:
        """Whether a reference names a declaration of `kind`; else reports why not, with a suggestion."""
        entry = self.names.get(name.text)
        if entry is not None and entry[0] == kind:
            return True
        if entry is not None:
            self.report(diagnostic(TYPE_MISMATCH, f"'{name.text}' is {_KIND_WORDS[entry[0]]}, not {what}", name.span))
            return False
        candidates = [n for n, (k, _) in self.names.items() if k == kind]
        self.report(
            diagnostic(
                UNDEFINED_NAME,
                f"undefined {what.split(' ', 1)[-1]} '{name.text}'",
                name.span,
                hint=did_you_mean(name.text, candidates),
            )
        )
        return False


def declared_name(d: ast.Decl) -> tuple[str, ast.Name] | None:
    """The namespace kind and name that a declaration introduces, if any."""
    if isinstance(d, ast.SourceDecl):
        return "source", d.name
    if isinstance(d, ast.InputDecl | ast.FindingDecl):
        return "variable", d.name
    if isinstance(d, ast.ActionDecl):
        return "action", d.name
    if isinstance(d, ast.DispositionDecl):
        return "disposition", d.name
    if isinstance(d, ast.DecisionDecl):
        return "decision", d.name
    if isinstance(d, ast.PropertyDecl):
        return "property", d.name
    return None
