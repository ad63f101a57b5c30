"""A lean LALR(1) parser for grammar.lark: Lark's tables, driven without Lark.

Lark computes the LALR(1) tables of the grammar; `python -m dsl.lalr` writes them, with the
contextual lexer's scanners, to `dsl/lalr_tables.json` (a test keeps that file current; a
stale file is never used: the tables are then taken from Lark when the process starts).

On a file Lark accepts, `Parser.parse` does what Lark's LALR parser with its contextual
lexer and an inline transformer does: the same tokens (each state scans with the terminals
that state accepts, in Lark's order, keywords found through the same "unless" tables), the
same reductions, the same transformer calls with the same children. It does it with a few
dictionary lookups per token and without importing Lark. On anything it cannot take -- no
terminal matches, or the state has no action for the token -- it raises `Fallback`, and the
caller parses the text with Lark itself, whose exception becomes the diagnostic: syntax
errors stay exactly Lark's. `tests/dsl/test_lalr.py` checks both routes agree.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable, Sequence
from functools import partial
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Lark is imported only to compute the tables
    from lark import Lark

FORMAT = 1
"""The version of the tables' layout: bump it when the driver reads them differently."""
TABLES_FILE = "lalr_tables.json"

# What a rule does with its children on a reduction.
PASS = 0  # `?rule: x`: the single child is the value (Lark's ExpandSingleChild)
CALL = 1  # a transformer method builds the value
INLINE = 2  # `_rule` (Lark's repetitions): the children are spliced into the parent's


class Fallback(Exception):
    """The fast route cannot take this text: parse it with Lark (which reports the error)."""


class Tok(str):
    """A token: its text, its terminal's name and where it is (as Lark's `Token`, without its cost)."""

    __slots__ = ("column", "end_column", "end_line", "line", "type")
    type: str
    line: int
    column: int
    end_line: int
    end_column: int


def grammar_text() -> str:
    return resources.files("dsl").joinpath("grammar.lark").read_text(encoding="utf-8")


def digest(grammar: str) -> str:
    """What the tables are computed from: the grammar's text and the tables' layout."""
    return hashlib.sha256(f"{FORMAT}\n{grammar}".encode()).hexdigest()


# ---- the tables, from Lark ------------------------------------------------------------------


def _sort_key(term: Any) -> tuple[int, int, int, str]:
    """The order in which Lark's scanner tries terminals (lark.lexer.BasicLexer)."""
    return (-term.priority, -term.pattern.max_width, -len(term.pattern.value), term.name)


def _scanner(terms: Sequence[Any]) -> tuple[str, dict[str, dict[str, str]]]:
    """One state's scanner as Lark's BasicLexer builds it: an alternation of the terminals in
    Lark's order, and for a regular terminal (NAME) the keywords it matches whole ("unless")."""
    ordered = sorted(terms, key=_sort_key)
    unless: dict[str, dict[str, str]] = {}
    embedded: set[str] = set()
    for retok in (t for t in ordered if t.pattern.type == "re"):
        regexp = re.compile(retok.pattern.to_regexp())
        for strtok in (t for t in ordered if t.pattern.type == "str"):
            if strtok.priority != retok.priority:
                continue
            word = strtok.pattern.value
            found = regexp.match(word)
            if found is not None and found.group(0) == word:
                unless.setdefault(retok.name, {})[word] = strtok.name
                if strtok.pattern.flags <= retok.pattern.flags:
                    embedded.add(strtok.name)
    pattern = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in ordered if t.name not in embedded)
    return pattern, unless


def _skip_pattern(lark: Lark) -> str:
    """The ignored terminals (whitespace, comments) as one pattern run before every token.

    Lark tries them among the state's terminals; skipping them first gives the same tokens
    only when no other terminal can start where an ignored one does: checked here.
    """
    ignored = [t for t in lark.lexer_conf.terminals if t.name in lark.lexer_conf.ignore]
    starts = set()
    for term in ignored:
        starts |= {ch for ch in " \t\f\r\n#;/-" if re.match(term.pattern.to_regexp(), ch + "x\n")}
    for term in lark.lexer_conf.terminals:
        if term.name in lark.lexer_conf.ignore:
            continue
        regexp = re.compile(term.pattern.to_regexp())
        for ch in starts:
            for probe in (ch, ch + "a", ch + "0", ch + '"', ch + ch):
                if regexp.match(probe):
                    raise ValueError(f"terminal {term.name} can start where an ignored one does ({ch!r})")
    # possessive: a skip never gives back what it took, so a failing match cannot backtrack into it
    return "(?:" + "|".join(f"(?:{t.pattern.to_regexp()})" for t in ignored) + ")*+"


