"""Text to AST: Lark (LALR, positions propagated) plus an explicit Transformer.

Lark trees never leave this module. A syntax error stops the file and comes back
as one Diagnostic; nothing here raises on bad input.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)
from lark.tree import Meta

from dsl import ast
from dsl.codes import BAD_STRING, TOO_LARGE, UNEXPECTED_CHARACTER, UNEXPECTED_EOF, UNEXPECTED_TOKEN
from dsl.diagnostics import Diagnostic, diagnostic
from dsl.model import HIT_POLICIES, DispositionKind, one_of
from dsl.ops import Op
from dsl.source import Span

MAX_BYTES = 8 * 1024 * 1024
MAX_NESTING = 100

# What to call grammar terminals in "expected ..." hints.
_TERMINAL_NAMES: dict[str, str] = {
    "NAME": "a name",
    "STRING": 'a "string"',
    "INT": "a whole number",
    "SIGNED_NUMBER": "a number",
    "UNIT": "a unit (cm, mm, years, ...)",
    "COMPARATOR": "a comparison (==, !=, <, <=, >, >=)",
    "HIT_POLICY": "a hit policy (unique, first, priority, any)",
    "ACTION_KIND": "an action kind (imaging, procedure, referral)",
    "URGENCY": "an urgency (routine, urgent, very_urgent, emergency)",
    "DISAGREEMENT": "'disagreement'",
    "$END": "end of file",
}


@cache
def _parser() -> Lark:
    grammar = resources.files("dsl").joinpath("grammar.lark").read_text(encoding="utf-8")
    # cache=True keeps the compiled LALR tables in the temp folder (keyed by grammar and Lark
    # version): it saves about 0.1 s on every start; Lark carries on if the folder is unwritable.
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False, cache=True)


def _span(path: str, meta: Meta | Token) -> Span:
    return Span(
        file=path,
        line=meta.line or 1,
        column=meta.column or 1,
        end_line=meta.end_line or meta.line or 1,
        end_column=meta.end_column or (meta.column or 1) + 1,
    )


_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


class _BadEscape(Exception):
    def __init__(self, token: Token, char: str) -> None:
        self.token = token
        self.char = char


def _unescape(token: Token) -> str:
    def repl(m: re.Match[str]) -> str:
        ch = m.group(1)
        if ch not in _ESCAPES:
            raise _BadEscape(token, ch)
        return _ESCAPES[ch]

    return _ESCAPE.sub(repl, str(token)[1:-1])


@v_args(meta=True)
class _ToAst(Transformer[Token, ast.Module]):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    # -- helpers -----------------------------------------------------------
    def _s(self, meta: Meta | Token) -> Span:
        return _span(self.path, meta)

    def _name(self, tok: Token) -> ast.Name:
        return ast.Name(text=str(tok), span=self._s(tok))

    def _text(self, tok: Token) -> ast.Text:
        return ast.Text(value=_unescape(tok), span=self._s(tok))

    def _names(self, items: list[Any]) -> tuple[ast.Name, ...]:
        return tuple(self._name(t) for t in items if isinstance(t, Token) and t.type == "NAME")

    # -- tokens ---------------------------------------------------------------
    def number(self, meta: Meta, items: list[Token]) -> Fraction:
        return Fraction(str(items[0]))

    def unit(self, meta: Meta, items: list[Token]) -> ast.Name:
        return self._name(items[0])

    # -- file -----------------------------------------------------------------
    def start(self, meta: Meta, items: list[Any]) -> ast.Module:
        header, *decls = items
        return ast.Module(path=self.path, header=header, decls=tuple(decls), span=self._s(meta))

    def guideline_header(self, meta: Meta, items: list[Token]) -> ast.Header:
        name, title, version = items
        return ast.Header(
            kind="guideline",
            name=self._name(name),
            title=self._text(title),
            version=self._text(version),
            span=self._s(meta),
        )

    def catalogue_header(self, meta: Meta, items: list[Token]) -> ast.Header:
        name, title = items
        return ast.Header(
            kind="catalogue",
            name=self._name(name),
            title=self._text(title),
            version=None,
            span=self._s(meta),
        )

    def import_decl(self, meta: Meta, items: list[Token]) -> ast.ImportDecl:
        return ast.ImportDecl(path=self._text(items[0]), span=self._s(meta))

    def source_decl(self, meta: Meta, items: list[Token]) -> ast.SourceDecl:
        url = self._text(items[2]) if len(items) > 2 else None
        return ast.SourceDecl(name=self._name(items[0]), title=self._text(items[1]), url=url, span=self._s(meta))

    # -- inputs -----------------------------------------------------------------
    def input_decl(self, meta: Meta, items: list[Any]) -> ast.InputDecl:
        name = self._name(items[0])
        title = self._text(items[1]) if len(items) == 3 else None
        return ast.InputDecl(name=name, title=title, type=items[-1], span=self._s(meta))

    def bool_type(self, meta: Meta, items: list[Any]) -> ast.BoolTypeSpec:
        return ast.BoolTypeSpec(span=self._s(meta))

    def _number_type(self, meta: Meta, items: list[Any], integer: bool) -> ast.NumberTypeSpec:
        unit = items[2] if len(items) > 2 else None
        return ast.NumberTypeSpec(integer=integer, low=items[0], high=items[1], unit=unit, span=self._s(meta))

    def number_type(self, meta: Meta, items: list[Any]) -> ast.NumberTypeSpec:
        return self._number_type(meta, items, integer=False)

    def integer_type(self, meta: Meta, items: list[Any]) -> ast.NumberTypeSpec:
        return self._number_type(meta, items, integer=True)

    def enum_type(self, meta: Meta, items: list[Token]) -> ast.EnumTypeSpec:
        return ast.EnumTypeSpec(values=self._names(items), span=self._s(meta))

    def assume_decl(self, meta: Meta, items: list[Any]) -> ast.AssumeDecl:
        title = self._text(items[0]) if len(items) == 2 else None
        return ast.AssumeDecl(title=title, expr=items[-1], span=self._s(meta))

    # -- actions ------------------------------------------------------------------
    def action_decl(self, meta: Meta, items: list[Any]) -> ast.ActionDecl:
        return ast.ActionDecl(
            name=self._name(items[0]),
            title=self._text(items[1]),
            attrs=tuple(items[2:]),
            span=self._s(meta),
        )

    def _attr(self, meta: Meta, key: str, value: str | None, amount: Fraction | None = None) -> ast.ActionAttr:
        return ast.ActionAttr(key=key, value=value, amount=amount, span=self._s(meta))

    def attr_kind(self, meta: Meta, items: list[Token]) -> ast.ActionAttr:
        return self._attr(meta, "kind", str(items[0]))

    def attr_modality(self, meta: Meta, items: list[Token]) -> ast.ActionAttr:
        return self._attr(meta, "modality", str(items[0]))

    def attr_contrast(self, meta: Meta, items: list[Token]) -> ast.ActionAttr:
        return self._attr(meta, "contrast", str(items[0]))

    def attr_cross_sectional(self, meta: Meta, items: list[Token]) -> ast.ActionAttr:
        return self._attr(meta, "cross_sectional", None)

    def attr_radiation(self, meta: Meta, items: list[Token]) -> ast.ActionAttr:
        return self._attr(meta, "radiation", str(items[0]))

    def attr_peds_radiation(self, meta: Meta, items: list[Token]) -> ast.ActionAttr:
        return self._attr(meta, "pediatric_radiation", str(items[0]))

    def attr_within(self, meta: Meta, items: list[Any]) -> ast.ActionAttr:
        return self._attr(meta, "within", items[1].text, items[0])

    def attr_urgency(self, meta: Meta, items: list[Token]) -> ast.ActionAttr:
        return self._attr(meta, "urgency", str(items[0]))

    def finding_decl(self, meta: Meta, items: list[Token]) -> ast.FindingDecl:
        title = None
        rest = list(items)
        name = rest.pop(0)
        if rest and rest[0].type == "STRING":
            title = self._text(rest.pop(0))
        action = rest.pop(0)
        return ast.FindingDecl(
            name=self._name(name),
            title=title,
            action=self._name(action),
            values=self._names(rest),
            span=self._s(meta),
        )

    # -- dispositions ---------------------------------------------------------------
    def disposition_decl(self, meta: Meta, items: list[Any]) -> ast.DispositionDecl:
        name, title, (kind, amount, unit) = items
        return ast.DispositionDecl(
            name=self._name(name),
            title=self._text(title),
            kind=kind,
            amount=amount,
            unit=unit,
            span=self._s(meta),
        )

    def disp_reassure(self, meta: Meta, items: list[Any]) -> tuple[DispositionKind, None, None]:
        return ("reassure", None, None)

    def disp_uncovered(self, meta: Meta, items: list[Any]) -> tuple[DispositionKind, None, None]:
        return ("uncovered", None, None)

    def disp_discharge(self, meta: Meta, items: list[Any]) -> tuple[DispositionKind, None, None]:
        return ("discharge", None, None)

    def disp_follow_up(self, meta: Meta, items: list[Any]) -> tuple[DispositionKind, Fraction, ast.Name]:
        return ("follow_up", items[0], items[1])

    def disp_refer(self, meta: Meta, items: list[Any]) -> tuple[DispositionKind, Fraction | None, ast.Name | None]:
        if items:
            return ("refer", items[0], items[1])
        return ("refer", None, None)

    def start_decl(self, meta: Meta, items: list[Token]) -> ast.StartDecl:
        return ast.StartDecl(decision=self._name(items[0]), span=self._s(meta))

    # -- decisions ---------------------------------------------------------------------
    def decision_decl(self, meta: Meta, items: list[Any]) -> ast.DecisionDecl:
        name, title, policy, *rest = items
        max_visits = None
        if rest and isinstance(rest[0], int):
            max_visits = rest.pop(0)
        return ast.DecisionDecl(
            name=self._name(name),
            title=self._text(title),
            hit_policy=one_of(HIT_POLICIES, str(policy)),
            max_visits=max_visits,
            rules=tuple(rest),
            span=self._s(meta),
        )

    def max_visits(self, meta: Meta, items: list[Token]) -> int:
        return int(items[0])

    def rule_label(self, meta: Meta, items: list[Token]) -> ast.Name:
        return self._name(items[0])

    def guard_when(self, meta: Meta, items: list[Any]) -> tuple[str, ast.Expr]:
        return ("when", items[0])

    def guard_otherwise(self, meta: Meta, items: list[Any]) -> tuple[str, None]:
        return ("otherwise", None)

    def rule(self, meta: Meta, items: list[Any]) -> ast.Rule:
        label = None
        if isinstance(items[0], ast.Name):
            label = items.pop(0)
        (_, condition) = items[0]
        orders, goto, finish = items[1]
        metas = items[2:]
        return ast.Rule(
            label=label,
            condition=condition,
            orders=orders,
            goto=goto,
            finish=finish,
            ratings=tuple(m for m in metas if isinstance(m, ast.Rating)),
            unrated=tuple(m[1] for m in metas if isinstance(m, tuple) and m[0] == "unrated"),
            citations=tuple(m for m in metas if isinstance(m, ast.Citation)),
            notes=tuple(m[1] for m in metas if isinstance(m, tuple) and m[0] == "note"),
            span=self._s(meta),
        )

    def outcome(self, meta: Meta, items: list[Any]) -> tuple[tuple[ast.Name, ...], ast.Name | None, ast.Finish | None]:
        orders: tuple[ast.Name, ...] = ()
        goto = finish = None
        for item in items:
            if isinstance(item, tuple):
                orders = item
            elif isinstance(item, ast.Finish):
                finish = item
            else:
                goto = item
        return orders, goto, finish

    def orders(self, meta: Meta, items: list[Token]) -> tuple[ast.Name, ...]:
        return self._names(items)

    def goto(self, meta: Meta, items: list[Token]) -> ast.Name:
        return self._name(items[0])

    def finish(self, meta: Meta, items: list[Token]) -> ast.Finish:
        reason = self._text(items[1]) if len(items) > 1 else None
        return ast.Finish(disposition=self._name(items[0]), reason=reason, span=self._s(meta))

    def rated(self, meta: Meta, items: list[Token]) -> ast.Rating:
        return ast.Rating(
            category=self._name(items[0]),
            score=int(items[1]),
            disagreement=len(items) > 2,
            span=self._s(meta),
        )

    def unrated(self, meta: Meta, items: list[Token]) -> tuple[str, ast.Text]:
        return ("unrated", self._text(items[0]))

    def note(self, meta: Meta, items: list[Token]) -> tuple[str, ast.Text]:
        return ("note", self._text(items[0]))

    def cite(self, meta: Meta, items: list[Token]) -> ast.Citation:
        locator = self._text(items[1]) if len(items) > 1 else None
        return ast.Citation(source=self._name(items[0]), locator=locator, span=self._s(meta))

    example_cite = cite

    # -- expressions ------------------------------------------------------------------------
    def implies(self, meta: Meta, items: list[ast.Expr]) -> ast.Expr:
        return ast.Implies(left=items[0], right=items[1], span=self._s(meta))

    def or_(self, meta: Meta, items: list[ast.Expr]) -> ast.Expr:
        if len(items) == 1:  # an aliased '?' rule still calls us for one child
            return items[0]
        return ast.Or(operands=tuple(items), span=self._s(meta))

    def and_(self, meta: Meta, items: list[ast.Expr]) -> ast.Expr:
        if len(items) == 1:
            return items[0]
        return ast.And(operands=tuple(items), span=self._s(meta))

    def not_(self, meta: Meta, items: list[ast.Expr]) -> ast.Expr:
        return ast.Not(operand=items[0], span=self._s(meta))

    def name_ref(self, meta: Meta, items: list[Token]) -> ast.Expr:
        return ast.NameRef(name=self._name(items[0]), span=self._s(meta))

    def name_operand(self, meta: Meta, items: list[Token]) -> ast.Expr:
        # After a comparison operator the contextual lexer reads 'true'/'false' as a NAME.
        word = str(items[0])
        if word in ("true", "false"):
            return ast.BoolLit(value=word == "true", span=self._s(meta))
        return self.name_ref(meta, items)

    def true_lit(self, meta: Meta, items: list[Token]) -> ast.Expr:
        return ast.BoolLit(value=True, span=self._s(meta))

    def false_lit(self, meta: Meta, items: list[Token]) -> ast.Expr:
        return ast.BoolLit(value=False, span=self._s(meta))

    def number_operand(self, meta: Meta, items: list[Any]) -> ast.Expr:
        unit = items[1] if len(items) > 1 else None
        return ast.NumberLit(value=items[0], unit=unit, span=self._s(meta))

    def compare(self, meta: Meta, items: list[Any]) -> ast.Expr:
        return ast.Compare(op=Op(str(items[1])), left=items[0], right=items[2], span=self._s(meta))

    def member(self, meta: Meta, items: list[Token]) -> ast.Expr:
        names = self._names(items)
        return ast.Member(name=names[0], values=names[1:], negated=False, span=self._s(meta))

    def not_member(self, meta: Meta, items: list[Token]) -> ast.Expr:
        names = self._names(items)
        return ast.Member(name=names[0], values=names[1:], negated=True, span=self._s(meta))

    def range_low(self, meta: Meta, items: list[Token]) -> str:
        return str(items[0])

    range_high = range_low

    def in_range(self, meta: Meta, items: list[Any]) -> ast.Expr:
        name, lb, low, high, rb = items
        return ast.InRange(
            name=self._name(name),
            low=low,
            high=high,
            low_closed=str(lb) == "[",
            high_closed=str(rb) == "]",
            span=self._s(meta),
        )

    # -- properties ------------------------------------------------------------------------
    def property_decl(self, meta: Meta, items: list[Any]) -> ast.PropertyDecl:
        title = self._text(items[1]) if len(items) == 3 else None
        return ast.PropertyDecl(name=self._name(items[0]), title=title, body=items[-1], span=self._s(meta))

    def prop_never_before(self, meta: Meta, items: list[Any]) -> ast.PropertyBody:
        return ast.PropertyBody(kind="never_before", target=items[0], other=items[1], span=self._s(meta))

    def prop_eventually(self, meta: Meta, items: list[Any]) -> ast.PropertyBody:
        return ast.PropertyBody(kind="eventually", condition=items[0], target=items[1], span=self._s(meta))

    def prop_when_never(self, meta: Meta, items: list[Any]) -> ast.PropertyBody:
        return ast.PropertyBody(kind="when_never", condition=items[0], target=items[1], span=self._s(meta))

    def prop_never(self, meta: Meta, items: list[Any]) -> ast.PropertyBody:
        return ast.PropertyBody(kind="never", target=items[0], span=self._s(meta))

    def prop_always_ends(self, meta: Meta, items: list[Any]) -> ast.PropertyBody:
        return ast.PropertyBody(kind="always_ends", span=self._s(meta))

    def prop_no_repeat(self, meta: Meta, items: list[Token]) -> ast.PropertyBody:
        return ast.PropertyBody(kind="no_repeat", exceptions=self._names(items), span=self._s(meta))

    def prop_max_steps(self, meta: Meta, items: list[Token]) -> ast.PropertyBody:
        return ast.PropertyBody(kind="max_steps", bound=int(items[0]), span=self._s(meta))

    def set_action(self, meta: Meta, items: list[Token]) -> ast.ActionSet:
        return ast.ActionSet(kind="action", names=self._names(items), span=self._s(meta))

    def set_attribute(self, meta: Meta, items: list[Token]) -> ast.ActionSet:
        return ast.ActionSet(kind="attribute", names=self._names(items), span=self._s(meta))

    def set_modality(self, meta: Meta, items: list[Token]) -> ast.ActionSet:
        return ast.ActionSet(kind="modality", names=self._names(items), span=self._s(meta))

    def set_list(self, meta: Meta, items: list[Token]) -> ast.ActionSet:
        return ast.ActionSet(kind="list", names=self._names(items), span=self._s(meta))

    # -- examples -----------------------------------------------------------------------------
    def example_decl(self, meta: Meta, items: list[Any]) -> ast.ExampleDecl:
        title = self._text(items[0])
        citations = tuple(i for i in items if isinstance(i, ast.Citation))
        given = tuple(i for i in items if isinstance(i, ast.Assignment))
        orders = next((i for i in items if isinstance(i, tuple)), None)
        end = items[-1]
        return ast.ExampleDecl(
            title=title,
            citations=citations,
            given=given,
            expect_orders=orders,
            expect_end=self._name(end),
            span=self._s(meta),
        )

    def assignment(self, meta: Meta, items: list[Any]) -> ast.Assignment:
        return ast.Assignment(name=self._name(items[0]), value=items[1], span=self._s(meta))

    def value_name(self, meta: Meta, items: list[Token]) -> ast.Value:
        return ast.Value(kind="name", name=self._name(items[0]), span=self._s(meta))

    def value_true(self, meta: Meta, items: list[Token]) -> ast.Value:
        return ast.Value(kind="bool", flag=True, span=self._s(meta))

    def value_false(self, meta: Meta, items: list[Token]) -> ast.Value:
        return ast.Value(kind="bool", flag=False, span=self._s(meta))

    def value_number(self, meta: Meta, items: list[Any]) -> ast.Value:
        unit = items[1] if len(items) > 1 else None
        return ast.Value(kind="number", number=items[0], unit=unit, span=self._s(meta))

    def expected_orders(self, meta: Meta, items: list[Token]) -> tuple[ast.Name, ...]:
        return self._names(items)

    def expected_no_orders(self, meta: Meta, items: list[Token]) -> tuple[ast.Name, ...]:
        return ()


def _describe_expected(expected: set[str] | frozenset[str]) -> str:
    names = sorted({_TERMINAL_NAMES.get(t, _keyword(t)) for t in expected})
    if len(names) > 8:
        names = [*names[:8], "..."]
    return ", ".join(names)


def _keyword(terminal: str) -> str:
    lark = _parser()
    for term in lark.terminals:
        if term.name == terminal:
            pattern = term.pattern
            if pattern.type == "str":
                return f"'{pattern.value}'"
    return terminal.lower()


def _syntax_diagnostic(path: str, text: str, exc: UnexpectedInput) -> Diagnostic:
    line = getattr(exc, "line", None) or 1
    column = getattr(exc, "column", None) or 1
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        # Point just after the last token (Lark's end marker borrows its position), not at
        # trailing blank lines or comments; a file without any token gets 1:1.
        end = exc.token if isinstance(exc, UnexpectedToken) else None
        if end is not None and end.end_line and end.end_column:
            span = Span.point(path, end.end_line, end.end_column)
        else:
            span = Span.point(path, 1, 1)
        expected = _describe_expected({str(t) for t in exc.expected})
        return diagnostic(UNEXPECTED_EOF, "unexpected end of file", span, hint=f"expected {expected}")
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream
        ch = text[pos] if pos is not None and 0 <= pos < len(text) else "?"
        span = Span.point(path, line, column)
        if ch == '"':  # no STRING token matched: the string does not end on its line
            return diagnostic(
                UNEXPECTED_CHARACTER, "unterminated string", span, hint='a string ends with " on the same line'
            )
        quote = ch in "'\u2018\u2019\u201c\u201d"
        hint = 'strings use straight double quotes (")' if quote else "comments start with '#'"
        return diagnostic(UNEXPECTED_CHARACTER, f"unexpected character {ch!r}", span, hint=hint)
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    width = max(1, len(str(tok)))
    span = Span.point(path, line, column, width)
    expected = _describe_expected(exc.expected)
    return diagnostic(UNEXPECTED_TOKEN, f"unexpected {_token_words(tok)}", span, hint=f"expected {expected}")


def _token_words(tok: Token) -> str:
    if tok.type == "NAME":
        return f"name '{tok}'"
    if tok.type == "STRING":
        return f"string {tok}"
    return f"'{tok}'"


def _nesting_problem(path: str, text: str) -> Diagnostic | None:
    """Reject absurd nesting before Lark and the recursive transformer see it."""
    depth = 0
    line, col = 1, 0
    in_string = in_comment = escaped = False
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
            in_comment = False
            in_string = False
        elif in_comment:
            pass
        elif in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == "#":
            in_comment = True
        elif ch == '"':
            in_string = True
        elif ch in "([{":
            depth += 1
            if depth > MAX_NESTING:
                return diagnostic(
                    TOO_LARGE,
                    f"expression nested more than {MAX_NESTING} levels deep",
                    Span.point(path, line, col),
                    hint="split the condition into simpler parts",
                )
        elif ch in ")]}":
            depth = max(0, depth - 1)
    return None


def parse_text(path: str, text: str) -> tuple[ast.Module | None, list[Diagnostic]]:
    """Parse one file's text. Returns the module, or None and the reason."""
    problem = _nesting_problem(path, text)
    if problem is not None:
        return None, [problem]
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        return None, [_syntax_diagnostic(path, text, exc)]
    try:
        try:
            module = _ToAst(path).transform(tree)
        except VisitError as wrapped:  # Lark wraps callback exceptions
            raise wrapped.orig_exc from None
    except _BadEscape as exc:
        span = Span.point(path, exc.token.line or 1, exc.token.column or 1, len(str(exc.token)))
        return None, [
            diagnostic(
                BAD_STRING,
                f"invalid escape '\\{exc.char}' in string",
                span,
                hint='use \\" or \\\\ or \\n',
            )
        ]
    except RecursionError:
        return None, [
            diagnostic(
                TOO_LARGE,
                "expression nested too deeply",
                Span.point(path, 1, 1),
                hint="split the condition into simpler parts",
            )
        ]
    return module, []
