"""Text to AST: an LALR(1) parse that builds the AST as it reduces (no parse tree).

The grammar is `grammar.lark`; Lark computes its LALR tables (stored in
`lalr_tables.json`, see dsl/lalr.py), and `dsl.lalr.Parser` drives them, calling the
methods of `_ToAst` (one per grammar rule) as Lark's inline transformer would. A text that
route cannot take is parsed again by Lark itself, so that a syntax error comes back exactly
as Lark reports it, as one Diagnostic; nothing here raises on bad input. Lark is imported
only then (and for the grammar's own tests).
"""

from __future__ import annotations

import difflib
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from fractions import Fraction
from functools import cache, partial
from itertools import accumulate, repeat
from operator import sub
from typing import TYPE_CHECKING, Any, cast

from dsl import ast, lalr
from dsl.codes import (
    BAD_ENUMERATION,
    BAD_STRING,
    TOO_LARGE,
    UNEXPECTED_CHARACTER,
    UNEXPECTED_EOF,
    UNEXPECTED_TOKEN,
    UNKNOWN_UNIT,
)
from dsl.diagnostics import Diagnostic, diagnostic, did_you_mean
from dsl.lalr import Tok as Token
from dsl.model import HIT_POLICIES, DispositionKind, WaiverTargetKind, one_of
from dsl.ops import Op
from dsl.source import Span, make_span, maker
from dsl.units import UNITS, units_text

if TYPE_CHECKING:
    from lark import Lark
    from lark import Token as LarkToken
    from lark.exceptions import UnexpectedInput

MAX_NESTING = 100
_LOCK = threading.Lock()

# What to call grammar terminals in "expected ..." hints.
_TERMINAL_NAMES: dict[str, str] = {
    "NAME": "a name",
    "STRING": 'a "string"',
    "INT": "a whole number",
    "SIGNED_NUMBER": "a number",
    "UNIT": "a unit (cm, mL/min, years, points, ...)",
    "COMPARATOR": "a comparison (==, !=, <, <=, >, >=)",
    "HIT_POLICY": "a hit policy (unique, first, priority, any)",
    "ACTION_KIND": "an action kind (imaging, procedure, referral)",
    "URGENCY": "an urgency (routine, urgent, very_urgent, emergency)",
    "DISAGREEMENT": "'disagreement'",
    "$END": "end of file",
}

_grammar = lalr.grammar_text


def _lark(*, cached: bool = True, **options: Any) -> Lark:
    from lark import Lark

    # Only the error route and the grammar's tests build a Lark parser. Its compiled tables are
    # kept (about 0.2 s to load against 0.6 s to build) in the user's own cache folder, never in
    # the shared temp folder, where another user could plant the pickle Lark would load.
    return Lark(_grammar(), parser="lalr", maybe_placeholders=False, cache=cached and _lark_cache_file(), **options)


def _lark_cache_file() -> str | bool:
    """A per-user file for Lark's compiled tables, named by Lark's version and the grammar; False
    (no cache) when there is no private folder to keep it in."""
    import hashlib

    import lark

    folder = os.environ.get("VERIPATH_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "veripath"
    )
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        owned = os.stat(folder).st_uid == os.getuid() and os.access(folder, os.W_OK)
    except OSError:
        return False
    if not owned:
        return False
    digest = hashlib.sha256(_grammar().encode("utf-8")).hexdigest()[:16]
    return os.path.join(folder, f"lark-{lark.__version__}-{digest}.pickle")


@cache
def _parser() -> Lark:
    """The grammar as a tree-building Lark parser (the grammar tests read its trees; parsing does not)."""
    return _lark(propagate_positions=True)


# Terminals the grammar names (NAME, STRING, HIT_POLICY, ...) reach the handlers; the anonymous
# ones (keywords and punctuation) are dropped, except in '!' rules, which keep every token.
_NAMED_TERMINAL = re.compile(r"^([A-Z_][A-Z0-9_]*)(?:\.\d+)?\s*:", re.MULTILINE)


def _anonymous(terminals: Iterable[str]) -> frozenset[str]:
    named = set(_NAMED_TERMINAL.findall(_grammar()))
    return frozenset(t for t in terminals if t not in named)


@cache
def _builder() -> _ToAst:
    """The one AST builder: both routes call its methods (parse_text holds _LOCK around a parse)."""
    return _ToAst(_anonymous(_tables()["terminals"]))


@cache
def _ast_parser() -> tuple[Lark, _ToAst]:
    """The grammar as a Lark parser building the AST during the LALR parse (the error route).

    Lark calls the builder's methods as it reduces; with keep_all_tokens every child,
    keywords included, reaches them, so each node's span is computed exactly as
    propagate_positions computes it on the tree.
    """
    builder = _builder()
    return _lark(transformer=builder, keep_all_tokens=True, propagate_positions=False), builder


def lalr_tables_from_lark() -> dict[str, Any]:
    """The LALR tables and scanners of grammar.lark, computed by Lark (`python -m dsl.lalr` stores them)."""
    # Built afresh: a parser loaded from Lark's cache numbers its states differently, and the stored
    # tables must be the same bytes whoever regenerates them.
    return lalr.tables_from_lark(_lark(cached=False, keep_all_tokens=True), _ToAst)


@cache
def _tables() -> dict[str, Any]:
    # Stale stored tables (the grammar changed since `python -m dsl.lalr`) are never used.
    return lalr.load_tables(_grammar()) or lalr_tables_from_lark()


@cache
def _fast() -> lalr.Parser:
    builder = _builder()
    return lalr.Parser(_tables(), builder, builder.drop)


def _span(path: str, meta: Token) -> Span:
    return make_span(
        path,
        meta.line or 1,
        meta.column or 1,
        meta.end_line or meta.line or 1,
        meta.end_column or (meta.column or 1) + 1,
    )


_make_name = ast.make_name
# Positional constructors of the nodes a large table has most of (see dsl.source.maker); called with
# keywords here, so a change in a node's fields is an error, never a silent swap.
_make_name_ref = maker(ast.NameRef)
_make_number = maker(ast.NumberLit)
_make_compare = maker(ast.Compare)
_make_in_range = maker(ast.InRange)
_make_and = maker(ast.And)
_make_not = maker(ast.Not)
_make_text = maker(ast.Text)
_make_citation = maker(ast.Citation)
_make_finish = maker(ast.Finish)
_make_rule = maker(ast.Rule)
_make_span = make_span


