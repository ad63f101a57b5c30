"""`waive` declarations -> `Waiver`s: the code, the target and the rules checked, the check id built.

A waiver accepts one verification *warning* (see `WAIVABLE`), named by its code and what it is
about, with the author's reason. Here each declaration is checked against the model (the code
is registered and waivable, the target exists and fits the code, the rules belong to the
decision, a reason is given, no finding is waived twice) and given the check id of the one
finding it accepts, the id the verifier puts in `Diagnostic.evidence.check`. Matching waivers
to findings happens after verification: the `waive` pass of `veripath.pipeline`
(`apply_waivers` below). docs/language.md, "Waivers", says what a waiver means.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Final, Protocol

from dsl import ast
from dsl import model as m
from dsl.codes import (
    BAD_WAIVER,
    CODES,
    DEAD_RULE,
    MASKED_RULE,
    REDUNDANT_OVERLAP,
    UNREACHABLE,
    UNUSED_WAIVER,
    Code,
    Severity,
    lookup,
)
from dsl.diagnostics import Diagnostic, Note, diagnostic, did_you_mean

# The findings a spec may waive: verification warnings, each about named parts of the pathway.
# Errors (gaps, conflicts, violated properties, failed examples, undecided checks) are never
# waivable: each is a patient the pathway fails, and the spec must say what happens to them.
WAIVABLE: Final[tuple[Code, ...]] = (REDUNDANT_OVERLAP, MASKED_RULE, DEAD_RULE, UNREACHABLE)

# How many rules the finding of each waivable code names, and its check-id prefix.
_RULE_COUNT: Final = {REDUNDANT_OVERLAP: 2, MASKED_RULE: 1, DEAD_RULE: 1, UNREACHABLE: 0}
_CHECK_KIND: Final = {REDUNDANT_OVERLAP: "redundant", MASKED_RULE: "masked", DEAD_RULE: "dead"}
_SHAPE: Final = {
    REDUNDANT_OVERLAP: "on decision NAME rules A, B",
    MASKED_RULE: "on decision NAME rule A",
    DEAD_RULE: "on decision NAME rule A",
    UNREACHABLE: "on decision|action|disposition NAME",
}
_ARTICLE: Final = {"decision": "a decision", "action": "an action", "disposition": "a disposition"}


class Names(Protocol):
    """What waiver resolution needs of the resolver: the namespace and the diagnostics list."""

    def lookup(self, kind: str, name: ast.Name, what: str) -> bool: ...

    def report(self, diagnostic: Diagnostic) -> None: ...


def rule_name(rule: m.Rule) -> str:
    """A rule's name as findings and check ids show it: its label, or rN for the N-th rule."""
    return rule.label or f"r{rule.index}"


def resolve_waivers(
    names: Names, decls: Iterable[ast.WaiveDecl], decisions: Sequence[m.Decision]
) -> tuple[m.Waiver, ...]:
    """The waivers of `decls` that are well formed; each problem reported through `names`."""
    by_name: dict[str, m.Decision] = {}
    for d in decisions:
        by_name.setdefault(d.name, d)  # a duplicate decision is reported by the resolver
    out: list[m.Waiver] = []
    first: dict[str, m.Waiver] = {}
    for decl in decls:
        waiver = _waiver(names, decl, by_name)
        if waiver is None:
            continue
        previous = first.get(waiver.check)
        if previous is not None:
            names.report(
                diagnostic(
                    BAD_WAIVER,
                    f"this finding ({waiver.check}) is already waived",
                    decl.span,
                    hint="delete one of the two waivers",
                    notes=(Note(message="first waived here", span=previous.span),),
                )
            )
            continue
        first[waiver.check] = waiver
        out.append(waiver)
    return tuple(out)


