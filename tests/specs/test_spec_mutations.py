"""The shipped spec is not clean by accident: break it and the verifier must notice.

- Removing any one rule of specs/soft_tissue_mass.vp makes `check` fail, and where no
  `otherwise` rule can absorb the patients, the finding is a gap (VP301) at that decision
  whose counterexample patient is one the removed rule used to handle.
- Seeds 003 (thigh: MRI) and 004 (flank: CT) conflict once the anatomic region that
  separates them is removed from decision `mineralised`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dsl.codes import CONFLICT, GAP, UNREACHABLE_DECISION
from dsl.diagnostics import Diagnostic
from dsl.model import Rule, Value, flatten_facts
from verify import SolverOptions, evaluate, run_examples, verify_graph
from veripath.api import load, load_spec

ROOT = Path(__file__).resolve().parent.parent.parent
SPEC = ROOT / "specs" / "soft_tissue_mass.vp"
RULES: list[Rule] = [r for d in load(str(SPEC)).decisions for r in d.rules]


def _copy_specs(tmp_path: Path) -> Path:
    target = tmp_path / "specs"
    shutil.copytree(ROOT / "specs", target)
    return target / "soft_tissue_mass.vp"


def _findings(path: Path) -> list[Diagnostic]:
    loaded = load_spec(str(path))
    if loaded.graph is None:  # the front end already objects (e.g. a decision became unreachable)
        return loaded.diagnostics
    report = verify_graph(loaded.graph, SolverOptions())
    return [*report.diagnostics(), *run_examples(loaded.graph).diagnostics()]


def _patient(diag: Diagnostic) -> dict[str, Value]:
    assert diag.counterexample is not None
    return flatten_facts(diag.counterexample.values())


def test_the_shipped_spec_is_clean() -> None:
    assert [(d.code, d.message) for d in _findings(SPEC) if d.is_error] == []


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_removing_a_rule_is_caught(rule: Rule, tmp_path: Path) -> None:
    copy = _copy_specs(tmp_path)
    lines = copy.read_text(encoding="utf-8").split("\n")
    for i in range(rule.span.line - 1, rule.span.end_line):
        lines[i] = ""  # blank, so every other line keeps its number
    copy.write_text("\n".join(lines), encoding="utf-8")

    errors = [d for d in _findings(copy) if d.is_error]
    assert errors, f"removing {rule.id} went unnoticed"
    if any(d.code == UNREACHABLE_DECISION for d in errors):
        assert rule.goto is not None, "only a rule that leads to a decision can make one unreachable"
        return
    decision = load(str(SPEC)).decision(rule.decision)
    absorbed = any(r.is_otherwise for r in decision.rules if r is not rule)
    if absorbed:
        return  # its patients now take the 'otherwise' rule: a property or an example must object
    gaps = [d for d in errors if d.code == GAP and d.span is not None and d.span.line == decision.span.line]
    assert gaps, f"expected a gap at decision {decision.name}, got {[d.code.code for d in errors]}"
    patient = _patient(gaps[0])
    assert rule.is_otherwise or evaluate(rule.cond, patient), "the gap patient is not one the rule handled"


NEWER = ("flank_pain_stone", "headache")
NEWER_RULES: list[tuple[str, Rule]] = [
    (name, r) for name in NEWER for d in load(str(ROOT / "specs" / f"{name}.vp")).decisions for r in d.rules
]


@pytest.mark.parametrize(("name", "rule"), NEWER_RULES, ids=[f"{n}:{r.id}" for n, r in NEWER_RULES])
def test_removing_a_rule_of_the_newer_guidelines_is_caught(name: str, rule: Rule, tmp_path: Path) -> None:
    """Every rule of the 2023 flank-pain and 2022 headache specs is needed: without it a gap, a
    property, an example or the front end objects."""
    target = tmp_path / "specs"
    shutil.copytree(ROOT / "specs", target)
    copy = target / f"{name}.vp"
    lines = copy.read_text(encoding="utf-8").split("\n")
    for i in range(rule.span.line - 1, rule.span.end_line):
        lines[i] = ""
    copy.write_text("\n".join(lines), encoding="utf-8")
    assert [d for d in _findings(copy) if d.is_error], f"removing {rule.id} from {name} went unnoticed"


def test_seed_003_and_004_conflict_without_the_region(tmp_path: Path) -> None:
    copy = _copy_specs(tmp_path)
    text = copy.read_text(encoding="utf-8")
    naive = text.replace("when region == extremity and not mri_contraindicated", "when not mri_contraindicated")
    naive = naive.replace("when region == complex_anatomy", "when true")
    assert naive != text
    copy.write_text(naive, encoding="utf-8")

    conflicts = [d for d in _findings(copy) if d.code == CONFLICT]
    pair = [d for d in conflicts if "seed003_extremity_mri" in d.message and "seed004_complex_ct" in d.message]
    assert pair, [d.message for d in conflicts]
    patient = _patient(pair[0])
    assert not patient["mri_contraindicated"]
    assert "mineralisation" in (patient.get("xr_result"), patient.get("us_result"))