def _fields(cls: type, *names: str) -> None:
    """The row handlers call these makers positionally: their fields must be in this order."""
    if tuple(f.name for f in fields(cls)) != names:
        raise TypeError(f"{cls.__name__}: fields changed; update the row handlers in dsl/parser.py")


_fields(ast.Name, "span", "text")
_fields(ast.Text, "span", "value")
_fields(ast.NameRef, "span", "name")
_fields(ast.Compare, "span", "op", "left", "right")
_fields(ast.NumberLit, "span", "value", "unit")
_fields(
    ast.Rule,
    *("span", "label", "condition", "orders", "goto", "finish", "ratings", "also_rated", "unrated", "citations"),
    *("notes", "variants", "reasons"),
)
_fields(ast.InRange, "span", "name", "low", "high", "low_closed", "high_closed", "unit")
_fields(ast.Citation, "span", "source", "locator")
_fields(ast.Finish, "span", "disposition", "reason")


def _token(text: str, kind: str, line: int, column: int, end_column: int) -> Token:
    """A token of one line, as the parser makes it."""
    tok = str.__new__(Token, text)
    tok.type = kind
    tok.line = tok.end_line = line
    tok.column = column
    tok.end_column = end_column
    return tok


_ESCAPE = re.compile(r"\\(.)")
_OPS: dict[str, Op] = {op.value: op for op in Op}
_FRACTIONS: dict[str, Fraction] = {}  # a number's text -> its value (tables repeat their thresholds)


def _fraction(text: str) -> Fraction:
    """The value of a number token (`12`, `-0.5`, `2161/60`); Fractions are immutable, so shared."""
    value = _FRACTIONS.get(text)
    if value is None:
        if len(_FRACTIONS) > 4096:
            _FRACTIONS.clear()
        value = _FRACTIONS[text] = Fraction(text)
    return value


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


class _TooDeep(Exception):
    """An expression nests deeper than MAX_NESTING without brackets ('not not not ...')."""


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


# Where a reduction's text starts and ends: (line, column, end_line, end_column), as Lark's
# propagate_positions computes it (first to last child, keywords and punctuation included).
_Pos = tuple[int | None, int | None, int | None, int | None]  # Lark types token positions as optional


class _Val:
    """A value on Lark's stack, with the extent of the text it was reduced from.

    The extent is Lark's "container" (for `( expr )` the parentheses count, while the node
    inside keeps its own span), so parents get exactly the spans the tree route gave them.
    """

    __slots__ = ("column", "end_column", "end_line", "line", "value")

    def __init__(
        self, value: Any, line: int | None, column: int | None, end_line: int | None, end_column: int | None
    ) -> None:
        self.value = value
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column


_Child = Token | _Val
_KEEP_ALL: frozenset[str] = frozenset()
_Handler = Callable[["_ToAst", _Pos, list[Any]], Any]
_Callback = Callable[["_ToAst", list[_Child]], _Val]


def _rule(handler: _Handler, *, keep_all: bool = False) -> _Callback:
    """Turn `handler(pos, items)` into the callback Lark calls on a reduction.

    Lark passes every child (keep_all_tokens): the position comes from the first and the
    last, then keywords and punctuation are dropped and stacked values unwrapped, so the
    handler sees what a Transformer saw on the tree.
    """

    def callback(self: _ToAst, children: list[_Child]) -> _Val:
        first = children[0]
        last = children[-1]
        line, column, end_line, end_column = first.line, first.column, last.end_line, last.end_column
        drop = _KEEP_ALL if keep_all else self.drop
        items = [c.value if c.__class__ is _Val else c for c in children if c.__class__ is _Val or c.type not in drop]  # type: ignore[union-attr]
        value = handler(self, (line, column, end_line, end_column), items)
        return _Val(value, line, column, end_line, end_column)

    callback.__name__ = handler.__name__
    # dsl.lalr.Parser calls the handler itself, with the extent and the items it computes the same way.
    callback.handler = handler  # type: ignore[attr-defined]
    callback.keep_all = keep_all  # type: ignore[attr-defined]
    return callback


