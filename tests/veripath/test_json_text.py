"""`render_json.dumps` writes exactly what `json.dumps(json_safe(doc), indent=2, ensure_ascii=False)` writes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from verify.results import CheckResult, Verdict
from veripath.render_json import CheckRecords, dumps, json_pieces, json_safe

TEXT = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["", "é", "\udcff", "\\udcff", "x\ny", '"q"', "\u2028", "\x00", "日本", "\ud800x", "a\tb"]),
)
SCALARS = st.one_of(
    TEXT,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
KEYS = st.one_of(TEXT, st.integers(-3, 3), st.floats(allow_nan=False), st.booleans(), st.none())
DOCS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(TEXT, inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=3),
    ),
    max_leaves=30,
)


def reference(doc: Any) -> str:
    return json.dumps(json_safe(doc), indent=2, ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(DOCS)
def test_dumps_is_json_dumps(doc: Any) -> None:
    text = reference(doc)
    assert dumps(doc) == text
    assert "".join(json_pieces(doc)) == text


def test_dumps_report_shapes() -> None:
    check = {"id": "dead:d:r1", "name": "g.d.rules", "claim": "every rule of decision 'd' can apply"}
    doc = {
        "files": [{"checks": [{**check, "verdict": "proved", "seconds": 1.2e-05}] * 3, "outputs": []}],
        "summary": {"decisions": {"checked": 1}, "undecided": 0, "ok": True, "none": None},
        "surrogates": {"\udcff": "a\udcffb", "\\udcff": 1},  # keys that json_safe merges
    }
    assert dumps(doc) == reference(doc) == "".join(json_pieces(doc))


def test_check_records_are_written_as_their_dicts() -> None:
    results = [CheckResult(f"dead:d:r{k}", Verdict.PROVED, None, 1e-05 * k) for k in range(3)]
    records = CheckRecords(results, "g")
    plain = list(records)
    assert plain[0] == {
        "id": "dead:d:r0",
        "name": "g.d.rules",
        "claim": "every rule of decision 'd' can apply",
        "verdict": "proved",
        "seconds": 0.0,
    }
    lazy = {"files": [{"checks": records, "examples": CheckRecords([], "g")}]}
    eager = {"files": [{"checks": plain, "examples": []}]}
    assert "".join(json_pieces(lazy)) == dumps(lazy) == dumps(eager) == reference(eager)