def _waiver(names: Names, decl: ast.WaiveDecl, decisions: dict[str, m.Decision]) -> m.Waiver | None:
    code = lookup(decl.code.text)
    if code is None or code.code != decl.code.text:
        names.report(
            diagnostic(
                BAD_WAIVER,
                f"'{decl.code.text}' is not a diagnostic code",
                decl.code.span,
                hint=did_you_mean(decl.code.text, list(CODES)) or _waivable_hint(),
            )
        )
        return None
    if code not in WAIVABLE:
        if code.severity is Severity.ERROR:
            message = f"{code} ({code.slug}) is an error, and errors cannot be waived"
            hint = f"fix the pathway: {_first_sentence(code.fix)}"
        else:
            message = f"{code} ({code.slug}) cannot be waived"
            hint = _waivable_hint()
        names.report(diagnostic(BAD_WAIVER, message, decl.code.span, hint=hint))
        return None
    ok = True
    if not decl.reason.value.strip():
        names.report(
            diagnostic(
                BAD_WAIVER,
                "a waiver must give its reason",
                decl.reason.span,
                hint='say why the finding is acceptable: because "..."',
            )
        )
        ok = False
    wanted = _RULE_COUNT[code]
    if (code is not UNREACHABLE and decl.target_kind != "decision") or len(decl.rules) != wanted:
        names.report(
            diagnostic(
                BAD_WAIVER,
                f"a {code} ({code.slug}) finding is about {_about(code)}",
                decl.span,
                hint=f'write: waive {code} {_SHAPE[code]} because "..."',
            )
        )
        return None
    if not names.lookup(decl.target_kind, decl.target, _ARTICLE[decl.target_kind]):
        return None
    rules: tuple[m.Rule, ...] = ()
    if decl.rules:
        decision = decisions.get(decl.target.text)
        if decision is None:
            return None
        found = [_rule(names, decision, r) for r in decl.rules]
        if any(r is None for r in found):
            return None
        rules = tuple(sorted({r.index: r for r in found if r is not None}.values(), key=lambda r: r.index))
        if len(rules) != wanted:
            names.report(
                diagnostic(
                    BAD_WAIVER,
                    f"rule '{decl.rules[-1].text}' is named twice",
                    decl.rules[-1].span,
                    hint="an overlap is between two different rules of the decision",
                )
            )
            return None
    if not ok:
        return None
    rule_names = tuple(rule_name(r) for r in rules)
    if code is UNREACHABLE:
        check = f"unreachable:{decl.target_kind}:{decl.target.text}"
    else:
        check = ":".join([_CHECK_KIND[code], decl.target.text, *rule_names])
    return m.Waiver(
        code=code.code,
        target_kind=decl.target_kind,
        target=decl.target.text,
        rules=rule_names,
        check=check,
        reason=decl.reason.value,
        span=decl.span,
    )


def _rule(names: Names, decision: m.Decision, name: ast.Name) -> m.Rule | None:
    for r in decision.rules:
        if rule_name(r) == name.text:
            return r
    known = [rule_name(r) for r in decision.rules]
    hint = did_you_mean(name.text, known)
    if hint is None and name.text[:1] == "r" and name.text[1:].isdigit():
        index = int(name.text[1:])
        if 1 <= index <= len(decision.rules):  # rN of a labelled rule: findings use its label
            hint = f"rule {index} is labelled '{known[index - 1]}': findings call it that"
    names.report(
        diagnostic(
            BAD_WAIVER,
            f"decision '{decision.name}' has no rule '{name.text}'",
            name.span,
            hint=hint or f"its rules are: {', '.join(known)}",
        )
    )
    return None


def _about(code: Code) -> str:
    if code is REDUNDANT_OVERLAP:
        return "two rules of a decision"
    if code is UNREACHABLE:
        return "a decision, an action or a disposition, with no rules"
    return "one rule of a decision"


def _waivable_hint() -> str:
    return "only these warnings can be waived: " + ", ".join(f"{c} ({c.slug})" for c in WAIVABLE)


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + ("." if dot else "")


# -- matching, after verification ---------------------------------------------------------------


def apply_waivers(
    waivers: Sequence[m.Waiver], diagnostics: Sequence[Diagnostic], *, report_unused: bool
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Mark the findings that `waivers` accept: (every diagnostic, waived ones replaced; VP311s).

    A waiver accepts the diagnostic with its code and its check id (at most one: check ids are
    unique in a run). With `report_unused`, a waiver that accepts nothing is a VP311 warning;
    the caller passes False when the verifier did not run or left a check undecided, since the
    finding may then exist unseen.
    """
    by_check = {(w.code, w.check): w for w in waivers}
    used: set[tuple[str, str]] = set()
    out: list[Diagnostic] = []
    for d in diagnostics:
        key = (d.code.code, d.evidence.check) if d.evidence is not None else None
        w = by_check.get(key) if key is not None else None
        if w is not None and key is not None and not d.is_error:
            used.add(key)
            d = dataclasses.replace(d, waived=w.reason)
        out.append(d)
    unused = []
    if report_unused:
        for w in waivers:
            if (w.code, w.check) not in used:
                unused.append(
                    diagnostic(
                        UNUSED_WAIVER,
                        f"this waiver matches no finding: the verifier reports no {w.code} ({w.check})",
                        w.span,
                        hint="delete the waiver, or correct the rules it names",
                    )
                )
    return out, unused