def tables_from_lark(lark: Lark, callbacks: object) -> dict[str, Any]:
    """The tables of a Lark LALR parser built with keep_all_tokens and maybe_placeholders=False,
    for a transformer `callbacks` that has a method per rule (or alias) that is not inlined."""
    opts = lark.options
    if not (opts.parser == "lalr" and opts.keep_all_tokens and not opts.maybe_placeholders):
        raise ValueError("the tables need parser='lalr', keep_all_tokens=True, maybe_placeholders=False")
    table = lark.parser.parser.parser.parse_table
    (start,) = opts.start
    rules = sorted(
        {arg for row in table.states.values() for action, arg in row.values() if action.name == "Reduce"},
        key=lambda r: (r.origin.name, r.order, [s.name for s in r.expansion]),
    )
    number = {rule: i for i, rule in enumerate(rules)}
    out_rules: list[list[Any]] = []
    for rule in rules:
        size = len(rule.expansion)
        if size == 0:
            raise ValueError(f"empty rule {rule}: not supported")
        expand = [s for s in rule.expansion if not s.is_term and s.name.startswith("_")]
        name = rule.alias or rule.options.template_source or rule.origin.name
        if rule.origin.name.startswith("_"):
            kind = INLINE
        elif rule.options.expand1 and not rule.alias:
            if size != 1 or expand:
                raise ValueError(f"rule {rule}: an unaliased '?' alternative must have one child")
            kind = PASS
        else:
            if not hasattr(getattr(callbacks, name, None), "handler"):
                raise ValueError(f"rule {rule}: the transformer has no method {name!r} made with _rule")
            kind = CALL
        out_rules.append([rule.origin.name, [s.name for s in rule.expansion], kind, name if kind == CALL else ""])
    terminals = {t.name: t for t in lark.lexer_conf.terminals}
    ignore = sorted(lark.lexer_conf.ignore)
    states: list[dict[str, int]] = []
    scanners: list[list[Any]] = []
    scanner_of: dict[frozenset[str], int] = {}
    state_scanner: list[int] = []
    if sorted(table.states) != list(range(len(table.states))):
        raise ValueError("the parse table's states are not numbered 0..n-1")
    # Lark numbers its states in an order that changes from run to run (set iteration); number
    # them breadth-first from the start state, following symbols in name order, so that the
    # stored tables are the same bytes whoever regenerates them.
    order = [table.start_states[start]]
    renumber = {order[0]: 0}
    for state in order:
        for _sym, (action, arg) in sorted(table.states[state].items()):
            if action.name == "Shift" and arg not in renumber:
                renumber[arg] = len(order)
                order.append(arg)
    for state in sorted(set(table.states) - set(renumber)):  # none in a well-formed table
        renumber[state] = len(order)
        order.append(state)
    for state in order:
        row = table.states[state]
        states.append(
            {
                sym: (renumber[arg] if action.name == "Shift" else ~number[arg])
                for sym, (action, arg) in sorted(row.items())
            }
        )
        accepts = frozenset(sym for sym in row if sym in terminals)
        if accepts not in scanner_of:
            scanner_of[accepts] = len(scanners)
            pattern, unless = _scanner([terminals[n] for n in sorted(accepts | set(ignore))])
            scanners.append([pattern, unless])
        state_scanner.append(scanner_of[accepts])
    return {
        "digest": digest(lark.source_grammar),
        "lark": _lark_version(),
        "start": renumber[table.start_states[start]],
        "end": renumber[table.end_states[start]],
        "terminals": sorted(terminals),
        "skip": _skip_pattern(lark),
        "rules": out_rules,
        "states": states,
        "scanners": scanners,
        "state_scanner": state_scanner,
    }


def _lark_version() -> str:
    import lark

    return str(lark.__version__)


def dumps(tables: dict[str, Any]) -> str:
    return json.dumps(tables, indent=None, separators=(",", ":"), sort_keys=False, ensure_ascii=True) + "\n"


def load_tables(grammar: str) -> dict[str, Any] | None:
    """The stored tables, when they were computed from this grammar; else None."""
    try:
        text = resources.files("dsl").joinpath(TABLES_FILE).read_text(encoding="utf-8")
        tables: dict[str, Any] = json.loads(text)
    except (OSError, ValueError):
        return None
    return tables if tables.get("digest") == digest(grammar) else None


# ---- the driver -----------------------------------------------------------------------------

