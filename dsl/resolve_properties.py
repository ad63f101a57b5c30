"""Properties: path properties and the action sets they talk about."""

from __future__ import annotations

from typing import assert_never

from dsl import ast
from dsl import model as m
from dsl.codes import (
    BAD_ACTION_SET,
    BAD_BOUND,
    BAD_DISPOSITION_SET,
)
from dsl.diagnostics import diagnostic, did_you_mean
from dsl.names import NameTable
from dsl.typecheck import ExprChecker

ATTRIBUTE_SETS = ("cross_sectional", *m.ACTION_KINDS)


class PropertyResolver(NameTable):
    """Resolves property declarations (their conditions and action sets) against the declared actions."""

    exprs: ExprChecker
    actions: list[m.Action]
    disposition_kinds: dict[str, m.DispositionKind]  # every declared disposition, in declaration order

    def action_set(self, s: ast.ActionSet, actions: list[m.Action]) -> m.ActionSet:
        """The actions a set names (one, a list, all of a kind, or all of a modality), with its description."""
        names = [n.text for n in s.names]
        if s.kind in ("action", "list"):
            chosen = [n.text for n in s.names if self.lookup("action", n, "an action")]
            desc = names[0] if s.kind == "action" else "{" + ", ".join(names) + "}"
        elif s.kind == "attribute":
            attr = names[0]
            if attr not in ATTRIBUTE_SETS:
                self.report(
                    diagnostic(
                        BAD_ACTION_SET,
                        f"'any {attr}' is not an action set",
                        s.span,
                        hint="use any " + ", any ".join(ATTRIBUTE_SETS) + ", or any modality M",
                    )
                )
                chosen = []
            elif attr == "cross_sectional":
                chosen = [a.name for a in actions if a.cross_sectional]
            else:
                chosen = [a.name for a in actions if a.kind == attr]
            desc = f"any {attr}"
        else:
            modality = names[0]
            chosen = [a.name for a in actions if a.modality == modality]
            if not chosen:
                self.report(
                    diagnostic(
                        BAD_ACTION_SET,
                        f"no action has modality '{modality}'",
                        s.span,
                        hint=did_you_mean(modality, sorted({a.modality for a in actions if a.modality})),
                    )
                )
            desc = f"any modality {modality}"
        return m.ActionSet(actions=tuple(chosen), description=desc, span=s.span)

    def disposition_set(self, s: ast.DispositionSet) -> m.DispositionSet:
        """The dispositions a set names (one, a list, or every disposition of a kind), with its description."""
        names = [n.text for n in s.names]
        match s.kind:
            case "name" | "list":
                chosen = [n.text for n in s.names if self.lookup("disposition", n, "a disposition")]
                desc = names[0] if s.kind == "name" else "{" + ", ".join(names) + "}"
            case "kind":
                kind = m.member(m.DISPOSITION_KINDS, names[0])
                chosen = [d for d, k in self.disposition_kinds.items() if k == kind]
                desc = f"any {names[0]}"
                if kind is None:
                    self.report(
                        diagnostic(
                            BAD_DISPOSITION_SET,
                            f"'{names[0]}' is not a disposition kind",
                            s.span,
                            hint=did_you_mean(names[0], m.DISPOSITION_KINDS)
                            or "use any " + ", any ".join(m.DISPOSITION_KINDS),
                        )
                    )
                elif not chosen:
                    self.report(
                        diagnostic(
                            BAD_DISPOSITION_SET,
                            f"no disposition is of kind '{kind}'",
                            s.span,
                            hint="declare one, or name the dispositions the property is about",
                        )
                    )
            case _:
                assert_never(s.kind)
        return m.DispositionSet(dispositions=tuple(chosen), description=desc, span=s.span)

    def property(self, d: ast.PropertyDecl) -> m.Property | None:
        """A property declaration with its condition and action sets resolved."""
        actions = self.actions
        b = d.body
        if b.kind == "max_steps" and (b.bound or 0) < 1:
            self.report(diagnostic(BAD_BOUND, "a step bound must be at least 1", b.span))
        exceptions = tuple(n.text for n in b.exceptions if self.lookup("action", n, "an action"))
        return m.Property(
            name=d.name.text,
            title=d.title.value if d.title else None,
            kind=b.kind,
            condition=self.exprs.check(b.condition) if b.condition is not None else None,
            target=self.action_set(b.target, actions) if b.target else None,
            other=self.action_set(b.other, actions) if b.other else None,
            exceptions=exceptions,
            bound=b.bound,
            span=d.span,
            ends=self.disposition_set(b.ends) if b.ends else None,
        )
