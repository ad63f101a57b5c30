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

The rows of a decision table repeat a few token shapes, so the driver remembers what the tables
did with each: a trie (`_Node`) per segment start -- a line's first token, with the states on top
of the stack -- whose edges are token kinds and whose nodes hold the reductions and the shift
that token caused, as the tables decided them. A token whose reductions reach below what the
root knows is parsed with the tables and starts a new segment. A walk through the trie only
lexes (each state's own scanner, as always); when it stops, the walked tokens are fed through
the recorded steps, and a path walked twice is compiled into one function (`_compile`) that
calls the handlers with their items laid out in advance. Everything replayed is what the
tables did on the same states and kinds; a kind the trie has not seen is fed through the tables.

A root whose compiled paths keep coming back gets them as one regular expression (`_Rows`,
`Parser._build_rows`): the trie below it, a group per token, each token's pattern matching exactly
where, and exactly what, the state's scanner would match (`Parser._token_pattern`: no earlier
terminal of the scanner matches there, the terminal matched once as the scanner's `match` would,
a NAME is not one of the state's keywords, a keyword found through NAME is NAME's whole match).
One `match` then lexes a whole segment of a row and names the path it took, whose compiled
function reads the tokens from the groups and calls the handlers that take tokens as they are
(`row_<rule>` of the builder) with their text and columns, making no token objects for them.
A segment the expression does not match (a new shape, a comment or a line break inside it) is
lexed token by token as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sys
from collections.abc import Callable, Sequence
from functools import cache, partial
from importlib import resources
from types import MethodType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Lark is imported only to compute the tables
    from lark import Lark

FORMAT = 2
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


def _scanner(terms: Sequence[Any]) -> tuple[list[str], dict[str, dict[str, str]]]:
    """One state's scanner as Lark's BasicLexer builds it: the terminals of its alternation in
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
    return [t.name for t in ordered if t.name not in embedded], unless


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
            names, unless = _scanner([terminals[n] for n in sorted(accepts | set(ignore))])
            scanners.append([names, unless])
        state_scanner.append(scanner_of[accepts])
    return {
        "digest": digest(lark.source_grammar),
        "lark": _lark_version(),
        "start": renumber[table.start_states[start]],
        "end": renumber[table.end_states[start]],
        "terminals": sorted(terminals),
        "patterns": {name: terminals[name].pattern.to_regexp() for name in sorted(terminals)},
        "ignore": ignore,
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


MAX_NODES = 20_000
"""The most nodes the replay trie of a parser holds (past that, new token sequences are only parsed)."""
MAX_COMPILED = 400
"""The longest walk through the trie that is compiled into a function."""
ROOT_STATES = 12
"""How many states from the top of the stack key a segment's root (its replays may reduce that deep)."""
COMPILE_AFTER = 2
"""A walk from a root is compiled the second time it ends at the same node."""

_Replay = Callable[[list[Tok], list[int], list[Any], list[Extent]], None]


class _Node:
    """A node of the replay trie: a segment's start (its root, keyed by the states on top of the
    stack) and the kinds of the tokens fed since. `ops` are what feeding the last of them did --
    the reductions (rule, and the state on top after its goto) and then the shift to `state` --
    and they depend only on the path from the root: a token is added only when its reductions
    read no state below the root's key."""

    __slots__ = (
        "children",
        "depth",
        "group",
        "hits",
        "key",
        "kind",
        "ops",
        "parent",
        "replay",
        "row_replay",
        "rows",
        "scanner",
        "state",
    )

    def __init__(
        self,
        state: int,
        scanner: _Scanner,
        parent: _Node | None,
        kind: str,
        ops: tuple[tuple[_Rule, int], ...],
        depth: int,
    ) -> None:
        self.kind = kind  # the kind of the token fed last
        self.state = state
        self.scanner = scanner
        self.parent = parent
        self.ops = ops
        self.depth = depth
        self.children: dict[str, _Node | None] = {}  # None: that token reduces below the segment
        self.hits = 0  # walks from a root that ended here
        self.replay: _Replay | None = None
        self.key: tuple[int, ...] = ()  # a root's: the states on top of the stack, the last on top
        self.rows: _Rows | None = None  # a root's: its compiled paths as one regular expression
        self.group = ""  # the name of this node's token's group in its root's expression
        self.row_replay: _RowReplay | None = None  # the compiled replay taking that expression's match


_RowReplay = Callable[["re.Match[str]", int, int, list[int], list[Any], list[Extent]], None]


