"""Conditional properties whose `when` tests findings: three-valued where the property is checked.

A test on a finding is unknown until the study that reveals it has been ordered on the path (its
result is known after that order step), and the property applies only where its condition is
definitely true. Every counterexample names each fact the condition tests: an input or a revealed
finding with its value, or a finding said not to be known where the violation happens.
"""

from __future__ import annotations

from pathlib import Path

from tests.verify.helpers import shows_every_tested_fact, validate
from verify import Verdict, verify_graph
from veripath.api import load_spec
from veripath.render import render_text

# The spec of the issue: MRI-contraindicated patients get an MRI before any US (`first.r1`).
SPEC = """guideline omitted "Omitted finding" version "1"
source s "S"
input ci: bool
action us "US" imaging modality us
action mri "MRI" imaging modality mri cross_sectional
finding us_result from us: benign | suspicious
disposition done "Done" discharge
start first
decision first "First" first
  when ci order mri then later unrated "t" cite s
  otherwise order us then second unrated "t" cite s
decision second "Second" first
  when us_result == suspicious order mri end done unrated "t" cite s
  otherwise end done unrated "t" cite s
decision later "Later" first
  otherwise order us end done unrated "t" cite s
"""


def _check(tmp_path: Path, prop: str) -> tuple[Verdict, str]:
    spec = tmp_path / "omitted.vp"
    spec.write_text(SPEC + f"property p: {prop}\n", encoding="utf-8")
    loaded = load_spec(str(spec))
    assert loaded.graph is not None, [d.message for d in loaded.diagnostics]
    graph = loaded.graph
    (result,) = [r for r in verify_graph(graph).results if r.check == "property:p"]
    if result.diagnostic is None:
        return result.verdict, ""
    validate(graph, result.diagnostic)
    assert result.diagnostic.evidence is not None and result.diagnostic.evidence.counterexample is not None
    shows_every_tested_fact(graph.model, "p", result.diagnostic.evidence.counterexample)
    return result.verdict, render_text(result.diagnostic, loaded.sources)


def test_a_finding_not_yet_revealed_does_not_make_the_property_apply(tmp_path: Path) -> None:
    """The issue's counterexample was `ci = true` with MRI before any US: it tested a US result
    the path had not revealed (and did not show it). The US is not known when that MRI is
    ordered, so the property does not apply there; the MRI after a suspicious US violates it."""
    verdict, text = _check(tmp_path, "when us_result == suspicious never mri")
    assert verdict is Verdict.REFUTED
    assert "patient: ci = false, us_result = suspicious" in text
    assert "-> finding us_result = suspicious" in text
    assert text.rstrip().splitlines()[-2].strip().startswith("-> violation: mri is ordered  (")


def test_a_counterexample_names_a_tested_finding_that_is_not_known(tmp_path: Path) -> None:
    verdict, text = _check(tmp_path, "when ci or us_result == benign never mri")
    assert verdict is Verdict.REFUTED
    assert "patient: ci = true\n" in text
    assert (
        "-> violation: mri is ordered (us_result is not known at this point; the condition holds whatever the result)"
        in text
    )


def test_the_results_of_an_order_step_are_known_after_it(tmp_path: Path) -> None:
    """`never mri` on a path that orders US: the violating order step's own results are not shown."""
    verdict, text = _check(tmp_path, "when not ci never us")
    assert verdict is Verdict.REFUTED
    assert "finding us_result" not in text and "patient: ci = false\n" in text


def test_proved_where_the_condition_is_never_known_at_the_violation(tmp_path: Path) -> None:
    # the MRI for ci comes before the US; the other MRI follows a suspicious US
    assert _check(tmp_path, "when us_result == benign never mri")[0] is Verdict.PROVED
    assert _check(tmp_path, "when ci and us_result == suspicious never mri")[0] is Verdict.PROVED


def test_always_before_is_never_before_with_the_sets_swapped(tmp_path: Path) -> None:
    for always, never in [
        ("always us before mri", "never mri before us"),
        ("when not ci always us before mri", "when not ci never mri before us"),
        ("when us_result == suspicious always us before mri", "when us_result == suspicious never mri before us"),
    ]:
        assert _check(tmp_path, always)[0] is _check(tmp_path, never)[0], always


def test_disposition_properties_read_findings_at_the_end(tmp_path: Path) -> None:
    verdict, text = _check(tmp_path, "when us_result == suspicious never end in any discharge")
    assert verdict is Verdict.REFUTED
    assert "-> violation: the pathway ends in done (in any discharge)" in text
    assert _check(tmp_path, "when us_result == suspicious always end done")[0] is Verdict.PROVED
    assert _check(tmp_path, "always end in {done}")[0] is Verdict.PROVED


REPEAT = """guideline repeat "A study ordered again once its result is known" version "1"
source s "S"
action us "US" imaging modality us
action mri "MRI" imaging modality mri cross_sectional
action ct "CT" imaging modality ct cross_sectional
finding us_result from us: benign | suspicious
disposition done "Done" discharge
start first
decision first "First" first
  otherwise order us, mri then second unrated "t" cite s
decision second "Second" first
  when us_result == suspicious order mri end done unrated "t" cite s
  otherwise end done unrated "t" cite s
"""


def test_a_violation_that_does_not_apply_yet_does_not_end_the_search(tmp_path: Path) -> None:
    """The first MRI is ordered with the US (its result unknown): no violation there. The path
    goes on, and the second MRI, after a suspicious US, violates the property. (A monitor whose
    violation state was final missed it: the only path to the second MRI passes the first.)"""
    spec = tmp_path / "repeat.vp"
    for prop in ("when us_result == suspicious never mri", "when us_result == suspicious never mri before ct"):
        spec.write_text(REPEAT + f"property p: {prop}\n", encoding="utf-8")
        loaded = load_spec(str(spec))
        assert loaded.graph is not None
        (result,) = [r for r in verify_graph(loaded.graph).results if r.check == "property:p"]
        assert result.verdict is Verdict.REFUTED, prop
        assert result.diagnostic is not None
        validate(loaded.graph, result.diagnostic)
        text = render_text(result.diagnostic, loaded.sources)
        assert "patient: us_result = suspicious" in text
        assert "-> decision second (Second): rule r1 applies: us_result == suspicious" in text
