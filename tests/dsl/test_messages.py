"""Messages that used to mislead, and the bounds on loop unrolling."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import compiler.lower  # noqa: F401  (the package exports the function under the module's name)
from veripath.api import SpecError, compile, load_spec

lowering = sys.modules["compiler.lower"]

HEAD = 'guideline g "G" version "1"\nsource s "S"\ndisposition ok "OK" reassure\n'


def _write(tmp_path: Path, body: str) -> str:
    spec = tmp_path / "g.vp"
    spec.write_text(HEAD + body, encoding="utf-8")
    return str(spec)


def test_a_use_of_a_rejected_input_is_not_a_second_error(tmp_path: Path) -> None:
    spec = _write(
        tmp_path,
        'input age "Age": integer in [120, 0] years\nstart d\ndecision d "D" first\n'
        "  when age > 5 end ok rated usually_appropriate 9 cite s\n"
        "  otherwise end ok rated usually_appropriate 9 cite s\n",
    )
    diags = load_spec(spec).diagnostics
    assert [d.code.code for d in diags] == ["VP216"]
    assert all("not an input or finding" not in d.message for d in diags)


LOOP = (
    "input again: bool\nstart review\n"
    'decision review "Review" first at most {n} visits\n'
    "  when again then review rated usually_appropriate 9 cite s\n"
    "  otherwise end ok rated usually_appropriate 9 cite s\n"
)


def test_the_largest_visit_bound_is_accepted(tmp_path: Path) -> None:
    loaded = load_spec(_write(tmp_path, LOOP.format(n=lowering.MAX_VISITS)))
    assert loaded.diagnostics == [] and loaded.graph is not None
    assert f"decision:review@{lowering.MAX_VISITS - 1}" in loaded.graph.graph


@pytest.mark.parametrize("n", [lowering.MAX_VISITS + 1, 100_000, 10**20])
def test_visit_bounds_above_the_limit_are_rejected(tmp_path: Path, n: int) -> None:
    loaded = load_spec(_write(tmp_path, LOOP.format(n=n)))
    assert [(d.code.code, d.message) for d in loaded.diagnostics] == [
        ("VP221", f"a visit bound must be at most {lowering.MAX_VISITS}, not {n:,}")
    ]
    assert loaded.graph is None


def test_a_graph_over_the_size_limit_is_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lowering, "MAX_GRAPH_SIZE", 50)
    loaded = load_spec(_write(tmp_path, LOOP.format(n=40)))
    (d,) = loaded.diagnostics
    assert d.code.code == "VP224" and d.span is not None and d.span.line == 6
    assert (
        d.message
        == "the decision graph would have more than 50 nodes and edges once the loops through 'review' are unrolled"
    )
    assert loaded.graph is None and loaded.model is not None
    with pytest.raises(SpecError) as err:
        compile(loaded.model)
    assert [x.code.code for x in err.value.diagnostics] == ["VP224"]
