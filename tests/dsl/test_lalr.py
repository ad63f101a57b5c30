"""The fast LALR route (dsl/lalr.py) parses exactly as Lark does, from tables that are current.

Both routes build the AST with the same methods; these tests check, on every seed file and
on random mutations of them, that the fast route gives the same module (spans included) and
the same post-parse problems as Lark's parser, and that it gives up (Fallback) exactly where
Lark raises, so that syntax errors are always Lark's.
"""

from __future__ import annotations

import json
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


def _fresh_parses(text: str, times: int) -> list[Any]:
    """A new parser's results on `text`, parsed `times` times: by the tables, then through the replay
    trie step by step, then through its compiled replays (a path is compiled on its second walk)."""
    builder = parser._builder()
    fresh = lalr.Parser(parser._tables(), builder, builder.drop)
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
    got = parser._lark_parse("t.vp", text)
    assert isinstance(got, parser._Val)
    builder = parser._builder()
    expected = (got.value, builder.problems)
    builder.problems = []
    for result in _fresh_parses(text, 3):
        assert result == expected


@pytest.mark.parametrize("index", range(len(SEEDS)), ids=[str(p.relative_to(ROOT)) for p in SEEDS])
def test_replays_agree_on_the_seeds(index: int) -> None:
    """A fresh parser gives the same result on its first, second and third parse of a seed."""
    first, *again = _fresh_parses(SEED_TEXTS[index], 3)
    assert all(r == first for r in again)
