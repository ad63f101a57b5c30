"""An `otherwise` rule needs one patient that no earlier rule takes (its witness), never a
region to report: Z3's gap search stops at that patient instead of widening a box around it.

Widening costs a solver query per step of every dimension when the earlier rules are not boxes
(disjunctions of unrelated conditions, as in the headache spec's red flags); it was most of the
time `veripath check specs/` spent on that spec. A gap (no `otherwise`) is still widened into
the region the diagnostic reports.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import verify.tables.gap as gap
from dsl.codes import GAP
from tests.verify.helpers import load_graph
from verify import SolverOptions, verify_graph
from verify.results import Verdict

HEAD = """\
guideline w "W" version "1"
source src "Test source"
input a: bool
input b: bool
input c: bool
input d: bool
input e: bool
input age: integer in [0, 120] years
disposition yes "Yes" refer
disposition no "No" reassure
start t
decision t "T" first
  rule flags when a or b or age > 50 years end yes unrated "t" cite src
  rule mixed when c and (d or e) end yes unrated "t" cite src
"""


def _never(*args: object, **kwargs: object) -> object:
    raise AssertionError("an otherwise witness was widened into a region")


def test_otherwise_witness_is_found_without_widening(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "w.vp"
    spec.write_text(HEAD + '  rule rest otherwise end no unrated "t" cite src\n', encoding="utf-8")
    monkeypatch.setattr(gap, "widen_z3", _never)
    monkeypatch.setattr(gap, "widen", _never)
    report = verify_graph(load_graph(spec), SolverOptions())
    assert report.diagnostics() == []
    rest = [r for r in report.results if r.check.startswith("dead:t:") and r.check.endswith(":rest")]
    assert [r.verdict for r in rest] == [Verdict.PROVED]


def test_a_gap_is_still_widened_into_a_region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "g.vp"
    spec.write_text(HEAD, encoding="utf-8")
    calls: list[object] = []
    real = gap.widen_z3

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gap, "widen_z3", counting)
    diags = verify_graph(load_graph(spec), SolverOptions()).diagnostics()
    assert diags and {d.code for d in diags} == {GAP}
    assert calls, "the gap regions were not widened"