class _Rows:
    """A root's compiled paths as one regular expression (`Parser._build_rows`): the trie below the
    root, token by token, each token a group that matches exactly what the state's scanner would
    match there, and each compiled path ending in an empty group, so that one `match` lexes a
    whole segment and `lastindex` names the path it took."""

    __slots__ = ("built", "ends", "hits", "match", "paths")

    def __init__(self) -> None:
        self.paths: list[_Node] = []  # the compiled paths' last nodes, in the order compiled
        self.built = 0  # how many of them the expression holds
        self.hits = 0  # segments that walked to a path the expression does not hold yet
        self.match: Callable[[str, int], re.Match[str] | None] | None = None
        self.ends: dict[int, _End] = {}  # by the index of the end's group


class _End:
    """A compiled path as its root's expression has it."""

    __slots__ = ("first", "fixed", "following", "replay")

    def __init__(self, first: int, replay: _RowReplay, fixed: bool) -> None:
        self.first = first  # the group of the path's first token
        self.replay = replay
        self.fixed = fixed  # the root after the path depends on the root and the path only ...
        self.following: _Node | None = None  # ... and is this one (once seen)


_UNSEEN: Any = object()


class _Slot:
    """A stack slot while a replay is generated: the source of its value, and where its text is."""

    __slots__ = ("elems", "end", "kind", "listed", "source", "start", "state")

    def __init__(self, source: str, kind: str | None, start: str, end: str, state: int) -> None:
        self.source = source  # a local of the replay
        self.kind = kind  # a token's kind; None: a value (or a slot from below the segment)
        self.start = start  # its extent's line and column ...
        self.end = end  # ... and end line and end column, as source
        self.state = state
        self.elems: list[_Slot] | None = None  # an inlined rule's items, laid out when generated
        self.listed = False  # an inlined rule's value as a list at run time (`source`)

    def value(self) -> str:
        """The value as the step-by-step route has it on the stack."""
        if self.elems is None:
            return self.source
        return "[" + ", ".join(e.value() for e in self.elems) + "]"

    def kept(self, drop: frozenset[str]) -> str:
        """As an item of a handler that leaves the dropped tokens out: nothing for a dropped token;
        a value or a slot from below the segment is looked at when the replay runs."""
        if self.kind is not None:
            return "" if self.kind in drop else self.source
        v = self.source
        return f"*(({v},) if {v}.__class__ is not _Tok or {v}.type not in _drop else ())"


_RowHandlers = dict[int, tuple[Callable[..., Any], tuple[bool, ...]]]
"""The handlers that take a row's tokens as they are (see Parser), by id of the rule: the handler,
and which of the items it receives are tokens."""