class _ToAst:
    """Builds the AST during the LALR parse: one method per grammar rule (or alias), called on
    each reduction (no tree)."""

    def __init__(self, drop: frozenset[str]) -> None:
        self.path = ""
        self.drop = drop  # anonymous terminals (keywords, punctuation) that carry no value
        self.bad_escape: _BadEscape | None = None
        self.problems: list[Diagnostic] = []  # found while building; reported after the parse

    # -- helpers -----------------------------------------------------------
    def _at(self, pos: _Pos) -> Span:
        line, column, end_line, end_column = pos
        return make_span(self.path, line or 1, column or 1, end_line or line or 1, end_column or (column or 1) + 1)

    def _name(self, tok: Token) -> ast.Name:
        line = tok.line or 1
        column = tok.column or 1
        span = make_span(self.path, line, column, tok.end_line or line, tok.end_column or column + 1)
        return _make_name(span, str(tok))

    def _text(self, tok: Token) -> ast.Text:
        if "\\" not in tok:
            value = str(tok)[1:-1]
        else:
            try:
                value = _unescape(tok)
            except _BadEscape as exc:  # reported after the parse, so a syntax error still wins
                if self.bad_escape is None:
                    self.bad_escape = exc
                value = str(tok)
        return _make_text(span=_span(self.path, tok), value=value)

    def _names(self, items: list[Any]) -> tuple[ast.Name, ...]:
        name = self._name
        return tuple([name(t) for t in items if getattr(t, "type", None) == "NAME"])

    # -- the handlers a compiled row calls (dsl.lalr: `row_<rule>`) ---------------------------
    # Each builds what the handler of the same rule builds, from the extent (line, column, end line,
    # end column) and the items, each token given as its text, line, column and end column.
    def _row_name(self, text: str, line: int, column: int, end_column: int) -> ast.Name:
        return _make_name(_make_span(self.path, line, column, line, end_column), text)

    def _row_text(self, text: str, line: int, column: int, end_column: int) -> ast.Text:
        if "\\" in text:  # escapes are unescaped (and a bad one is noted) as for any token
            return self._text(_token(text, "STRING", line, column, end_column))
        return _make_text(_make_span(self.path, line, column, line, end_column), text[1:-1])

    def row_name_operand(self, l1: int, c1: int, l2: int, c2: int, text: str, line: int, c: int, e: int) -> Any:
        if text == "true" or text == "false":
            return ast.BoolLit(value=text == "true", span=_make_span(self.path, l1, c1, l2, c2))
        span = _make_span(self.path, line, c, line, e)
        return _make_name_ref(span, _make_name(span, text))

    def row_number(self, l1: int, c1: int, l2: int, c2: int, text: str, line: int, c: int, e: int) -> Fraction:
        value = _FRACTIONS.get(text)
        return _fraction(text) if value is None else value

    def row_range_low(self, l1: int, c1: int, l2: int, c2: int, text: str, line: int, c: int, e: int) -> str:
        return str(text)

    row_range_high = row_range_low

    def row_unit(self, l1: int, c1: int, l2: int, c2: int, text: str, line: int, c: int, e: int) -> ast.Name:
        return self._row_name(text, line, c, e)

    row_rule_label = row_goto = row_order_action = row_unit

    def row_unrated(self, l1: int, c1: int, l2: int, c2: int, text: str, line: int, c: int, e: int) -> Any:
        return ("unrated", self._row_text(text, line, c, e))

    def row_note(self, l1: int, c1: int, l2: int, c2: int, text: str, line: int, c: int, e: int) -> Any:
        return ("note", self._row_text(text, line, c, e))

    def row_cite(self, l1: int, c1: int, l2: int, c2: int, *items: Any) -> ast.Citation:
        locator = self._row_text(*items[4:8]) if len(items) > 4 else None
        return _make_citation(_make_span(self.path, l1, c1, l2, c2), self._row_name(*items[:4]), locator)

    row_example_cite = row_cite

    def row_finish(self, l1: int, c1: int, l2: int, c2: int, *items: Any) -> ast.Finish:
        reason = self._row_text(*items[4:8]) if len(items) > 4 else None
        return _make_finish(_make_span(self.path, l1, c1, l2, c2), self._row_name(*items[:4]), reason)

    def row_number_operand(self, l1: int, c1: int, l2: int, c2: int, value: Fraction, unit: Any = None) -> Any:
        return _make_number(_make_span(self.path, l1, c1, l2, c2), value, unit)

    def row_guard_when(self, l1: int, c1: int, l2: int, c2: int, condition: ast.Expr) -> tuple[str, ast.Expr]:
        return ("when", condition)

    def row_or_(self, l1: int, c1: int, l2: int, c2: int, *items: Any) -> Any:
        if len(items) == 1:  # (only a rule without repetition is called so: one operand)
            return items[0]
        return self.or_.handler(self, (l1, c1, l2, c2), list(items))  # type: ignore[attr-defined]

    def row_and_(self, l1: int, c1: int, l2: int, c2: int, *items: Any) -> Any:
        if len(items) == 1:
            return items[0]
        return self.and_.handler(self, (l1, c1, l2, c2), list(items))  # type: ignore[attr-defined]

    def row_outcome(self, l1: int, c1: int, l2: int, c2: int, *items: Any) -> Any:
        return self.outcome.handler(self, (l1, c1, l2, c2), items)  # type: ignore[attr-defined]

    def row_member(self, l1: int, c1: int, l2: int, c2: int, *tokens: Any) -> ast.Expression:
        name = self._row_name
        names = [name(*tokens[i : i + 4]) for i in range(0, len(tokens), 4)]
        return ast.Member(
            name=names[0], values=tuple(names[1:]), negated=False, span=_make_span(self.path, l1, c1, l2, c2)
        )

    def row_not_member(self, l1: int, c1: int, l2: int, c2: int, *tokens: Any) -> ast.Expression:
        name = self._row_name
        names = [name(*tokens[i : i + 4]) for i in range(0, len(tokens), 4)]
        return ast.Member(
            name=names[0], values=tuple(names[1:]), negated=True, span=_make_span(self.path, l1, c1, l2, c2)
        )

    def row_compare(self, l1: int, c1: int, l2: int, c2: int, left: Any, op: str, *rest: Any) -> ast.Expression:
        return _make_compare(_make_span(self.path, l1, c1, l2, c2), _OPS[op], left, rest[3])

    def row_in_range(self, l1: int, c1: int, l2: int, c2: int, *items: Any) -> ast.Expression:
        text, line, c, e, lb, low, high, rb, *unit = items
        return _make_in_range(
            _make_span(self.path, l1, c1, l2, c2),
            self._row_name(text, line, c, e),
            low,
            high,
            lb == "[",
            rb == "]",
            unit[0] if unit else None,
        )

    @_rule
    def paren(self, pos: _Pos, items: list[Any]) -> Any:
        """`( expr )`: the expression itself; its extent (for the parent's span) takes in the parentheses."""
        return items[0]

    # -- tokens ---------------------------------------------------------------
    @_rule
    def number(self, pos: _Pos, items: list[Token]) -> Fraction:
        return _fraction(str(items[0]))

    @_rule
    def unit(self, pos: _Pos, items: list[Token]) -> ast.Name:
        return self._name(items[0])

    # -- file -----------------------------------------------------------------
    @_rule
    def start(self, pos: _Pos, items: list[Any]) -> ast.Module:
        header, *decls = items
        return ast.Module(path=self.path, header=header, decls=tuple(decls), span=self._at(pos))

    @_rule
    def guideline_header(self, pos: _Pos, items: list[Token]) -> ast.Header:
        name, title, version = items
        return ast.Header(
            kind="guideline",
            name=self._name(name),
            title=self._text(title),
            version=self._text(version),
            span=self._at(pos),
        )

    @_rule
    def catalogue_header(self, pos: _Pos, items: list[Token]) -> ast.Header:
        name, title = items
        return ast.Header(
            kind="catalogue",
            name=self._name(name),
            title=self._text(title),
            version=None,
            span=self._at(pos),
        )

    @_rule
    def import_decl(self, pos: _Pos, items: list[Token]) -> ast.ImportDecl:
        return ast.ImportDecl(path=self._text(items[0]), span=self._at(pos))

    @_rule
    def source_decl(self, pos: _Pos, items: list[Token]) -> ast.SourceDecl:
        url = self._text(items[2]) if len(items) > 2 else None
        return ast.SourceDecl(name=self._name(items[0]), title=self._text(items[1]), url=url, span=self._at(pos))

    # -- inputs -----------------------------------------------------------------
    @_rule
    def input_decl(self, pos: _Pos, items: list[Any]) -> ast.InputDecl:
        name = self._name(items[0])
        title = self._text(items[1]) if len(items) == 3 else None
        return ast.InputDecl(name=name, title=title, type=items[-1], span=self._at(pos))

    @_rule
    def bool_type(self, pos: _Pos, items: list[Any]) -> ast.BoolTypeSpec:
        return ast.BoolTypeSpec(span=self._at(pos))

    def _number_type(self, pos: _Pos, items: list[Any], integer: bool) -> ast.NumberTypeSpec:
        unit = items[2] if len(items) > 2 else None
        return ast.NumberTypeSpec(integer=integer, low=items[0], high=items[1], unit=unit, span=self._at(pos))

    @_rule
    def number_type(self, pos: _Pos, items: list[Any]) -> ast.NumberTypeSpec:
        return self._number_type(pos, items, integer=False)

    @_rule
    def integer_type(self, pos: _Pos, items: list[Any]) -> ast.NumberTypeSpec:
        return self._number_type(pos, items, integer=True)

    @partial(_rule, keep_all=True)  # the '|' tokens tell a trailing '|' apart
    def enum_type(self, pos: _Pos, items: list[Token]) -> ast.EnumTypeSpec:
        span = self._at(pos)
        self._check_enumeration(items, span, "(superficial | deep), or declare a yes/no input as 'bool'")
        return ast.EnumTypeSpec(values=self._names(items), span=span)

    @partial(_rule, keep_all=True)  # the '|' tokens tell a trailing '|' apart
    def finding_enum(self, pos: _Pos, items: list[Token]) -> ast.EnumTypeSpec:
        span = self._at(pos)
        self._check_enumeration(items, span, "(benign | suspicious)")
        return ast.EnumTypeSpec(values=self._names(items), span=span)

    def _check_enumeration(self, items: list[Token], span: Span, example: str) -> None:
        """Report (after the parse) an enumeration with one value or ending with '|' (VP118)."""
        names = [t for t in items if t.type == "NAME"]
        if len(names) < 2:
            self.problems.append(
                diagnostic(
                    BAD_ENUMERATION,
                    f"an enumeration needs two or more values; this one has only '{names[0]}'",
                    span,
                    hint=f"separate the values with '|' {example}",
                )
            )
        elif str(items[-1]) == "|":
            self.problems.append(
                diagnostic(
                    BAD_ENUMERATION,
                    "the enumeration ends with '|'",
                    _span(self.path, items[-1]),
                    hint="add the value that follows the '|', or delete the '|'",
                )
            )

    @_rule
    def assume_decl(self, pos: _Pos, items: list[Any]) -> ast.AssumeDecl:
        title = self._text(items[0]) if len(items) == 2 else None
        return ast.AssumeDecl(title=title, expr=items[-1], span=self._at(pos))

    @_rule
    def define_decl(self, pos: _Pos, items: list[Any]) -> ast.DefineDecl:
        title = self._text(items[1]) if len(items) == 3 else None
        return ast.DefineDecl(name=self._name(items[0]), title=title, expr=items[-1], span=self._at(pos))

    # -- actions ------------------------------------------------------------------
    @_rule
    def action_decl(self, pos: _Pos, items: list[Any]) -> ast.ActionDecl:
        return ast.ActionDecl(
            name=self._name(items[0]),
            title=self._text(items[1]),
            attrs=tuple(items[2:]),
            span=self._at(pos),
        )

    def _attr(self, pos: _Pos, key: str, value: str | None, amount: Fraction | None = None) -> ast.ActionAttr:
        return ast.ActionAttr(key=key, value=value, amount=amount, span=self._at(pos))

    @_rule
    def attr_kind(self, pos: _Pos, items: list[Token]) -> ast.ActionAttr:
        return self._attr(pos, "kind", str(items[0]))

    @_rule
    def attr_modality(self, pos: _Pos, items: list[Token]) -> ast.ActionAttr:
        return self._attr(pos, "modality", str(items[0]))

    @_rule
    def attr_contrast(self, pos: _Pos, items: list[Token]) -> ast.ActionAttr:
        return self._attr(pos, "contrast", str(items[0]))

    @_rule
    def attr_cross_sectional(self, pos: _Pos, items: list[Token]) -> ast.ActionAttr:
        return self._attr(pos, "cross_sectional", None)

    @_rule
    def attr_radiation(self, pos: _Pos, items: list[Token]) -> ast.ActionAttr:
        return self._attr(pos, "radiation", str(items[0]))

    @_rule
    def attr_peds_radiation(self, pos: _Pos, items: list[Token]) -> ast.ActionAttr:
        return self._attr(pos, "pediatric_radiation", str(items[0]))

    @_rule
    def attr_within(self, pos: _Pos, items: list[Any]) -> ast.ActionAttr:
        return self._attr(pos, "within", items[1].text, items[0])

    @_rule
    def attr_urgency(self, pos: _Pos, items: list[Token]) -> ast.ActionAttr:
        return self._attr(pos, "urgency", str(items[0]))

    @_rule
    def finding_decl(self, pos: _Pos, items: list[Any]) -> ast.FindingDecl:
        title = None
        rest = list(items)
        name = rest.pop(0)
        if rest and rest[0].type == "STRING":
            title = self._text(rest.pop(0))
        action, spec = rest
        return ast.FindingDecl(
            name=self._name(name),
            title=title,
            action=self._name(action),
            type=spec,
            span=self._at(pos),
        )

    # -- dispositions ---------------------------------------------------------------
    @_rule
    def disposition_decl(self, pos: _Pos, items: list[Any]) -> ast.DispositionDecl:
        name, title, (kind, amount, unit) = items
        return ast.DispositionDecl(
            name=self._name(name),
            title=self._text(title),
            kind=kind,
            amount=amount,
            unit=unit,
            span=self._at(pos),
        )

    @_rule
    def disp_reassure(self, pos: _Pos, items: list[Any]) -> tuple[DispositionKind, None, None]:
        return ("reassure", None, None)

    @_rule
    def disp_uncovered(self, pos: _Pos, items: list[Any]) -> tuple[DispositionKind, None, None]:
        return ("uncovered", None, None)

    @_rule
    def disp_discharge(self, pos: _Pos, items: list[Any]) -> tuple[DispositionKind, None, None]:
        return ("discharge", None, None)

    @_rule
    def disp_follow_up(self, pos: _Pos, items: list[Any]) -> tuple[DispositionKind, Fraction, ast.Name]:
        return ("follow_up", items[0], items[1])

    @_rule
    def disp_refer(self, pos: _Pos, items: list[Any]) -> tuple[DispositionKind, Fraction | None, ast.Name | None]:
        if items:
            return ("refer", items[0], items[1])
        return ("refer", None, None)

    @_rule
    def start_decl(self, pos: _Pos, items: list[Token]) -> ast.StartDecl:
        return ast.StartDecl(decision=self._name(items[0]), span=self._at(pos))

    # -- decisions ---------------------------------------------------------------------
    @_rule
    def decision_decl(self, pos: _Pos, items: list[Any]) -> ast.DecisionDecl:
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
            span=self._at(pos),
        )

    @_rule
    def max_visits(self, pos: _Pos, items: list[Token]) -> int:
        return int(items[0])

    @_rule
    def rule_label(self, pos: _Pos, items: list[Token]) -> ast.Name:
        return self._name(items[0])

    @_rule
    def guard_when(self, pos: _Pos, items: list[Any]) -> tuple[str, ast.Expr]:
        return ("when", items[0])

    @_rule
    def guard_otherwise(self, pos: _Pos, items: list[Any]) -> tuple[str, None]:
        return ("otherwise", None)

    @_rule
    def rule(self, pos: _Pos, items: list[Any]) -> ast.Rule:
        label = None
        if isinstance(items[0], ast.Name):
            label = items.pop(0)
        (_, condition) = items[0]
        orders, goto, finish = items[1]
        # the metas by kind, in their order (one pass: a table's rows carry a few each)
        ratings: tuple[ast.Rating, ...] = ()
        also: tuple[ast.Rating, ...] = ()
        unrated: tuple[ast.Text, ...] = ()
        citations: tuple[ast.Citation, ...] = ()
        notes: tuple[ast.Text, ...] = ()
        variants: tuple[ast.Name, ...] = ()
        reasons: tuple[ast.OrderReason, ...] = ()
        for meta in items[2:]:
            if isinstance(meta, tuple):
                tag = meta[0]
                if tag == "unrated":
                    unrated += (meta[1],)
                elif tag == "also":
                    also += meta[1]
                elif tag == "note":
                    notes += (meta[1],)
                elif tag == "variant":
                    variants += (meta[1],)
            elif isinstance(meta, ast.Citation):
                citations += (meta,)
            elif isinstance(meta, ast.Rating):
                ratings += (meta,)
            elif isinstance(meta, ast.OrderReason):
                reasons += (meta,)
        return _make_rule(
            self._at(pos),
            label,
            condition,
            orders,
            goto,
            finish,
            ratings,
            also,
            unrated,
            citations,
            notes,
            variants,
            reasons,
        )

    @_rule
    def outcome(
        self, pos: _Pos, items: list[Any]
    ) -> tuple[tuple[ast.OrderItem, ...], ast.Name | None, ast.Finish | None]:
        orders: tuple[ast.OrderItem, ...] = ()
        goto = finish = None
        for item in items:
            if isinstance(item, tuple):
                orders = item
            elif isinstance(item, ast.Finish):
                finish = item
            else:
                goto = item
        return orders, goto, finish

    @_rule
    def orders(self, pos: _Pos, items: list[ast.OrderItem]) -> tuple[ast.OrderItem, ...]:
        return tuple(items)

    @_rule
    def order_action(self, pos: _Pos, items: list[Token]) -> ast.Name:
        return self._name(items[0])

    @_rule
    def order_choice(self, pos: _Pos, items: list[ast.Option]) -> ast.Choice:
        return ast.Choice(options=tuple(items), span=self._at(pos))

    @_rule
    def option_action(self, pos: _Pos, items: list[Token]) -> ast.Option:
        return ast.Option(actions=self._names(items), span=self._at(pos))

    option_sequence = option_action

    @_rule
    def goto(self, pos: _Pos, items: list[Token]) -> ast.Name:
        return self._name(items[0])

    @_rule
    def finish(self, pos: _Pos, items: list[Token]) -> ast.Finish:
        reason = self._text(items[1]) if len(items) > 1 else None
        return _make_finish(span=self._at(pos), disposition=self._name(items[0]), reason=reason)

    @_rule
    def rated(self, pos: _Pos, items: list[ast.Rating]) -> ast.Rating:
        return replace(items[0], span=self._at(pos))  # from the keyword 'rated', as before

    @_rule
    def also_rated(self, pos: _Pos, items: list[ast.Rating]) -> tuple[str, tuple[ast.Rating, ...]]:
        return ("also", tuple(items))

    def _rating(self, pos: _Pos, items: list[Token], named: bool) -> ast.Rating:
        names = [t for t in items if t.type == "NAME"]
        score = next((int(t) for t in items if t.type == "INT"), None)
        return ast.Rating(
            action=self._name(names[0]) if named else None,
            category=self._name(names[-1]),
            score=score,
            disagreement=any(t.type == "DISAGREEMENT" for t in items),
            span=self._at(pos),
        )

    @_rule
    def rating_category(self, pos: _Pos, items: list[Token]) -> ast.Rating:
        return self._rating(pos, items, named=False)

    @_rule
    def rating_named(self, pos: _Pos, items: list[Token]) -> ast.Rating:
        return self._rating(pos, items, named=True)

    also_item = rating_named

    @_rule
    def in_variant(self, pos: _Pos, items: list[Token]) -> tuple[str, ast.Name]:
        return ("variant", self._name(items[0]))

    @_rule
    def ordered_because(self, pos: _Pos, items: list[Token]) -> ast.OrderReason:
        action, reason, source, *locator = items
        citation = ast.Citation(
            source=self._name(source),
            locator=self._text(locator[0]) if locator else None,
            span=self._at((source.line, source.column, items[-1].end_line, items[-1].end_column)),
        )
        return ast.OrderReason(
            action=self._name(action), reason=self._text(reason), citation=citation, span=self._at(pos)
        )

    @_rule
    def unrated(self, pos: _Pos, items: list[Token]) -> tuple[str, ast.Text]:
        return ("unrated", self._text(items[0]))

    @_rule
    def note(self, pos: _Pos, items: list[Token]) -> tuple[str, ast.Text]:
        return ("note", self._text(items[0]))

    @_rule
    def cite(self, pos: _Pos, items: list[Token]) -> ast.Citation:
        locator = self._text(items[1]) if len(items) > 1 else None
        return _make_citation(span=self._at(pos), source=self._name(items[0]), locator=locator)

    example_cite = cite

    # -- variants --------------------------------------------------------------------------
    @_rule
    def variant_decl(self, pos: _Pos, items: list[Any]) -> ast.VariantDecl:
        name, title, *metas = items
        return ast.VariantDecl(
            name=self._name(name),
            title=self._text(title),
            ratings=tuple(m for m in metas if isinstance(m, ast.Rating)),
            citations=tuple(m for m in metas if isinstance(m, ast.Citation)),
            notes=tuple(m[1] for m in metas if isinstance(m, tuple) and m[0] == "note"),
            span=self._at(pos),
        )

    @_rule
    def variant_rated(self, pos: _Pos, items: list[ast.Rating]) -> ast.Rating:
        return replace(items[0], span=self._at(pos))  # from the keyword 'rated', as on a rule

    # -- expressions ------------------------------------------------------------------------
    @_rule
    def implies(self, pos: _Pos, items: list[ast.Expression]) -> ast.Expression:
        return ast.Implies(left=items[0], right=items[1], span=self._at(pos))

    @_rule
    def or_(self, pos: _Pos, items: list[ast.Expression]) -> ast.Expression:
        if len(items) == 1:  # an aliased '?' rule still calls us for one child
            return items[0]
        return ast.Or(operands=tuple(items), span=self._at(pos))

    @_rule
    def and_(self, pos: _Pos, items: list[ast.Expression]) -> ast.Expression:
        if len(items) == 1:
            return items[0]
        return _make_and(span=self._at(pos), operands=tuple(items))

    @_rule
    def not_(self, pos: _Pos, items: list[ast.Expression]) -> ast.Expression:
        # A chain of 'not's nests without brackets, so _nesting_problem cannot see it; the
        # passes after the parser recurse on it, so it has the same limit as brackets.
        inner, depth = items[0], 1
        while isinstance(inner, ast.Not):
            inner, depth = inner.operand, depth + 1
            if depth > MAX_NESTING:
                raise _TooDeep
        return _make_not(span=self._at(pos), operand=items[0])

    @_rule
    def name_operand(self, pos: _Pos, items: list[Token]) -> ast.Expression:
        # Where the contextual lexer does not expect the keywords, 'true'/'false' arrive as a NAME.
        word = items[0]
        if word == "true" or word == "false":
            return ast.BoolLit(value=word == "true", span=self._at(pos))
        name = self._name(word)
        return _make_name_ref(span=name.span, name=name)  # the reference is the name: one span for both

    @_rule
    def true_lit(self, pos: _Pos, items: list[Token]) -> ast.Expression:
        return ast.BoolLit(value=True, span=self._at(pos))

    @_rule
    def false_lit(self, pos: _Pos, items: list[Token]) -> ast.Expression:
        return ast.BoolLit(value=False, span=self._at(pos))

    @_rule
    def number_operand(self, pos: _Pos, items: list[Any]) -> ast.Expression:
        unit = items[1] if len(items) > 1 else None
        return _make_number(span=self._at(pos), value=items[0], unit=unit)

    def _arith(self, pos: _Pos, items: list[Any], op: ast.ArithOp) -> ast.Expression:
        return ast.Arith(op=op, left=items[0], right=items[1], span=self._at(pos))

    @_rule
    def add(self, pos: _Pos, items: list[Any]) -> ast.Expression:
        return self._arith(pos, items, "+")

    @_rule
    def sub(self, pos: _Pos, items: list[Any]) -> ast.Expression:
        return self._arith(pos, items, "-")

    @_rule
    def mul(self, pos: _Pos, items: list[Any]) -> ast.Expression:
        return self._arith(pos, items, "*")

    @_rule
    def div(self, pos: _Pos, items: list[Any]) -> ast.Expression:
        return self._arith(pos, items, "/")

    @_rule
    def neg(self, pos: _Pos, items: list[Any]) -> ast.Expression:
        return ast.Neg(operand=items[0], span=self._at(pos))

    @_rule
    def compare(self, pos: _Pos, items: list[Any]) -> ast.Expression:
        return _make_compare(span=self._at(pos), op=_OPS[items[1]], left=items[0], right=items[2])

    @_rule
    def member(self, pos: _Pos, items: list[Token]) -> ast.Expression:
        names = self._names(items)
        return ast.Member(name=names[0], values=names[1:], negated=False, span=self._at(pos))

    @_rule
    def not_member(self, pos: _Pos, items: list[Token]) -> ast.Expression:
        names = self._names(items)
        return ast.Member(name=names[0], values=names[1:], negated=True, span=self._at(pos))

    @partial(_rule, keep_all=True)  # '!range_low': the bracket is the value
    def range_low(self, pos: _Pos, items: list[Token]) -> str:
        return str(items[0])

    range_high = range_low

    @_rule
    def in_range(self, pos: _Pos, items: list[Any]) -> ast.Expression:
        name, lb, low, high, rb, *unit = items
        return _make_in_range(
            span=self._at(pos),
            name=self._name(name),
            low=low,
            high=high,
            low_closed=lb == "[",
            high_closed=rb == "]",
            unit=unit[0] if unit else None,
        )

    # -- properties ------------------------------------------------------------------------
    @_rule
    def property_decl(self, pos: _Pos, items: list[Any]) -> ast.PropertyDecl:
        title = self._text(items[1]) if len(items) == 3 else None
        return ast.PropertyDecl(name=self._name(items[0]), title=title, body=items[-1], span=self._at(pos))

    @staticmethod
    def _condition(items: list[Any]) -> ast.Expression | None:
        """The `when C` of a property form that may have one (its first item), else None."""
        # The first item is the condition when it is an expression node (every one is an ast.Expr).
        return cast("ast.Expression", items[0]) if items and isinstance(items[0], ast.Expr) else None

    @_rule
    def prop_never_before(self, pos: _Pos, items: list[Any]) -> ast.PropertyBody:
        target, other = items[-2:]
        cond = self._condition(items)
        return ast.PropertyBody(kind="never_before", condition=cond, target=target, other=other, span=self._at(pos))

    @_rule
    def prop_always_before(self, pos: _Pos, items: list[Any]) -> ast.PropertyBody:
        target, other = items[-2:]
        cond = self._condition(items)
        return ast.PropertyBody(kind="always_before", condition=cond, target=target, other=other, span=self._at(pos))

    @_rule
    def prop_never_end(self, pos: _Pos, items: list[Any]) -> ast.PropertyBody:
        cond = self._condition(items)
        return ast.PropertyBody(kind="never_end", condition=cond, ends=items[-1], span=self._at(pos))

    @_rule
    def prop_always_end(self, pos: _Pos, items: list[Any]) -> ast.PropertyBody:
        cond = self._condition(items)
        return ast.PropertyBody(kind="always_end", condition=cond, ends=items[-1], span=self._at(pos))

    @_rule
    def prop_eventually(self, pos: _Pos, items: list[Any]) -> ast.PropertyBody:
        return ast.PropertyBody(kind="eventually", condition=items[0], target=items[1], span=self._at(pos))

    @_rule
    def prop_when_never(self, pos: _Pos, items: list[Any]) -> ast.PropertyBody:
        return ast.PropertyBody(kind="when_never", condition=items[0], target=items[1], span=self._at(pos))

    @_rule
    def prop_never(self, pos: _Pos, items: list[Any]) -> ast.PropertyBody:
        return ast.PropertyBody(kind="never", target=items[0], span=self._at(pos))

    @_rule
    def prop_always_ends(self, pos: _Pos, items: list[Any]) -> ast.PropertyBody:
        return ast.PropertyBody(kind="always_ends", span=self._at(pos))

    @_rule
    def prop_no_repeat(self, pos: _Pos, items: list[Token]) -> ast.PropertyBody:
        return ast.PropertyBody(kind="no_repeat", exceptions=self._names(items), span=self._at(pos))

    @_rule
    def prop_max_steps(self, pos: _Pos, items: list[Token]) -> ast.PropertyBody:
        return ast.PropertyBody(kind="max_steps", bound=int(items[0]), span=self._at(pos))

    @_rule
    def set_action(self, pos: _Pos, items: list[Token]) -> ast.ActionSet:
        return ast.ActionSet(kind="action", names=self._names(items), span=self._at(pos))

    @_rule
    def set_attribute(self, pos: _Pos, items: list[Token]) -> ast.ActionSet:
        return ast.ActionSet(kind="attribute", names=self._names(items), span=self._at(pos))

    @_rule
    def set_modality(self, pos: _Pos, items: list[Token]) -> ast.ActionSet:
        return ast.ActionSet(kind="modality", names=self._names(items), span=self._at(pos))

    @_rule
    def set_list(self, pos: _Pos, items: list[Token]) -> ast.ActionSet:
        return ast.ActionSet(kind="list", names=self._names(items), span=self._at(pos))

    @_rule
    def dset_name(self, pos: _Pos, items: list[Token]) -> ast.DispositionSet:
        return ast.DispositionSet(kind="name", names=self._names(items), span=self._at(pos))

    @_rule
    def dset_kind(self, pos: _Pos, items: list[Token]) -> ast.DispositionSet:
        return ast.DispositionSet(kind="kind", names=self._names(items), span=self._at(pos))

    @_rule
    def dset_list(self, pos: _Pos, items: list[Token]) -> ast.DispositionSet:
        return ast.DispositionSet(kind="list", names=self._names(items), span=self._at(pos))

    # -- examples -----------------------------------------------------------------------------
    @_rule
    def example_decl(self, pos: _Pos, items: list[Any]) -> ast.ExampleDecl:
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
            span=self._at(pos),
        )

    @_rule
    def assignment(self, pos: _Pos, items: list[Any]) -> ast.Assignment:
        return ast.Assignment(name=self._name(items[0]), value=items[1], later=tuple(items[2:]), span=self._at(pos))

    @_rule
    def value_name(self, pos: _Pos, items: list[Token]) -> ast.Value:
        return ast.Value(kind="name", name=self._name(items[0]), span=self._at(pos))

    @_rule
    def value_true(self, pos: _Pos, items: list[Token]) -> ast.Value:
        return ast.Value(kind="bool", flag=True, span=self._at(pos))

    @_rule
    def value_false(self, pos: _Pos, items: list[Token]) -> ast.Value:
        return ast.Value(kind="bool", flag=False, span=self._at(pos))

    @_rule
    def value_number(self, pos: _Pos, items: list[Any]) -> ast.Value:
        unit = items[1] if len(items) > 1 else None
        return ast.Value(kind="number", number=items[0], unit=unit, span=self._at(pos))

    @_rule
    def expected_orders(self, pos: _Pos, items: list[Token]) -> tuple[ast.Name, ...]:
        return self._names(items)

    @_rule
    def expected_no_orders(self, pos: _Pos, items: list[Token]) -> tuple[ast.Name, ...]:
        return ()

    # -- waivers ------------------------------------------------------------------------------
    @_rule
    def waive_decl(self, pos: _Pos, items: list[Any]) -> ast.WaiveDecl:
        code, (kind, target, rules), reason = items
        return ast.WaiveDecl(
            code=self._name(code),
            target_kind=kind,
            target=target,
            rules=rules,
            reason=self._text(reason),
            span=self._at(pos),
        )

    @_rule
    def waive_decision(self, pos: _Pos, items: list[Any]) -> tuple[WaiverTargetKind, ast.Name, tuple[ast.Name, ...]]:
        rules = items[1] if len(items) > 1 else ()
        return ("decision", self._name(items[0]), rules)

    @_rule
    def waive_action(self, pos: _Pos, items: list[Token]) -> tuple[WaiverTargetKind, ast.Name, tuple[ast.Name, ...]]:
        return ("action", self._name(items[0]), ())

    @_rule
    def waive_disposition(
        self, pos: _Pos, items: list[Token]
    ) -> tuple[WaiverTargetKind, ast.Name, tuple[ast.Name, ...]]:
        return ("disposition", self._name(items[0]), ())

    @_rule
    def waive_rules(self, pos: _Pos, items: list[Token]) -> tuple[ast.Name, ...]:
        return self._names(items)


