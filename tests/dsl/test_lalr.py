"""The fast LALR route (dsl/lalr.py) parses exactly as Lark does, from tables that are current.

Both routes build the AST with the same methods; these tests check, on every seed file and
on random mutations of them, that the fast route gives the same module (spans included) and
the same post-parse problems as Lark's parser, and that it gives up (Fallback) exactly where
Lark raises, so that syntax errors are always Lark's.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import resources
from typing import Any

import pytest
from hypothesis import given

from dsl import lalr, parser
from tests.dsl.support import ROOT
from tests.dsl.test_fuzz import FAST, SEED_TEXTS, SEEDS, mutated_spec, random_text


def _both(text: str) -> tuple[Any, Any]:
    """(fast route's result, Lark route's result), each a module and its problems, or 'error'."""
    builder = parser._builder()
    results = []
    for route in ("fast", "lark"):
        builder.path = "t.vp"
        builder.problems = []
        builder.bad_escape = None
        value: Any
        if route == "fast":
            try:
                value = parser._fast().parse(text)
            except lalr.Fallback:
                value = "error"
        else:
            got = parser._lark_parse("t.vp", text)
            value = got.value if isinstance(got, parser._Val) else "error"
        escape = None if builder.bad_escape is None else (builder.bad_escape.token.line, builder.bad_escape.char)
        results.append((value, builder.problems, escape) if value != "error" else "error")
        builder.problems = []
        builder.bad_escape = None
    return results[0], results[1]


def _agree(text: str) -> None:
    try:
        fast, slow = _both(text)
    except (RecursionError, parser._TooDeep):
        return  # both routes call the same methods; the nesting limit is tested in test_reading
    assert fast == slow, text


def test_the_stored_tables_are_current() -> None:
    stored = json.loads(resources.files("dsl").joinpath(lalr.TABLES_FILE).read_text(encoding="utf-8"))
    assert stored["digest"] == lalr.digest(lalr.grammar_text()), "run: python -m dsl.lalr"
    fresh = parser.lalr_tables_from_lark()
    if stored["lark"] == fresh["lark"]:  # another Lark may number its states differently
        assert lalr.dumps(fresh) == lalr.dumps(stored), "run: python -m dsl.lalr"


def test_stale_tables_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    assert lalr.load_tables(lalr.grammar_text()) is not None
    assert lalr.load_tables(lalr.grammar_text() + "\n// changed\n") is None


@pytest.mark.parametrize("index", range(len(SEEDS)), ids=[str(p.relative_to(ROOT)) for p in SEEDS])
def test_both_routes_agree_on_the_seeds(index: int) -> None:
    _agree(SEED_TEXTS[index])


@FAST
@given(mutated_spec())
def test_both_routes_agree_on_mutated_specs(case: tuple[int, str]) -> None:
    _agree(case[1])


@FAST
@given(random_text)
def test_both_routes_agree_on_random_text(text: str) -> None:
    _agree(text)


def test_contextual_keywords_and_units() -> None:
    """Words that are keywords in one place and names in another, units after numbers."""
    text = """guideline end "t" version "1"
input rule: bool
input when: number in [0, 10] cm
input cm: a | end | b
action imaging "i" imaging within 3 days
disposition done "d" follow_up in 2 weeks
start decide
decision decide "d" first
  rule rule when rule and when >= 5 cm and cm in {end, a} and when in [1, 2) cm end done
  rule end when not rule or -when < -2.5 and when * 2 + 1/2 <= 3 order imaging then decide
  otherwise end done because "x \\"y\\""
"""
    _agree(text)
    fast, _ = _both(text)
    assert fast != "error"


def test_parsing_a_valid_spec_does_not_import_lark() -> None:
    code = (
        "import sys\nfrom dsl.reader import read_guideline\n"
        "r = read_guideline('specs/headache.vp')\nassert r.modules and not r.diagnostics, r.diagnostics\n"
        "print('lark' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def _fresh_parses(text: str, times: int, rows: bool = True) -> list[Any]:
    """A new parser's results on `text`, parsed `times` times: by the tables, then through the replay
    trie step by step, then through its compiled replays (a path is compiled on its second walk):
    each root's expression, one match per segment (`rows`: built when the root is next entered),
    else functions taking the tokens."""
    return _parses(_fresh(rows), text, times)


def _fresh(rows: bool = True) -> lalr.Parser:
    builder = parser._builder()
    fresh = lalr.Parser(parser._tables(), builder, builder.drop)
    fresh.rows_after = 0 if rows else 10**9
    return fresh


def _parses(fresh: lalr.Parser, text: str, times: int) -> list[Any]:
    builder = parser._builder()
    results = []
    for _ in range(times):
        builder.path = "t.vp"
        builder.problems = []
        builder.bad_escape = None
        try:
            value: Any = fresh.parse(text)
        except lalr.Fallback:
            value = "error"
        results.append((value, builder.problems) if value != "error" else "error")
        builder.problems = []
    return results


def _table(rows: list[str]) -> str:
    head = """guideline t "t" version "1"