def _compile(last: _Node, drop: frozenset[str], rowed: _RowHandlers | None = None) -> Any:
    """One function doing what the nodes from a root to `last` say, with the segment's stack slots
    as local variables: each handler's items and extent are laid out when the function is generated
    (children spliced, dropped tokens left out) as `_items` would compute them; the slots from below
    the segment that the path reduces are taken off the stack first, and the slots left at the end
    are pushed. The generated text names only locals, the handlers and the states (numbers); no
    token's text is pasted into it.

    The function takes the path's tokens (`_Replay`), or with `rowed` the match of the root's
    expression (`_RowReplay`: the match, the line, the offset before the line's first column): it
    then reads each token's text and offsets from the node's group, and makes a `Tok` only of the
    tokens a handler receives or the stack keeps (a keyword's or punctuation's extent is enough).
    A rule whose handler takes tokens as they are (`rowed`) gets each as its text and columns."""
    row = rowed is not None
    path: list[_Node] = []
    node = last
    while node.parent is not None:
        path.append(node)
        node = node.parent
    path.reverse()
    key = node.key
    # how far below the segment's start the path's reductions reach
    height = reach = 0
    for step in path:
        for rule, _top in step.ops:
            height -= 1 if rule[2] == PASS else rule[1]
            reach = max(reach, -height)
            height += 1
        height += 1
    assert reach < len(key)
    env: dict[str, Any] = {"_Tok": Tok, "_drop": drop, "_new": str.__new__, "_str": str}
    names: dict[int, str] = {}

    def handler_name(fn: Callable[..., Any]) -> str:
        """The name the generated code calls a handler by (bound in `env` on first use)."""
        name = names.get(id(fn))
        if name is None:
            name = names[id(fn)] = f"h{len(names)}"
            env[name] = fn
        return name

    body: list[str] = [] if row else ["    " + ", ".join(f"t{i}" for i in range(len(path))) + ", = toks"]
    slots: list[_Slot] = []
    if reach:
        xs = ", ".join(f"x{j}" for j in range(reach))
        ys = ", ".join(f"y{j}" for j in range(reach))
        body.append(f"    {xs}, = values[-{reach}:]")
        body.append(f"    {ys}, = extents[-{reach}:]")
        body.append(f"    del values[-{reach}:], extents[-{reach}:], stack[-{reach}:]")
        for j in range(reach):
            slots.append(_Slot(f"x{j}", None, f"y{j}[0], y{j}[1]", f"y{j}[2], y{j}[3]", key[len(key) - reach + j]))
    made = 0
    for i, step in enumerate(path):
        for rule, top in step.ops:
            _origin, size, kind, handler, kept, spliced, keep_all = rule
            if kind == PASS:
                slots[-1].state = top
                continue
            children = slots[-size:]
            del slots[-size:]
            value = f"v{made}"
            made += 1
            slot = _Slot(value, None, children[0].start, children[-1].end, top)
            if spliced is None:
                chosen = children if kept is None else [children[j] for j in kept]
                items = "[" + ", ".join(c.value() for c in chosen) + "]"
                if handler is None:
                    slot.elems = chosen
                direct = None if rowed is None or handler is None else rowed.get(id(rule))
                if direct is not None and spliced is None:
                    args: list[str] = []
                    for child, token in zip(chosen, direct[1], strict=True):
                        v = child.source
                        if not token:
                            args.append(child.value())
                        elif child.kind is not None:  # a token of the path: its text, line and columns
                            n = v[1:]  # its index on the path
                            args += [f"w{n}", "line", f"c{n}", f"e{n}"]
                        else:  # a token from below the segment (a Tok on the stack)
                            args += [f"_str({v})", f"{v}.line", f"{v}.column", f"{v}.end_column"]
                    body.append(f"    {value} = {handler_name(direct[0])}({slot.start}, {slot.end}, {', '.join(args)})")
                    slots.append(slot)
                    continue
            else:
                parts: list[list[_Slot] | str] = []  # runs of items laid out here, and lists at run time
                for child, inline in zip(children, spliced, strict=True):
                    if inline and child.elems is None:  # a list at run time (or from below the segment)
                        parts.append(child.source)
                    else:
                        run = child.elems if inline and child.elems is not None else [child]
                        if parts and isinstance(parts[-1], list):
                            parts[-1] = parts[-1] + run
                        else:
                            parts.append(list(run))
                if len(parts) == 1 and isinstance(parts[0], list):
                    if handler is None:  # an inlined rule of items all laid out: stays so
                        slot.elems = parts[0]
                        slots.append(slot)
                        continue
                    run = parts[0] if keep_all else [e for e in parts[0] if e.kind is None or e.kind not in drop]
                    items = "[" + ", ".join(e.value() if keep_all else e.kept(drop) for e in run) + "]"
                    direct = None if rowed is None else rowed.get(id(rule))
                    if direct is not None and all(e.kind is not None and e.elems is None for e in run):
                        # every item a token of the path: each as its text, line and columns
                        args = [f"w{e.source[1:]}, line, c{e.source[1:]}, e{e.source[1:]}" for e in run]
                        call = handler_name(direct[0])
                        body.append(f"    {value} = {call}({slot.start}, {slot.end}, {', '.join(args)})")
                        slots.append(slot)
                        continue
                else:  # as _items does it: the first list at run time is extended in place
                    first, *rest = parts
                    lines = [f"    _i = {first if isinstance(first, str) else _laid_out(first)}"]
                    lines += [f"    _i += {part if isinstance(part, str) else _laid_out(part)}" for part in rest]
                    if not keep_all:
                        lines.append("    _i = [c for c in _i if c.__class__ is not _Tok or c.type not in _drop]")
                    body += lines
                    items = "_i"
                    slot.listed = handler is None
            if handler is None:
                if slot.elems is None:
                    body.append(f"    {value} = {items}")
                    slot.listed = True
                slots.append(slot)
                continue
            body.append(f"    {value} = {handler_name(handler)}(({slot.start}, {slot.end}), {items})")
            slots.append(slot)
        t = f"t{i}"
        if row:
            slots.append(_Slot(t, step.kind, f"line, c{i}", f"line, e{i}", step.state))
        else:
            slots.append(_Slot(t, step.kind, f"{t}.line, {t}.column", f"{t}.end_line, {t}.end_column", step.state))
    if slots:
        body.append(f"    stack += ({''.join(f'{s.state}, ' for s in slots)})")
        body.append(f"    values += ({''.join(s.value() + ', ' for s in slots)})")
        body.append(f"    extents += ({''.join(f'({s.start}, {s.end}), ' for s in slots)})")
    if row:
        body = _row_prologue(path, body, env) + body
        source = "def replay(m, line, ls, stack, values, extents):\n" + "\n".join(body) + "\n"
    else:
        source = "def replay(toks, stack, values, extents):\n" + "\n".join(body) + "\n"
    exec(compile(source, f"<dsl.lalr replay {len(path)}.{id(env)}>", "exec"), env)
    replay = env["replay"]
    replay.shape = (reach, len(slots))  # how many slots it takes off the stack, and puts on
    return replay