def _describe_expected(expected: set[str] | frozenset[str]) -> str:
    names = sorted({_TERMINAL_NAMES.get(t, _keyword(t)) for t in expected})
    if len(names) > 8:
        names = [*names[:8], "..."]
    return ", ".join(names)


def _keyword(terminal: str) -> str:
    lark, _ = _ast_parser()
    for term in lark.terminals:
        if term.name == terminal:
            pattern = term.pattern
            if pattern.type == "str":
                return f"'{pattern.value}'"
    return terminal.lower()


def _syntax_diagnostic(path: str, text: str, exc: UnexpectedInput) -> Diagnostic:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

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
        return diagnostic(UNEXPECTED_CHARACTER, f"unexpected character {ch!r}", span, hint=_character_hint(ch))
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    unit = _unknown_unit(text, tok, exc.expected)
    if unit is not None:
        return diagnostic(
            UNKNOWN_UNIT,
            f"unknown unit '{unit}'",
            Span.point(path, line, column, len(unit)),
            hint=f"{(did_you_mean(unit, list(UNITS)) or '') + ' '}the units are: {units_text()}".lstrip(),
        )
    width = max(1, len(str(tok)))
    span = Span.point(path, line, column, width)
    expected = _describe_expected(exc.expected)
    return diagnostic(UNEXPECTED_TOKEN, f"unexpected {_token_words(tok)}", span, hint=f"expected {expected}")


