"""Every diagnostic code of the front end, each from a broken spec with inline expectations.

Each `tests/data/dsl/errors/<CODE>_<what>.vp` says what it must produce in comments:

    # expect: VP203 18:17: 'superficail' is not a value of 'depth'
    # expect: VP111 lib/cycle_b.vp:3:8: import cycle: ...   (a position in another file)

and the test asserts exactly those diagnostics (code, position, message), no more and no fewer.
The files are loaded from inside their folder so that paths in messages do not depend on where
pytest runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dsl.codes import CODES
from dsl.diagnostics import Diagnostic
from tests.dsl.support import DATA, Expected, case_id, cases, expectations, found
from veripath.api import load_spec

ERRORS = DATA / "dsl" / "errors"
CASES = cases(ERRORS)
# Codes registered for the front end that no pass reports yet (VP222 'unused-declaration' was one,
# until it was dropped from the registry); each needs a case here once a pass reports it.
NOT_IMPLEMENTED: set[str] = set()


def _load(spec: Path, monkeypatch: pytest.MonkeyPatch) -> list[Diagnostic]:
    monkeypatch.chdir(spec.parent)
    return load_spec(spec.name).diagnostics


@pytest.mark.parametrize("spec", CASES, ids=case_id)
def test_expected_diagnostics(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = expectations(spec)
    assert expected, f"{spec.name} has no '# expect:' comment"
    assert spec.name.split("_")[0] in {e.code for e in expected}, "the file name must start with a code it expects"
    diagnostics = _load(spec, monkeypatch)
    actual = sorted(found(d) for d in diagnostics)
    assert actual == expected
    for d in diagnostics:
        assert d.severity is d.code.severity  # VP246 is a warning; every other code here an error
        assert CODES[d.code.code] is d.code


def test_every_front_end_code_has_a_case() -> None:
    front_end = {c for c in CODES if c.startswith(("VP1", "VP2"))}
    covered = {e.code for spec in CASES for e in expectations(spec)}
    assert front_end - NOT_IMPLEMENTED - covered == set()
    assert covered <= set(CODES)


def _one(spec: str, code: str, monkeypatch: pytest.MonkeyPatch) -> list[Diagnostic]:
    return [d for d in _load(ERRORS / spec, monkeypatch) if d.code.code == code]


def test_hints_suggest_close_names(monkeypatch: pytest.MonkeyPatch) -> None:
    hints = {d.message: d.hint for d in _one("VP201_undefined_name.vp", "VP201", monkeypatch)}
    assert hints["undefined name 'depht'"] == "did you mean 'depth'?"
    assert hints["undefined action 'ctt'"] is None  # nothing close enough
    assert hints["undefined decision 'secnd'"] == "did you mean 'second'?"
    assert hints["undefined disposition 'reasure'"] == "did you mean 'reassure'?"
    (value,) = [d for d in _one("VP203_unknown_value.vp", "VP203", monkeypatch) if "superficail" in d.message]
    assert value.hint == "did you mean 'superficial'?"


def test_syntax_hints_say_what_was_expected(monkeypatch: pytest.MonkeyPatch) -> None:
    (quotes,) = _one("VP102_single_quotes.vp", "VP102", monkeypatch)
    assert quotes.hint == 'strings use straight double quotes (")'
    (colon,) = _one("VP103_unexpected_token.vp", "VP103", monkeypatch)
    assert colon.hint == "expected ':', a \"string\""
    (policy,) = _one("VP103_missing_hit_policy.vp", "VP103", monkeypatch)
    assert policy.hint == "expected a hit policy (unique, first, priority, any)"
    (eof,) = _one("VP104_truncated.vp", "VP104", monkeypatch)
    assert eof.hint is not None and "a name" in eof.hint


def test_duplicates_point_back_at_the_first_declaration(monkeypatch: pytest.MonkeyPatch) -> None:
    dups = _one("VP202_duplicate_name.vp", "VP202", monkeypatch)
    for d in dups:
        assert len(d.notes) == 1
        note = d.notes[0]
        assert note.span is not None and d.span is not None
        assert (note.span.line, note.span.column) < (d.span.line, d.span.column)


def test_cycle_notes_name_each_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    (cycle,) = _one("VP210_pathway_cycle.vp", "VP210", monkeypatch)
    assert [n.message for n in cycle.notes] == ["decision 'first'", "decision 'second'"]
    assert cycle.hint == "bound the loop with 'at most N visits' on decision 'first'"


def test_expectations_are_unique_positions() -> None:
    # Two identical expectations would hide a missing diagnostic.
    for spec in CASES:
        exp: list[Expected] = expectations(spec)
        assert len(exp) == len(set(exp)), spec.name


def test_rating_hints_name_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    (action,) = [d for d in _one("VP211_bad_rating.vp", "VP211", monkeypatch) if "'us'" in d.message]
    assert action.hint == "'us' is an action: name its category after it, e.g. rated us usually_appropriate 9"
    (choice,) = [d for d in _one("VP227_rating_target.vp", "VP227", monkeypatch) if "by name" in d.message]
    assert choice.hint == "the source rates each procedure: rated xr CATEGORY SCORE; rated us CATEGORY SCORE"
    (also,) = [d for d in _one("VP227_rating_target.vp", "VP227", monkeypatch) if "not 'also rated'" in d.message]
    assert also.hint == "rated xr usually_appropriate 9"
    (twice,) = [d for d in _one("VP228_rated_twice.vp", "VP228", monkeypatch) if "'xr'" in d.message]
    assert [n.message for n in twice.notes] == ["first rated here"]
    (two,) = [d for d in _one("VP226_bad_choice.vp", "VP226", monkeypatch) if "two options" in d.message]
    assert two.hint == "order it directly: order us"