def _row_prologue(path: list[_Node], body: list[str], env: dict[str, Any]) -> list[str]:
    """The lines that read, from the match `m`, each token the body uses: its offsets (`a`, `b`), its
    columns (`c`, `e`: the offset less `ls`), its text (`w`) and, where the body passes the token
    on, a `Tok`."""
    used = set(re.findall(r"\b[tcew][0-9]+\b", "\n".join(body)))
    lines = ["    span = m.span", "    group = m.group", "    begin = m.start", "    finish = m.end"]
    for i, step in enumerate(path):
        t, c, e, w = f"t{i}", f"c{i}", f"e{i}", f"w{i}"
        if not ({t, c, e, w} & used):
            continue
        env[f"_g{i}"] = step.group
        env[f"_k{i}"] = step.kind
        if t in used or (c in used and e in used):
            lines.append(f"    a{i}, b{i} = span(_g{i})")
            lines.append(f"    {c} = a{i} - ls")
            lines.append(f"    {e} = b{i} - ls")
        elif c in used:
            lines.append(f"    {c} = begin(_g{i}) - ls")
        elif e in used:
            lines.append(f"    {e} = finish(_g{i}) - ls")
        if w in used:
            lines.append(f"    {w} = group(_g{i})")
        if t in used:
            lines.append(f"    {t} = _new(_Tok, {w if w in used else f'group(_g{i})'})")
            lines.append(f"    {t}.type = _k{i}")
            lines.append(f"    {t}.line = {t}.end_line = line")
            lines.append(f"    {t}.column = {c}")
            lines.append(f"    {t}.end_column = {e}")
    return lines


def _laid_out(run: list[_Slot]) -> str:
    return "[" + ", ".join(e.value() for e in run) + "]"


# ---- a segment's tokens as one regular expression -----------------------------------------------

ROWS_AFTER = 32
"""A root's expression is built (again) once segments walked, token by token, this many times per path
it does not hold yet to such paths: a root whose paths seldom repeat is never given one (building
costs about a millisecond a path, a segment taken by the expression saves some 10 microseconds)."""
MAX_ROW = 64
"""The longest compiled path a root's expression holds (a table's row has about 40 tokens)."""
MAX_ROW_PATTERN = 200_000
"""The longest expression a root is given (beyond it the root's later paths are lexed token by token)."""


def _sre() -> Any:
    import importlib

    return importlib.import_module("re._parser")  # the standard library's own parser of patterns


@cache
def _firsts(pattern: str) -> frozenset[int] | None:
    """The characters (code points) a match of `pattern` can start with; None when that is not
    known for sure (flags, classes by category or negation, a pattern that can match empty...)."""
    try:
        found, empty = _seq_firsts(_sre().parse(pattern).data)
    except (re.error, RecursionError, TypeError, ValueError, ImportError, AttributeError):
        return None  # (then every earlier terminal is kept in the lookahead: the same matches)
    return None if found is None or empty else frozenset(found)


def _seq_firsts(items: list[Any]) -> tuple[set[int] | None, bool]:
    out: set[int] = set()
    for op, av in items:
        found, empty = _item_firsts(getattr(op, "name", str(op)), av)
        if found is None:
            return None, False
        out |= found
        if not empty:
            return out, False
    return out, True


def _item_firsts(op: str, av: Any) -> tuple[set[int] | None, bool]:
    """An item's first characters, and whether it can match empty (None: not known)."""
    if op == "LITERAL":
        return {av}, False
    if op == "IN":
        chars: set[int] = set()
        for kind, arg in av:
            name = getattr(kind, "name", str(kind))
            if name == "LITERAL":
                chars.add(arg)
            elif name == "RANGE" and arg[1] - arg[0] < 0x3000:
                chars.update(range(arg[0], arg[1] + 1))
            else:
                return None, False
        return chars, False
    if op == "SUBPATTERN":
        _group, add, remove, sub = av
        return (None, False) if add or remove else _seq_firsts(sub.data if hasattr(sub, "data") else sub)
    if op == "BRANCH":
        out: set[int] = set()
        empty = False
        for alt in av[1]:
            found, alt_empty = _seq_firsts(alt.data if hasattr(alt, "data") else alt)
            if found is None:
                return None, False
            out |= found
            empty = empty or alt_empty
        return out, empty
    if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _high, sub = av
        found, empty = _seq_firsts(sub.data if hasattr(sub, "data") else sub)
        return found, empty or low == 0
    if op in ("ASSERT", "ASSERT_NOT", "AT"):  # zero width: leaving the assertion out only widens the set
        return set(), True
    return None, False