# Characters that word processors and other notations put where the language has an ASCII
# operator: what to write instead.
_LOOKALIKES: dict[str, str] = {
    "\u2265": ">=",  # ≥
    "\u2264": "<=",  # ≤
    "\u2260": "!=",  # ≠
    "\u2192": "implies",  # →
    "\u21d2": "implies",  # ⇒
    "\u00ac": "not",  # ¬
    "\u2227": "and",  # ∧
    "\u2228": "or",  # ∨
    "\u2208": "in",  # ∈
    "\u2209": "not in",  # ∉
    "\u2212": "-",  # − (minus sign)
}
_QUOTES = "'\u2018\u2019\u201c\u201d\u201e\u00ab\u00bb"


def _character_hint(ch: str) -> str:
    """What to write instead of a character no token starts with."""
    if ch in _LOOKALIKES:
        return f"write '{_LOOKALIKES[ch]}' for '{ch}': operators are written in plain ASCII"
    if ch in _QUOTES:
        return 'strings use straight double quotes (")'
    if ch in "\u00a0\u2007\u202f\u2009\u200b\ufeff":
        return "a non-breaking or invisible space: retype it as an ordinary space"
    if not ch.isascii():
        return "names, numbers and operators are plain ASCII; other characters belong in strings or comments"
    return "comments start with '#'"


