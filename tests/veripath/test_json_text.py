"""`render_json.dumps` (orjson) writes the layout of `json.dumps(json_safe(doc), indent=2, ensure_ascii=False)`:
byte for byte for documents without floats, the same values for documents with them."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from veripath.render_json import dumps, json_safe

TEXT = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["", "é", "\udcff", "\\udcff", "x\ny", '"q"', "\u2028", "\x00", "\x7f", "日本", "\ud800x", "a\tb"]),
)
EXACT = st.one_of(TEXT, st.integers(min_value=-(2**63), max_value=2**64 - 1), st.booleans(), st.none())
KEYS = st.one_of(TEXT, st.integers(-3, 3), st.booleans(), st.none())


def documents(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
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
@given(documents(EXACT))
def test_same_text_as_the_json_module(doc: Any) -> None:
    assert dumps(doc) == reference(doc)


@settings(max_examples=200, deadline=None)
@given(documents(st.one_of(EXACT, st.floats(allow_nan=False, allow_infinity=False))))
def test_same_values_as_the_json_module(doc: Any) -> None:
    assert json.loads(dumps(doc)) == json.loads(reference(doc))


def test_timings_and_the_fallback() -> None:
    # a timing is written without an exponent; an integer beyond 64 bits still gets written
    assert dumps({"seconds": 1.2e-05}) == '{\n  "seconds": 0.000012\n}'
    assert dumps([2**70]) == "[\n  1180591620717411303424\n]"
    assert math.isclose(json.loads(dumps([1e300]))[0], 1e300)


def test_report_shapes() -> None:
    check = {"id": "dead:d:r1", "name": "g.d.rules", "claim": "every rule of decision 'd' can apply"}
    doc = {
        "files": [{"checks": [{**check, "verdict": "proved"}] * 3, "outputs": [], "diagnostics": []}],
        "summary": {"decisions": {"checked": 1}, "undecided": 0, "ok": True, "none": None},
        "surrogates": {"\udcff": "a\udcffb", "path": "caf\udce9.vp"},
    }
    assert dumps(doc) == reference(doc)
    assert "\\\\udcff" in dumps(doc)  # a lone surrogate is written as the text of its escape