# a state's scanner: its match function, its keywords ("unless"), the terminal of each group
_Scanner = tuple[Callable[[str, int], "re.Match[str] | None"], dict[str, dict[str, str]] | None, list[str]]
Extent = tuple[int, int, int, int]
"""Where a value's text starts and ends: line, column, end line, end column (Lark's "container":
for `( expr )` the parentheses count, while the node inside keeps its own span)."""
_Handler = Callable[[Extent, list[Any]], Any]
# A rule as the driver uses it: origin, size, kind, its handler bound to the target, the indices of
# the children it keeps (None: all), which children are inlined (None: none), keep_all.
_Rule = tuple[str, int, int, _Handler | None, tuple[int, ...] | None, tuple[bool, ...] | None, bool]


class Parser:
    """Parses with `tables`, building values with `target`'s methods.

    The method a rule names (its alias, or its own name) must carry `handler` and `keep_all`
    (see dsl.parser._rule): on each reduction the parser calls `handler(target, extent, items)`,
    where `items` are the children -- tokens for terminals, values for rules, the children of
    inlined `_rule`s spliced in -- less the tokens of the terminals in `drop` (keywords and
    punctuation) unless `keep_all`. These are the children Lark's inline transformer passes to
    the method with keep_all_tokens, filtered as the method itself filters them.
    """

    def __init__(self, tables: dict[str, Any], target: object, drop: frozenset[str]) -> None:
        self.start: int = tables["start"]
        self.end: int = tables["end"]
        self.states: list[dict[str, int]] = tables["states"]
        self.skip = tables["skip"]
        self.drop = drop
        terminals = set(tables["terminals"])
        self.rules: list[_Rule] = []
        for origin, expansion, kind, name in tables["rules"]:
            size = len(expansion)
            spliced = tuple(s.startswith("_") and s not in terminals for s in expansion)
            handler: _Handler | None = None
            keep_all = True
            if kind == CALL:
                method: Any = getattr(type(target), name, None)
                if not hasattr(method, "handler"):
                    raise ValueError(f"the builder has no method {name!r} made with _rule (dsl/parser.py)")
                handler = partial(method.handler, target)
                keep_all = method.keep_all
            kept = None
            if not keep_all and not any(spliced):
                picked = tuple(i for i, s in enumerate(expansion) if s not in drop)
                kept = None if len(picked) == size else picked
            self.rules.append((origin, size, kind, handler, kept, spliced if any(spliced) else None, keep_all))
        self._specs: list[list[Any]] = tables["scanners"]
        self._compiled: list[_Scanner | None] = [None] * len(self._specs)
        self._state_spec: list[int] = tables["state_scanner"]
        self._by_state: list[_Scanner | None] = [None] * len(self.states)
        # (state under a reduced rule, the rule's origin, lookahead) -> the state after the goto and
        # the `?rule: x` reductions that follow it, and the action on the lookahead there
        self._after: dict[tuple[int, str, str], tuple[int, int | None]] = {}

    def _scanner(self, state: int) -> _Scanner:
        """The state's scanner: the ignored terminals, then one of the terminals it accepts."""
        spec = self._state_spec[state]
        found = self._compiled[spec]
        if found is None:
            pattern, unless = self._specs[spec]
            regexp = re.compile(f"{self.skip}(?:{pattern})")
            names = [""] * (regexp.groups + 1)
            for name, index in regexp.groupindex.items():
                names[index] = name
            found = self._compiled[spec] = (regexp.match, unless or None, names)
        self._by_state[state] = found
        return found

    def _goto(self, below: int, origin: str, lookahead: str) -> tuple[int, int | None]:
        """The goto on `origin` from `below`, through the pass-through reductions the lookahead calls for."""
        states = self.states
        rules = self.rules
        top = states[below][origin]
        action = states[top].get(lookahead)
        while action is not None and action < 0 and rules[~action][2] == PASS:
            top = states[below][rules[~action][0]]
            action = states[top].get(lookahead)
        found = self._after[below, origin, lookahead] = (top, action)
        return found

    def parse(self, text: str) -> Any:
        """The value the start rule's handler returns; raises Fallback where Lark would raise."""
        states = self.states
        rules = self.rules
        scanners = self._by_state
        after = self._after
        drop = self.drop
        count = text.count
        rfind = text.rfind
        find = text.find
        new = str.__new__
        pos = 0
        next_break = find("\n")  # where the current line ends
        if next_break < 0:
            next_break = len(text)
        line = 1
        line_start = 0
        stack = [self.start]  # states
        values: list[Any] = []  # a token or a value per state after the first
        extents: list[Extent] = []  # where each of them is
        while True:
            state = stack[-1]
            scanner = scanners[state] or self._scanner(state)
            found = scanner[0](text, pos)
            if found is None:
                if re.fullmatch(self.skip, text[pos:]) is not None:
                    break  # only blanks and comments are left
                raise Fallback
            group: int = found.lastindex  # type: ignore[assignment]
            word: str = found[group]
            end = found.end()
            start = end - len(word)
            if start > next_break:  # blank lines or comments before the token: count the lines
                line += count("\n", pos, start)
                line_start = rfind("\n", pos, start) + 1
                next_break = find("\n", start)
                if next_break < 0:
                    next_break = len(text)
            kind = scanner[2][group]
            if scanner[1] is not None:
                keywords = scanner[1].get(kind)
                if keywords is not None:
                    kind = keywords.get(word, kind)
            tok = new(Tok, word)
            tok.type = kind
            tok.line = start_line = line
            tok.column = column = start - line_start + 1
            if end > next_break:  # a token holding a line break (no terminal of the grammar does)
                line += word.count("\n")
                line_start = start + word.rindex("\n") + 1
                next_break = find("\n", end)
                if next_break < 0:
                    next_break = len(text)
            tok.end_line = line
            tok.end_column = end_column = end - line_start + 1
            pos = end
            # Feed the token: reduce while the state says so, then shift.
            action = states[state].get(kind)
            while action is not None and action < 0:
                origin, size, rule_kind, handler, kept, spliced, keep_all = rules[~action]
                if rule_kind == PASS:  # `?rule: x` right after a shift: the child stays
                    stack[-1] = states[stack[-2]][origin]
                    action = states[stack[-1]].get(kind)
                    continue
                children = values[-size:]
                first = extents[-size]
                last = extents[-1]
                extent = (first[0], first[1], last[2], last[3])
                del values[-size:]
                del extents[-size:]
                del stack[-size:]
                items = (
                    children if spliced is None and kept is None else _items(children, spliced, kept, keep_all, drop)
                )
                values.append(items if handler is None else handler(extent, items))
                extents.append(extent)
                below = stack[-1]
                top, action = after.get((below, origin, kind)) or self._goto(below, origin, kind)
                stack.append(top)
            if action is None:
                raise Fallback
            stack.append(action)
            values.append(tok)
            extents.append((start_line, column, line, end_column))
        return self._finish(stack, values, extents)

    def _finish(self, stack: list[int], values: list[Any], extents: list[Extent]) -> Any:
        """At the end of the input: reduce until the start rule is complete (Lark's `$END`)."""
        states = self.states
        while True:
            action = states[stack[-1]].get("$END")
            if action is None or action >= 0:
                raise Fallback
            origin, size, rule_kind, handler, kept, spliced, keep_all = self.rules[~action]
            if rule_kind == PASS:
                stack[-1] = states[stack[-2]][origin]
            else:
                children = values[-size:]
                first = extents[-size]
                last = extents[-1]
                extent = (first[0], first[1], last[2], last[3])
                del values[-size:]
                del extents[-size:]
                del stack[-size:]
                items = _items(children, spliced, kept, keep_all, self.drop)
                values.append(items if handler is None else handler(extent, items))
                extents.append(extent)
                stack.append(states[stack[-1]][origin])
            if stack[-1] == self.end:
                return values[-1]


