"""Named conditions: `define NAME ["title"]: expr`.

A define is resolved once, when it is first used or at the latest in declaration order,
and every use becomes a `model.Named` node holding the same resolved body: the meaning is
inlined (the verifier and the exporters that only evaluate need nothing else), the name is
kept for printing. Defines may be declared in any order and use one another; a define that
uses itself, directly or through others, is DEFINE_CYCLE. A define named like a value of an
enumeration, or like a word of the condition language, is DEFINE_SHADOWS; one of the
guideline's own that nothing uses is UNUSED_DEFINE (a catalogue's are for its importers).
"""

from __future__ import annotations

from collections.abc import Sequence

from dsl import ast
from dsl import model as m
from dsl.codes import DEFINE_CYCLE, DEFINE_SHADOWS, UNUSED_DEFINE
from dsl.diagnostics import Note, diagnostic
from dsl.names import NameTable
from dsl.typecheck import ExprChecker

# Words that mean a literal or a connective wherever a condition is: a define with one of
# these names could never be used.
CONDITION_WORDS = ("true", "false", "not", "and", "or", "in", "implies")


class DefineResolver(NameTable):
    """Resolves defines on demand for the expression checker; its `named` is `ExprChecker.named`."""

    exprs: ExprChecker

    def init_defines(self, decls: Sequence[ast.DefineDecl]) -> None:
        self.define_decls: dict[str, ast.DefineDecl] = {d.name.text: d for d in decls if self.owns(d.name)}
        self.define_bodies: dict[str, m.Cond] = {}
        self.define_stack: list[str] = []  # the defines being resolved, outermost first
        self.define_uses: set[str] = set()

    def named(self, ref: ast.Name) -> m.Cond | None:
        """A use of a define as a `Named` node; None when `ref` names no define."""
        decl = self.define_decls.get(ref.text)
        if decl is None:
            return None
        self.used(ref)
        self.define_uses.add(ref.text)
        body = self.define_body(decl, ref)
        return m.Named(name=ref.text, body=body, span=ref.span)

    def define_body(self, decl: ast.DefineDecl, ref: ast.Name | None) -> m.Cond:
        """The resolved condition of a define (resolved on first use; a cycle is reported at `ref`)."""
        name = decl.name.text
        done = self.define_bodies.get(name)
        if done is not None:
            return done
        chain = self.define_stack
        if name in chain:
            assert ref is not None  # only `defines()` passes no use, and it starts with an empty chain
            loop = [*chain[chain.index(name) :], name]
            self.report(
                diagnostic(
                    DEFINE_CYCLE,
                    f"named condition '{name}' uses itself: {' -> '.join(loop)}",
                    ref.span,
                    notes=tuple(
                        Note(message=f"'{n}' is defined here", span=self.define_decls[n].name.span) for n in loop[:-1]
                    ),
                    hint="a define is a name for a condition, not a recursive rule: write the condition out",
                )
            )
            return m.Const(value=False, span=ref.span)
        self.define_stack.append(name)
        try:
            body = self.exprs.check(decl.expr)
        finally:
            self.define_stack.pop()
        self.define_bodies[name] = body
        return body

    def defines(self) -> list[m.Define]:
        """Every define, resolved in declaration order (those no rule has used yet are resolved here)."""
        out = []
        for decl in self.define_decls.values():
            cond = self.define_body(decl, None)
            out.append(
                m.Define(name=decl.name.text, title=decl.title.value if decl.title else None, cond=cond, span=decl.span)
            )
        return out

    def check_define_names(self, variables: Sequence[m.Variable]) -> None:
        """DEFINE_SHADOWS: a define named like an enumeration value or a word of the condition language."""
        values: dict[str, str] = {}
        for v in variables:
            if isinstance(v.type, m.EnumType):
                for value in v.type.values:
                    values.setdefault(value, v.name)
        for name, decl in self.define_decls.items():
            if name in CONDITION_WORDS or name in values:
                self.define_uses.add(name)  # reported here: not also as unused
            if name in CONDITION_WORDS:
                self.report(
                    diagnostic(
                        DEFINE_SHADOWS,
                        f"a named condition cannot be called '{name}': the word means the "
                        f"{'literal' if name in ('true', 'false') else 'connective'} wherever a condition is",
                        decl.name.span,
                        hint="choose a name that says what the condition is about",
                    )
                )
            elif name in values:
                self.report(
                    diagnostic(
                        DEFINE_SHADOWS,
                        f"named condition '{name}' has the name of a value of '{values[name]}'; in "
                        f"'{values[name]} == {name}' the word would mean the value, elsewhere the condition",
                        decl.name.span,
                        hint=f"rename the define, e.g. '{name}_imaging' or 'any_{name}'",
                    )
                )

    def check_unused_defines(self, files: Sequence[str]) -> None:
        """UNUSED_DEFINE for the defines declared in `files` (the guideline's own) that nothing uses."""
        for name, decl in self.define_decls.items():
            if name not in self.define_uses and decl.span.file in files:
                self.report(
                    diagnostic(
                        UNUSED_DEFINE,
                        f"named condition '{name}' is never used",
                        decl.name.span,
                        hint="use it in a rule, an assumption, a property or another define, or remove it",
                    )
                )