source g "g"
input region: north | south | east
input fragile: bool
input size_cm: number in [0, 1000] cm
input score: integer in [0, 10]
disposition a "a" discharge
disposition b "b" discharge
start d
decision d "d" first
"""
    return head + "".join(f"rule r{i} {row}\n" for i, row in enumerate(rows)) + "  otherwise end b cite g\n"


_ROWS = [
    'when region == north and fragile and size_cm in [1, 2) end a unrated "s" cite g',
    "when region in {north, south} and not fragile and size_cm >= 3 cm end b cite g",
    'when region != east and (fragile or score < 3) and size_cm * 2 + 1/2 <= 9 end a because "x" cite g "p"',
    "when not (region == south) and score in (1, 5] and size_cm > 2 end b",
    "when region not in {east} implies fragile end a cite g",
]


@pytest.mark.parametrize("order", ["repeat", "cycle", "mixed"])
def test_replayed_rows_parse_as_lark_does(order: str) -> None:
    """Rows of repeated shapes go through the replay trie and its compiled functions; each parse
    (tables, step-by-step replay, compiled replay) gives Lark's module, spans included."""
    if order == "repeat":
        rows = [r for r in _ROWS for _ in range(4)]
    elif order == "cycle":
        rows = _ROWS * 4
    else:
        rows = [_ROWS[(i * i + 3 * i) % len(_ROWS)] for i in range(30)]
    text = _table(rows)
    expected = _lark_result(text)
    assert expected != "error"
    for expressions in (True, False):
        for result in _fresh_parses(text, 4, expressions):
            assert result == expected


def _lark_result(text: str) -> Any:
    builder = parser._builder()
    builder.path = "t.vp"
    builder.problems = []
    builder.bad_escape = None
    got = parser._lark_parse("t.vp", text)
    if not isinstance(got, parser._Val):
        return "error"
    result = (got.value, builder.problems)
    builder.problems = []
    return result


def _rows_agree(text: str, times: int = 4) -> lalr.Parser:
    """Each parse of a fresh parser gives Lark's result (module, spans, problems); returns the parser."""
    expected = _lark_result(text)
    fresh = _fresh()
    for result in _parses(fresh, text, times):
        assert result == expected, text
    return fresh


def _matched_rows(fresh: lalr.Parser) -> int:
    """How many roots of the parser have an expression."""
    return sum(1 for root in fresh._roots.values() if root.rows is not None and root.rows.match is not None)


# Rows of a table whose words sit at the edges of what the scanners take: keywords that begin a
# longer name (`endx` is `end` then `x` where no name is expected, as Lark's contextual lexer has
# it), names that are keywords elsewhere, `true`/`false`/`not` where names are expected, units.
_EDGES = [
    'when region == north and fragile end a unrated "s" cite g',
    'when region == north and fragile endx unrated "s" cite g "p"',
    "when region == notx and notfragile == true and size_cm in [1, 2) cm end a cite g",
    "when region == andx and not fragile and size_cm >= 2 cm end b cite g",
    "when region == inx and score in [1, 5] and size_cm < 3cm end a cite g",
    "when region in {north, endx} and true and size_cm > -2.5 end a cite g",
    "when region == input and false or fragile and score <= 2161/60 end b cite g",
    'when region == north and fragile end a because "x \\"y\\" \\\\ z" cite g "q\\n"',
    "when region == north\tand\tfragile\tend a cite g",
]


@pytest.mark.parametrize("index", range(len(_EDGES)))
def test_rows_at_keyword_and_name_edges(index: int) -> None:
    """Each row shape, repeated, through every route (its expression included) gives Lark's module."""
    row = _EDGES[index]
    fresh = _rows_agree(_table([row] * 6))
    assert _matched_rows(fresh) > 0