def _uncaptured(pattern: str) -> str | None:
    """`pattern` with its capturing groups made non-capturing (the same matches), or None when that
    cannot be done plainly (named groups, back references)."""
    if re.search(r"\\[1-9]|\(\?P[<=]", pattern):
        return None
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            if pattern[i : i + 1] == "^":
                out.append("^")
                i += 1
            if pattern[i : i + 1] == "]":  # a ']' first in a class is a character of it
                out.append("]")
                i += 1
            continue
        elif ch == "(" and pattern[i + 1 : i + 2] != "?":
            out.append("(?:")
            i += 1
            continue
        out.append(ch)
        i += 1
    result = "".join(out)
    try:
        if re.compile(result).groups:
            return None
    except re.error:
        return None
    return result


_WORD = re.compile(r"(?:\(\?:)?(\[(?:[^\]\\]|\\.)+\])(\[(?:[^\]\\]|\\.)+\])\*\)?")


def _word_rest(pattern: str) -> str | None:
    """For a word terminal `[F][R]*` (NAME), the class `[R]`: its match at a place is the word `w`
    (which it matches whole) exactly when the text there starts with `w` and no R follows. None
    for any other pattern (no keywords are then checked on it)."""
    found = _WORD.fullmatch(pattern)
    return None if found is None else found.group(2)


