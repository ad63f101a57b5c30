"""The shipped specs: every file under specs/ loads without a diagnostic, and each guideline's
decision graph draws the same Mermaid diagram as `tests/data/compiler/specs/<name>.expected.mmd`.

After an intended change to a spec, run `pytest tests/compiler --update-golden` and review the diff.
The tests are skipped only while specs/ holds no .vp file.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from compiler.export_diagram import to_mermaid
from tests.dsl.support import DATA, SPECS, check_golden
from veripath.api import load_spec

SPEC_FILES = sorted(SPECS.rglob("*.vp")) if SPECS.is_dir() else []
GOLDEN = DATA / "compiler" / "specs"
needs_specs = pytest.mark.skipif(not SPEC_FILES, reason="specs/ has no .vp files yet")


def _id(path: Path) -> str:
    return path.relative_to(SPECS).as_posix()


@needs_specs
def test_there_is_a_guideline() -> None:
    assert any(load_spec(str(p)).graph is not None for p in SPEC_FILES), "no shipped guideline compiles"


@needs_specs
@pytest.mark.parametrize("spec", SPEC_FILES, ids=_id)
def test_shipped_spec_loads_without_diagnostics(spec: Path) -> None:
    loaded = load_spec(str(spec))
    assert [f"{d.span}: {d.message} [{d.code}]" for d in loaded.diagnostics] == []
    assert loaded.model is not None
    if loaded.model.kind == "guideline":
        assert loaded.graph is not None
        assert nx.is_directed_acyclic_graph(loaded.graph.graph)
        assert loaded.model.examples, "a shipped guideline carries examples"


@needs_specs
@pytest.mark.parametrize("spec", SPEC_FILES, ids=_id)
def test_shipped_spec_mermaid_is_stable(spec: Path, update_golden: bool) -> None:
    first, second = load_spec(str(spec)), load_spec(str(spec))
    if first.graph is None:
        assert first.model is not None and first.model.kind == "catalogue"
        return
    assert second.graph is not None
    mermaid = to_mermaid(first.graph)
    assert mermaid == to_mermaid(second.graph)
    golden = GOLDEN / (spec.relative_to(SPECS).with_suffix("").as_posix().replace("/", "__") + ".expected.mmd")
    check_golden(mermaid, golden, update_golden)


def test_no_stale_spec_goldens() -> None:
    guidelines = {p.relative_to(SPECS).with_suffix("").as_posix().replace("/", "__") for p in SPEC_FILES}
    stale = [g.name for g in GOLDEN.glob("*.expected.mmd") if g.name.removesuffix(".expected.mmd") not in guidelines]
    assert stale == [], "golden files for specs that no longer exist"