def _items(
    children: list[Any],
    spliced: tuple[bool, ...] | None,
    kept: tuple[int, ...] | None,
    keep_all: bool,
    drop: frozenset[str],
) -> list[Any]:
    """What a reduced rule's handler receives: its children with inlined rules spliced in (Lark's
    ChildFilterLALR_NoPlaceholders) and, unless the handler keeps every token, the dropped tokens left out."""
    if spliced is not None:
        items: list[Any] = []
        for child, inline in zip(children, spliced, strict=True):
            if not inline:
                items.append(child)
            elif items:
                items += child
            else:
                items = child
        if not keep_all:
            items = [c for c in items if c.__class__ is not Tok or c.type not in drop]
        return items
    if kept is not None:
        return [children[i] for i in kept]
    return children


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m dsl.lalr [--check]`: write (or check) dsl/lalr_tables.json from the grammar."""
    import os
    from pathlib import Path

    from dsl.parser import lalr_tables_from_lark

    args = list(sys.argv[1:] if argv is None else argv)
    path = Path(__file__).with_name(TABLES_FILE)
    text = dumps(lalr_tables_from_lark())
    if "--check" in args:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} is not current: run python -m dsl.lalr", file=sys.stderr)
            return 1
        return 0
    partial_path = path.with_name(path.name + ".tmp")
    partial_path.write_text(text, encoding="utf-8")
    os.replace(partial_path, path)  # atomic: a reader never sees half a table
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