def _inner_gap(skip: str) -> str | None:
    """What the skip pattern takes between two tokens of one line: the blank characters (a newline
    excepted) that it takes one by one and that stop it before any character it does not take
    (where a token may start). Another gap (a comment, a line break) is not matched -- no token
    starts where the skip would go on -- and such a segment is lexed token by token."""
    regexp = re.compile(skip)
    chars = [chr(c) for c in range(128) if c != 10 and regexp.fullmatch(chr(c)) and chr(c).isspace()]
    for ch in chars:
        for other in map(chr, range(128)):
            if other not in chars and regexp.match(other).end():  # type: ignore[union-attr]
                continue  # the skip goes on there: no token starts there
            found = regexp.match(ch + other)
            if found is None or found.end() != (2 if other in chars else 1):
                return None
    return "[" + "".join(re.escape(c) for c in chars) + "]*+" if chars else ""


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
        self._rowed: _RowHandlers = {}
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
            rule = (origin, size, kind, handler, kept, spliced if any(spliced) else None, keep_all)
            self.rules.append(rule)
            # `row_<name>`: the handler as a compiled row calls it, each token as its text and columns
            row = getattr(type(target), f"row_{name}", None) if kind == CALL else None
            if row is not None:  # (a rule with inlined children: called so when all its items are tokens)
                chosen = expansion if kept is None else [expansion[i] for i in kept]
                self._rowed[id(rule)] = (MethodType(row, target), tuple(s in terminals for s in chosen))
        self._specs: list[list[Any]] = tables["scanners"]
        self._patterns: dict[str, str] = tables["patterns"]
        self._ignore = frozenset(tables["ignore"])
        self._gap = _inner_gap(self.skip)
        self._token_patterns: dict[tuple[int, str], str | None] = {}
        self._groups = 0  # token groups named so far (each trie node's is named once)
        self.rows_after = ROWS_AFTER
        self._compiled: list[_Scanner | None] = [None] * len(self._specs)
        self._state_spec: list[int] = tables["state_scanner"]
        self._by_state: list[_Scanner | None] = [None] * len(self.states)
        # (state under a reduced rule, the rule's origin, lookahead) -> the state after the goto and
        # the `?rule: x` reductions that follow it, and the action on the lookahead there
        self._after: dict[tuple[int, str, str], tuple[int, int | None]] = {}
        # the replay trie (see _Node): its roots by state, and how many nodes it has
        self._roots: dict[tuple[int, ...], _Node] = {}
        self._nodes = 0
        # Segments also start after the separators of repeated rules (`x ("and" x)*`) that appear nowhere
        # else: the conjuncts of a row vary independently, the shapes of each of them do not. (After,
        # not at: the separator is the lookahead that reduces the conjunct before it, whose tokens
        # are then still the segment's own, not values carried on the stack to the next segment.)
        separators = {e[1] for _o, e, k, _n in tables["rules"] if k == INLINE and len(e) == 3 and e[2] not in terminals}
        elsewhere = {s for o, e, _k, _n in tables["rules"] for s in e if not (o.startswith("_") and len(e) >= 2)}
        self._cuts = frozenset(s for s in separators if s in terminals and s not in elsewhere)

    def _scanner(self, state: int) -> _Scanner:
        """The state's scanner: the ignored terminals, then one of the terminals it accepts."""
        spec = self._state_spec[state]
        found = self._compiled[spec]
        if found is None:
            terms, unless = self._specs[spec]
            # (the ignored terminals never match after the skip: left out, the scanner compiles faster)
            pattern = "|".join(f"(?P<{name}>{self._patterns[name]})" for name in terms if name not in self._ignore)
            regexp = re.compile(f"{self.skip}(?:{pattern})")
            names = [""] * (regexp.groups + 1)
            for name, index in regexp.groupindex.items():
                names[index] = name
            found = self._compiled[spec] = (regexp.match, unless or None, names)
        self._by_state[state] = found
        return found

    def _token_pattern(self, spec: int, kind: str) -> str | None:
        """A pattern that matches where the scanner `spec` would give a token of `kind`, and there
        exactly the text it would give; None when that cannot be said for sure (the path is then
        lexed token by token).

        The scanner takes the first of its terminals, in Lark's order, that matches, then turns a
        NAME that is a keyword of the state into the keyword ("unless"). So: no earlier terminal
        may match here (a negative lookahead of those that can start with the same character);
        the terminal is matched once, atomically, as the scanner's own `match` would; a NAME must
        not be a keyword of the state; a keyword found through NAME must be NAME's whole match
        (`end` not the start of `endx`). The ignored terminals never match after the skip."""
        key = (spec, kind)
        if key in self._token_patterns:
            return self._token_patterns[key]
        found = self._token_patterns[key] = self._make_token_pattern(spec, kind)
        return found

    def _make_token_pattern(self, spec: int, kind: str) -> str | None:
        terms: list[str] = self._specs[spec][0]
        unless: dict[str, dict[str, str]] = self._specs[spec][1] or {}
        patterns = self._patterns
        via = [(term, word) for term, words in unless.items() for word, k in words.items() if k == kind]
        if kind in terms and not via:
            term = kind
            body = _uncaptured(patterns[term])
            if body is None:
                return None
            token = f"(?>{body})"
            words = unless.get(term)
            if words:
                rest = _word_rest(patterns[term])
                if rest is None:
                    return None
                alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
                token = f"(?!(?:{alternatives})(?!{rest})){token}"
            first = _firsts(patterns[term])
        elif len(via) == 1 and kind not in terms:
            term, word = via[0]
            rest = _word_rest(patterns[term])
            if rest is None or not word:
                return None
            token = f"{re.escape(word)}(?!{rest})"
            first = frozenset((ord(word[0]),))
        else:
            return None
        earlier: list[str] = []
        for other in terms[: terms.index(term)]:
            if other in self._ignore:
                continue
            if first is not None:
                theirs = _firsts(patterns[other])
                if theirs is not None and not theirs & first:
                    continue  # it cannot match where this token starts
            plain = _uncaptured(patterns[other])
            if plain is None:
                return None
            earlier.append(plain)
        return f"(?!{'|'.join(earlier)}){token}" if earlier else token

    def _build_rows(self, root: _Node) -> None:
        """Give the root its compiled paths as one expression (see _Rows), built as the trie is:
        a gap and a token group per node, the children as alternatives (longer paths first) and
        an empty group where a compiled path ends. A node whose token has no exact pattern (see
        _token_pattern) is left out with what follows it."""
        rows = root.rows
        assert rows is not None
        rows.built = len(rows.paths)
        rows.hits = 0
        ends = {id(last): last for last in rows.paths}
        live: set[int] = set()
        for last in ends.values():
            node: _Node | None = last
            while node is not None and node is not root and id(node) not in live:
                live.add(id(node))
                node = node.parent
        gap = self._gap
        assert gap is not None  # (no paths are put in rows without it)
        state_spec = self._state_spec
        marks: list[_Node] = []

        def render(node: _Node, before: str) -> str | None:
            alternatives = []
            for kind, child in node.children.items():
                if child is None or id(child) not in live:
                    continue
                token = self._token_pattern(state_spec[node.state], kind)
                if token is None:
                    continue
                if not child.group:
                    self._groups += 1
                    child.group = f"n{self._groups}"
                rest = render(child, gap)
                if rest is None:
                    continue
                alternatives.append(f"{before}(?P<{child.group}>{token}){rest}")
            if id(node) in ends:
                marks.append(node)
                alternatives.append(f"(?P<e{node.group}>)")
            if not alternatives:
                return None
            return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"

        pattern = render(root, self.skip)
        regexp = None
        if pattern is not None and len(pattern) <= MAX_ROW_PATTERN:
            with contextlib.suppress(re.error, RecursionError, OverflowError):
                regexp = re.compile(pattern)
        if regexp is None:
            marks = []
        for last in ends.values():  # the paths the expression does not hold take their tokens
            if last not in marks and last.replay is None:
                last.replay = _compile(last, self.drop)
        if regexp is None:
            return
        index = regexp.groupindex
        rows.ends = {}
        for last in marks:
            if last.row_replay is None:
                last.row_replay = _compile(last, self.drop, self._rowed)
            first = last
            while first.parent is not root:
                first = first.parent  # type: ignore[assignment]
            reach, pushed = last.row_replay.shape  # type: ignore[union-attr]
            fixed = len(root.key) < ROOT_STATES or len(root.key) - reach + pushed >= ROOT_STATES
            rows.ends[index[f"e{last.group}"]] = _End(index[first.group], last.row_replay, fixed)
        rows.match = regexp.match

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

    def _root(self, stack: list[int]) -> _Node:
        """The replay trie's root for segments that start with these states on top of the stack."""
        key = tuple(stack[-ROOT_STATES:])
        node = self._roots.get(key)
        if node is None:
            state = key[-1]
            node = self._roots[key] = _Node(state, self._by_state[state] or self._scanner(state), None, "", (), 0)
            node.key = key
        return node

    def parse(self, text: str) -> Any:
        """The value the start rule's handler returns; raises Fallback where Lark would raise."""
        states = self.states
        rules = self.rules
        scanners = self._by_state
        after = self._after
        root = self._root
        cuts = self._cuts
        drop = self.drop
        flush = self._flush
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
        node: _Node | None = None  # where the replay is in the trie (None: start a segment)
        floor = 0  # below the states the segment's root knows: its replays never reach there
        after_cut = False  # the token before was a separator (see _cuts)
        walked: list[_Node] = []  # the nodes walked since the replay last caught up ...
        pending: list[Tok] = []  # ... and their tokens, not yet fed to the stack
        while True:
            if node is None:
                node = root(stack)
                rows = node.rows
                while rows is not None:  # one match for the whole segment, if it is a path compiled here
                    if rows.built != len(rows.paths) and rows.hits >= self.rows_after * (len(rows.paths) - rows.built):
                        self._build_rows(node)  # new paths, and segments that took them token by token
                    if rows.match is None:
                        break
                    found = rows.match(text, pos)
                    if found is None:
                        break
                    end_of = rows.ends[found.lastindex]  # type: ignore[index]
                    end = found.end()
                    if end > next_break:  # it starts on a later line (or, as no path's gaps hold a line break, ...)
                        start = found.start(end_of.first)
                        if start > next_break:  # blank lines or comments before it
                            line += count("\n", pos, start)
                            line_start = rfind("\n", pos, start) + 1
                            next_break = find("\n", start)
                            if next_break < 0:
                                next_break = len(text)
                        if end > next_break:  # ... it does not end on the line it starts on: token by token
                            pos = start
                            break
                    end_of.replay(found, line, line_start - 1, stack, values, extents)
                    pos = end
                    following = end_of.following
                    if following is None:
                        following = root(stack)
                        if end_of.fixed:  # the stack's top after the replay depends on the path only
                            end_of.following = following
                    node = following
                    rows = node.rows
                floor = len(stack) - len(node.key)
            found = node.scanner[0](text, pos)
            if found is None:
                if re.fullmatch(self.skip, text[pos:]) is not None:
                    break  # only blanks and comments are left
                raise Fallback
            scanner = node.scanner
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
                cut = True  # a line starts a segment (a table's rows repeat a few shapes)
            else:
                cut = False
            kind = scanner[2][group]
            if scanner[1] is not None:
                keywords = scanner[1].get(kind)
                if keywords is not None:
                    kind = keywords.get(word, kind)
            if node.depth and (cut or after_cut or node.depth >= MAX_COMPILED):
                if walked:  # catch up, and start a segment at this token
                    flush(pending, walked, stack, values, extents)
                    walked = []
                    pending = []
                node = root(stack)
                rows = node.rows
                if rows is not None and (
                    rows.match is not None
                    or (rows.built != len(rows.paths) and rows.hits >= self.rows_after * (len(rows.paths) - rows.built))
                ):
                    # the root has compiled paths: lex the segment as one
                    pos = start
                    node = None
                    continue
                floor = len(stack) - len(node.key)
            after_cut = kind in cuts  # the next token starts a segment
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
            child = node.children.get(kind, _UNSEEN)
            if child.__class__ is _Node:  # seen from here before: replayed when the walk stops
                walked.append(child)
                pending.append(tok)
                node = child
                continue
            if walked:
                flush(pending, walked, stack, values, extents)
                walked = []
                pending = []
            # Feed the token: reduce while the state says so, then shift (noting what is done).
            state = stack[-1]
            ops: list[tuple[_Rule, int]] = []
            low = len(stack)  # the lowest the stack goes
            action = states[state].get(kind)
            while action is not None and action < 0:
                rule = rules[~action]
                origin = rule[0]
                if rule[2] == PASS:  # `?rule: x` right after a shift: the child stays
                    stack[-1] = top = states[stack[-2]][origin]
                    low = min(low, len(stack) - 1)
                    ops.append((rule, top))
                    action = states[top].get(kind)
                    continue
                _reduce(rule, values, extents, stack, drop)
                low = min(low, len(stack))
                below = stack[-1]
                top, action = after.get((below, origin, kind)) or self._goto(below, origin, kind)
                stack.append(top)
                ops.append((rule, top))
            if action is None:
                raise Fallback
            stack.append(action)
            values.append(tok)
            extents.append((start_line, column, line, end_column))
            if child is _UNSEEN and low > floor and self._nodes < MAX_NODES:
                # what this token did depends only on the segment so far: remember it
                self._nodes += 1
                child = node.children[kind] = _Node(
                    action, scanners[action] or self._scanner(action), node, kind, tuple(ops), node.depth + 1
                )
                node = child
            else:  # it reached below the segment: the next token starts another
                if child is _UNSEEN and low <= floor:
                    node.children[kind] = None
                node = None
        if walked:
            flush(pending, walked, stack, values, extents)
        return self._finish(stack, values, extents)

    def _flush(
        self, toks: list[Tok], walked: list[_Node], stack: list[int], values: list[Any], extents: list[Extent]
    ) -> None:
        """Feed the tokens of a walk through the trie, doing what the nodes say (no table lookups):
        through the compiled replay of the path when the walk started at a root, else step by step.

        A path walked twice is compiled: into its root's expression when it fits one (MAX_ROW; the
        expression is built when the root is next entered, see `parse`), else into a function
        taking its tokens (also what a path the expression cannot hold gets, see _build_rows)."""
        last = walked[-1]
        if walked[0].depth == 1:
            replay = last.replay
            if replay is None and last.hits >= COMPILE_AFTER:  # a path waiting for its root's expression
                walked[0].parent.rows.hits += 1  # type: ignore[union-attr]
            if replay is None and last.depth <= MAX_COMPILED and last.hits < COMPILE_AFTER:
                last.hits += 1
                if last.hits >= COMPILE_AFTER:
                    root = walked[0].parent
                    assert root is not None
                    if last.depth <= MAX_ROW and self._gap is not None:
                        if root.rows is None:
                            root.rows = _Rows()
                        root.rows.paths.append(last)
                    else:
                        replay = last.replay = _compile(last, self.drop)
            if replay is not None:
                replay(toks, stack, values, extents)
                return
        drop = self.drop
        for tok, node in zip(toks, walked, strict=True):
            for rule, top in node.ops:
                if rule[2] == PASS:
                    stack[-1] = top
                    continue
                _reduce(rule, values, extents, stack, drop)
                stack.append(top)
            stack.append(node.state)
            values.append(tok)
            extents.append((tok.line, tok.column, tok.end_line, tok.end_column))

    def _finish(self, stack: list[int], values: list[Any], extents: list[Extent]) -> Any:
        """At the end of the input: reduce until the start rule is complete (Lark's `$END`)."""
        states = self.states
        while True:
            action = states[stack[-1]].get("$END")
            if action is None or action >= 0:
                raise Fallback
            rule = self.rules[~action]
            origin = rule[0]
            if rule[2] == PASS:
                stack[-1] = states[stack[-2]][origin]
            else:
                _reduce(rule, values, extents, stack, self.drop)
                stack.append(states[stack[-1]][origin])
            if stack[-1] == self.end:
                return values[-1]


def _reduce(rule: _Rule, values: list[Any], extents: list[Extent], stack: list[int], drop: frozenset[str]) -> None:
    """Reduce by `rule` (not a pass-through): its children's values, extents and states come off
    the stacks, and the handler's value (or the children, for an inlined rule) and the extent
    spanning them go on; the caller pushes the state after the goto."""
    _origin, size, _kind, handler, kept, spliced, keep_all = rule
    children = values[-size:]
    first = extents[-size]
    last = extents[-1]
    extent = (first[0], first[1], last[2], last[3])
    del values[-size:]
    del extents[-size:]
    del stack[-size:]
    items = children if spliced is None and kept is None else _items(children, spliced, kept, keep_all, drop)
    values.append(items if handler is None else handler(extent, items))
    extents.append(extent)


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