_UNIT_WORD = re.compile(r"[A-Za-z_%][A-Za-z0-9_/.%]*")


def _unknown_unit(text: str, tok: LarkToken, expected: set[str] | frozenset[str]) -> str | None:
    """The word after a number where a unit may stand, when it is meant as a unit (`5 furlongs`,
    `2 mg/dl`); None for a misspelt keyword (`5 orde`) or anything else."""
    if tok.type != "NAME" or "UNIT" not in expected or tok.start_pos is None:
        return None
    found = _UNIT_WORD.match(text, tok.start_pos)
    if found is None:
        return None
    keywords = [_keyword(t).strip("'") for t in expected if t not in _TERMINAL_NAMES]
    if difflib.get_close_matches(str(tok), keywords, n=1, cutoff=0.6):
        return None
    return found.group(0).rstrip(".")


def _token_words(tok: LarkToken) -> str:
    if tok.type == "NAME":
        return f"name '{tok}'"
    if tok.type == "STRING":
        return f"string {tok}"
    return f"'{tok}'"


# What the bracket count looks at: brackets, and the strings and comments it skips. A string ends
# at its closing quote or at the end of its line (an unterminated one is the parser's to report).
_BRACKETS = re.compile(r'[()\[\]{}]|"(?:[^"\\\n]|\\[^\n])*"?|#[^\n]*')
_OPEN = frozenset("([{")