def test_rows_mixed_with_comments_and_rows_over_several_lines() -> None:
    """Comments between and after rows, a row over several lines, blank lines: the expression of a
    root never spans a line break (such segments are lexed token by token), positions stay Lark's."""
    rows = [
        "when region == north and fragile end a  # a comment\n",
        "when region == south # a comment inside the row\n  and fragile end b\n",
        "when region == east\n\n  and not fragile\n  and size_cm in [1, 2) end a cite g\n",
        'when region == north and fragile end a unrated "# not a comment" cite g\n',
    ]
    text = _table([r.rstrip("\n") for r in rows * 5]) + "# a comment at the end, without a newline"
    fresh = _rows_agree(text)
    assert _matched_rows(fresh) > 0


def test_rows_with_a_bad_escape_and_syntax_errors() -> None:
    """A bad escape in a replayed row is noted as on the other routes; a row that does not parse
    goes to Lark (Fallback) however many times its shape was seen before."""
    good = 'when region == north and fragile end a unrated "s" cite g'
    _rows_agree(_table([good] * 6 + ['when region == north and fragile end a unrated "bad \\q" cite g']))
    fresh = _fresh()
    text = _table([good] * 6)
    _parses(fresh, text, 4)
    for bad in (
        "when region == north and fragile end",
        "when region == north and and fragile end a",
        "when region == nörth end a",
    ):
        assert _parses(fresh, _table([good] * 6 + [bad]), 1) == ["error"]
        assert _lark_result(_table([good] * 6 + [bad])) == "error"


def test_a_segment_longer_than_an_expression_holds_is_compiled_on_its_tokens() -> None:
    """A segment of more than MAX_ROW tokens is compiled into a function taking its tokens."""
    actions = ", ".join(f"x{i}" for i in range(lalr.MAX_ROW))
    head = "".join(f'action x{i} "x" imaging\n' for i in range(lalr.MAX_ROW))
    text = _table([f"when fragile order {actions} end a"] * 4).replace("source g", head + "source g", 1)
    fresh = _rows_agree(text)
    assert any(node.replay is not None for root in fresh._roots.values() for node in _nodes(root))


def _nodes(root: Any) -> list[Any]:
    out, todo = [], [root]
    while todo:
        node = todo.pop()
        out.append(node)
        todo += [c for c in node.children.values() if c is not None]
    return out


def test_token_patterns_take_what_the_scanner_takes() -> None:
    """A NAME pattern refuses the state's keywords and a keyword found through NAME is NAME's
    whole match; each pattern matches exactly where the state's scanner gives that kind."""
    fresh = _fresh()
    probes = [
        "not",
        "notx",
        "not(",
        "true",
        "end",
        "endx",
        "in",
        "input",
        "x1",
        "-2",
        "2161/60",
        "(",
        "==",
        '"s"',
        "#c",
    ]
    for spec, (terms, unless) in enumerate(fresh._specs):
        state = fresh._state_spec.index(spec)
        scanner = fresh._scanner(state)
        kinds = {*terms, *(k for words in (unless or {}).values() for k in words.values())} - fresh._ignore
        for kind in kinds:
            pattern = fresh._token_pattern(spec, kind)
            if pattern is None:
                continue
            regexp = re.compile(f"(?:{pattern})")
            for probe in probes:
                for text in (probe, probe + " x"):
                    found = scanner[0](text, 0)
                    got = None
                    if found is not None and found.lastindex is not None:
                        group = found.lastindex
                        got_kind = scanner[2][group]
                        words = (scanner[1] or {}).get(got_kind)
                        if words:
                            got_kind = words.get(found[group], got_kind)
                        got = (got_kind, found.end()) if found.start(group) == 0 else None
                    mine = regexp.match(text)
                    if got is not None and got[0] == kind:
                        assert mine is not None and mine.end() == got[1], (spec, kind, text, pattern)
                    else:
                        assert mine is None, (spec, kind, text, pattern)


@pytest.mark.parametrize("index", range(len(SEEDS)), ids=[str(p.relative_to(ROOT)) for p in SEEDS])
def test_replays_agree_on_the_seeds(index: int) -> None:
    """A fresh parser gives the same result on its first, second and third parse of a seed."""
    first, *again = _fresh_parses(SEED_TEXTS[index], 3)
    assert all(r == first for r in again)
