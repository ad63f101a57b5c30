"""The name table: one namespace shared by a guideline and every catalogue it imports.

Each declaration claims its name once; a second claim is a DUPLICATE_NAME at the later
declaration (naming the file of the first when it is another), and a reference to a
missing or wrong-kind name gets a "did you mean". A catalogue may use only names declared
in itself or in the files it imports, directly or not (CATALOGUE_USES_IMPORTER otherwise):
one namespace, but every catalogue checks on its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from dsl import ast
from dsl.codes import (
    CATALOGUE_USES_IMPORTER,
    DUPLICATE_NAME,
    TYPE_MISMATCH,
    UNDEFINED_NAME,
)
from dsl.diagnostics import Diagnostic, Note, diagnostic, did_you_mean
from dsl.source import Span

_KIND_WORDS = {
    "source": "a source",
    "variable": "an input or finding",
    "action": "an action",
    "disposition": "a disposition",
    "decision": "a decision",
    "property": "a property",
    "define": "a named condition",
    "variant": "a variant",
}


def import_closure(imports: Mapping[str, Sequence[str]]) -> dict[str, frozenset[str]]:
    """For each file, the files whose names it may use: itself and everything it imports, directly or not."""
    out: dict[str, frozenset[str]] = {}
    for start in imports:
        seen = {start}
        stack = [start]
        while stack:
            for nxt in imports.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        out[start] = frozenset(seen)
    return out


class NameTable:
    """Declared names and the diagnostics of resolving against them (shared by the resolver's parts)."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.names: dict[str, tuple[str, ast.Name]] = {}  # name -> (kind, declaring Name)
        # file -> the files it may take names from (see `import_closure`); a file not in it may use any name
        self.visible: dict[str, frozenset[str]] = {}
        self.catalogues: frozenset[str] = frozenset()  # the files that are catalogues
        self._reported_uses: set[Span] = set()  # the references already reported by `used`
        self.texts: dict[str, str] = {}  # see `shared`

    def spelling(self, name: ast.Name) -> str:
        """The text of a reference, as the declaration it names spells it (one string object for
        every reference, where the parser made one per occurrence), or its own if it names none."""
        entry = self.names.get(name.text)
        return entry[1].text if entry is not None else name.text

    def shared(self, text: str) -> str:
        """One string object for equal texts the Model keeps (`unrated "why"`, repeated in every rule of a table)."""
        return self.texts.setdefault(text, text)

    def report(self, diagnostic: Diagnostic) -> None:
        """Collect a diagnostic (resolution reports every problem, it never stops at the first)."""
        self.diagnostics.append(diagnostic)

    # -- namespace ---------------------------------------------------------------
    def declare(self, kind: str, name: ast.Name) -> bool:
        """Claim a name for a declaration; False (and DUPLICATE_NAME) when it is taken."""
        previous = self.names.get(name.text)
        if previous is not None:
            first = previous[1].span.file
            where = f" in {first}" if first != name.span.file else ""
            self.report(
                diagnostic(
                    DUPLICATE_NAME,
                    f"'{name.text}' is already declared as {_KIND_WORDS[previous[0]]}{where}",
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

    def used(self, ref: ast.Name) -> None:
        """Note a reference to a declared name: reported when a catalogue uses a file it does not import."""
        entry = self.names.get(ref.text)
        if entry is None:
            return
        here, there = ref.span.file, entry[1].span.file
        if here == there:
            return  # a file may always use its own names
        allowed = self.visible.get(here)
        if allowed is None or there in allowed or ref.span in self._reported_uses:
            return
        self._reported_uses.add(ref.span)  # a range's name is checked once per bound: report it once
        if there in self.catalogues:
            target = os.path.relpath(there, os.path.dirname(here) or ".").replace(os.sep, "/")
            hint = f'add: import "{target}"'
        else:
            hint = f"a catalogue cannot use the guideline that imports it: move '{ref.text}' into a catalogue"
        self.report(
            diagnostic(
                CATALOGUE_USES_IMPORTER,
                f"'{ref.text}' is declared in {there}, which catalogue {here} does not import",
                ref.span,
                notes=(Note(message=f"'{ref.text}' is declared here", span=entry[1].span),),
                hint=hint,
            )
        )

    def lookup(self, kind: str, name: ast.Name, what: str) -> bool:
        """Whether a reference names a declaration of `kind`; else reports why not, with a suggestion."""
        entry = self.names.get(name.text)
        if entry is not None and entry[0] == kind:
            self.used(name)
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
    if isinstance(d, ast.DefineDecl):
        return "define", d.name
    if isinstance(d, ast.VariantDecl):
        return "variant", d.name
    return None