# _BRACKETS' strings and comments (its string pattern with the loop unrolled: the same matches)
_SKIPPED = re.compile(r'"[^"\\\n]*(?:\\[^\n][^"\\\n]*)*"?|#[^\n]*')
_BRACKET = re.compile(r"[()\[\]{}]")
_STEP = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def _deepest(text: str) -> int:
    """How deep the brackets nest (strings and comments skipped, a close without an open ignored),
    computed with C loops: the depth after each bracket is the running sum of +1/-1 less the
    lowest (negative) the sum has been."""
    sums: list[int] = list(accumulate(map(_STEP.__getitem__, _BRACKET.findall(_SKIPPED.sub("", text)))))
    if not sums:
        return 0
    if min(sums) >= 0:  # no close without an open: the depth is the sum
        return max(sums)
    depths: map[int] = map(sub, sums, map(min, accumulate(sums, min), repeat(0)))
    return max(depths)


def _nesting_problem(path: str, text: str) -> Diagnostic | None:
    """Reject absurd nesting before the parser and the passes that recurse on the AST see it."""
    if text.count("(") + text.count("[") + text.count("{") <= MAX_NESTING:
        return None  # it cannot nest deeper than it has brackets
    if _deepest(text) <= MAX_NESTING:
        return None
    depth = 0
    for found in _BRACKETS.finditer(text):
        ch = found.group()
        if ch in _OPEN:
            depth += 1
            if depth > MAX_NESTING:
                offset = found.start()
                line = text.count("\n", 0, offset) + 1
                column = offset - text.rfind("\n", 0, offset)
                return diagnostic(
                    TOO_LARGE,
                    f"expression nested more than {MAX_NESTING} levels deep",
                    Span.point(path, line, column),
                    hint="split the condition into simpler parts",
                )
        elif len(ch) == 1 and ch in ")]}":
            depth = max(0, depth - 1)
    return None


