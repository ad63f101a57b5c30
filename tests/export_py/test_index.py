"""The bitset index of the generated module against its linear if-chain, on benchmark tables."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import table
from compiler.export_python import export_python
from compiler.lookup import Space, approx, build_index
from compiler.lower import lower
from compiler.stamp import Stamp
from tests.export_py.support import candidates, import_text


@pytest.mark.parametrize("policy", ["unique", "first"])
def test_index_agrees_with_the_chain(policy: str, tmp_path: Path) -> None:
    case = table(80, 8, policy=policy, seed=3, path=str(tmp_path / "t.vp"))
    Path(case.model.path).write_text(case.text, encoding="utf-8")
    graph = lower(case.model)
    stamp = Stamp(verdict="skipped")
    index = import_text(export_python(graph, stamp=stamp, root=str(tmp_path)), tmp_path, f"idx_{policy}")
    chain = import_text(
        export_python(graph, stamp=stamp, root=str(tmp_path), lookup="chain"), tmp_path, f"chn_{policy}"
    )
    decision = case.model.decisions[0].name
    rng = random.Random(0)
    # every threshold and its neighbours, so each cell (point or open interval) is visited
    values = {v.name: candidates(case.model, v) for v in case.model.inputs}
    results: set[int] = set()
    for _ in range(3000):
        facts: dict[str, Any] = index.check({name: rng.choice(vals) for name, vals in values.items()})
        got = index.lookup(decision, facts)
        assert got == chain.lookup(decision, facts), facts
        results.add(got)
        assert repr(index.recommend(facts)) == repr(chain.recommend(facts))
    assert len(results) > 10


def test_index_changes_rebuild_each_cell() -> None:
    case = table(40, 6, policy="unique", seed=5, path="t.vp")
    rules = case.model.decisions[0].rules
    space = Space(case.model, [r.cond for r in rules])
    approxes = [approx(space, r.cond) for r in rules]
    index = build_index(space, approxes)
    assert index.dims and not index.loose
    for j, dim in enumerate(index.dims):
        for cell, admitted in enumerate(index.cells(j)):
            want = {i for i in index.live if cell in approxes[i].box.get(dim.var, dim.full)}
            assert admitted == want, (dim.var, cell)


def test_loose_rules_are_checked_on_the_facts(tmp_path: Path) -> None:
    text = """guideline loose "Loose" version "1"

source s "S"

input a "A": integer in [0, 10] years
input b "B": integer in [0, 10] years
input c "C": bool

disposition low "Low" reassure
disposition high "High" reassure

start pick

decision pick "Pick" first
  when a < b or c
    end low
    unrated "u" cite s
  otherwise
    end high
    unrated "u" cite s
"""
    path = tmp_path / "loose.vp"
    path.write_text(text, encoding="utf-8")
    from veripath.api import load_spec

    loaded = load_spec(str(path))
    assert loaded.graph is not None, loaded.diagnostics
    graph = loaded.graph
    module = import_text(export_python(graph, stamp=Stamp(verdict="skipped"), root=str(tmp_path)), tmp_path, "loose")
    assert module._LOOSE[0] != 0
    for a in range(0, 11, 2):
        for b in range(0, 11, 3):
            for c in (False, True):
                want = "low" if a < b or c else "high"
                assert module.walk({"a": a, "b": b, "c": c}).disposition.name == want