def parse_text(path: str, text: str) -> tuple[ast.Module | None, list[Diagnostic]]:
    """Parse one file's text. Returns the module, or None and the reason."""
    problem = _nesting_problem(path, text)
    if problem is not None:
        return None, [problem]
    fast = _fast()
    builder = _builder()
    with _LOCK:  # the builder holds this parse's path and first bad escape
        builder.path = path
        builder.bad_escape = None
        builder.problems = []
        try:
            try:
                result = _Val(fast.parse(text), 1, 1, 1, 1)  # as Lark's route returns it
            except lalr.Fallback:  # a syntax error (or a text only Lark takes): Lark says what
                builder.bad_escape = None
                builder.problems = []
                result = _lark_parse(path, text)
        except (RecursionError, _TooDeep):
            return None, [
                diagnostic(
                    TOO_LARGE,
                    "expression nested too deeply",
                    Span.point(path, 1, 1),
                    hint="split the condition into simpler parts",
                )
            ]
        bad = builder.bad_escape
        builder.bad_escape = None
        problems, builder.problems = builder.problems, []
    if isinstance(result, Diagnostic):
        return None, [result]
    if bad is not None:
        span = Span.point(path, bad.token.line or 1, bad.token.column or 1, len(str(bad.token)))
        return None, [
            diagnostic(
                BAD_STRING,
                f"invalid escape '\\{bad.char}' in string",
                span,
                hint='use \\" or \\\\ or \\n',
            )
        ]
    if problems:
        return None, problems
    assert isinstance(result, _Val) and isinstance(result.value, ast.Module)
    return result.value, []


def _lark_parse(path: str, text: str) -> Any:
    """Lark's parse of the text (the AST, as the fast route builds it), or its syntax error as a Diagnostic."""
    from lark.exceptions import UnexpectedInput

    lark, _ = _ast_parser()
    try:
        return lark.parse(text)
    except UnexpectedInput as exc:
        return _syntax_diagnostic(path, text, exc)
