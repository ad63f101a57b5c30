"""`veripath mutate`: the operators, the verdict on each mutant, equivalence, the reports and the CLI.

The planted spec (tests/data/mutate/planted.vp) has a rule an example pins (its mutants are
killed), a rule inside another rule's region with the same outcome (moving its threshold is
equivalent) and a rule no example reaches (its mutants survive).
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from dsl import model as m
from dsl.cond import named
from tests.cli.support import run
from verify.equivalence import compare_decision
from verify.results import DEFAULT_OPTIONS, Verdict
from veripath.api import load_spec
from veripath.mutate import OPERATORS, engine
from veripath.mutate.engine import MutantResult, Subject, score, worst_score
from veripath.mutate.operators import Mutant, mutants, threshold_step, with_rules
from veripath.pipeline import Options
from veripath.status import ExitCode

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "mutate"
PLANTED = DATA / "planted.vp"
DEFINES = DATA / "defines.vp"
FINDINGS = ROOT / "tests" / "data" / "cli" / "findings.vp"
BROKEN = ROOT / "tests" / "data" / "cli" / "broken.vp"
TIME = re.compile(r" \(\d+\.\d s\)$", re.M)


@pytest.fixture(scope="module")
def subject() -> Subject:
    return Subject(str(PLANTED), Options())


@pytest.fixture(scope="module")
def results(subject: Subject) -> dict[str, MutantResult]:
    return {mu.id: subject.run(mu) for mu in subject.mutants}


def _mutant(subject: Subject, mutant_id: str) -> Mutant:
    return subject.by_id[mutant_id]


# -- the operators ------------------------------------------------------------------------------------


def test_threshold_steps() -> None:
    assert threshold_step(Fraction(10), integer=True) == 1
    assert threshold_step(Fraction(5, 2), integer=True) == 1
    assert threshold_step(Fraction(10), integer=False) == 1
    assert threshold_step(Fraction(5, 2), integer=False) == Fraction(1, 10)
    assert threshold_step(Fraction(1, 4), integer=False) == Fraction(1, 100)
    assert threshold_step(Fraction(2161, 60), integer=False) == Fraction(1, 60)


def test_every_operator_applies_and_ids_are_stable(subject: Subject) -> None:
    ids = [mu.id for mu in subject.mutants]
    assert len(ids) == len(set(ids))
    assert {mu.operator for mu in subject.mutants} == set(OPERATORS) - {"swap-goto"}  # one `then` only, to after_us
    again = load_spec(str(PLANTED))
    assert again.model is not None and again.read is not None
    assert [(mu.id, mu.description, mu.span) for mu in mutants(again.model, again.read.modules)] == [
        (mu.id, mu.description, mu.span) for mu in subject.mutants
    ]


def test_what_each_operator_changes(subject: Subject) -> None:
    described = {mu.id: (mu.span.line, mu.span.column, mu.description) for mu in subject.mutants}
    assert described["first.deep:swap-end:1"] == (31, 19, "end refer -> end reassure")
    assert described["first.superficial:drop-order:1"] == (27, 11, "order us deleted")
    assert described["first.superficial:swap-action:1"] == (27, 11, "order us -> order mri")
    assert described["after_us.benign_small:shift-threshold:1"] == (36, 32, "size_cm < 5 cm -> size_cm < 4 cm")
    assert described["after_us.benign_small:shift-threshold:2"] == (36, 32, "size_cm < 5 cm -> size_cm < 6 cm")
    assert described["after_us.benign_small:flip-bound:1"] == (36, 32, "size_cm < 5 cm -> size_cm <= 5 cm")
    assert described["after_us.benign_small:negate-conjunct:2"] == (36, 32, "size_cm < 5 cm -> size_cm >= 5 cm")
    assert described["after_us.benign_small:drop-conjunct:1"] == (36, 8, "'us_result == benign' deleted")
    assert described["after_us.benign_small:swap-value:1"] == (36, 8, "benign -> suspicious in 'us_result == benign'")
    assert described["after_us.benign_small:drop-rule:1"] == (35, 3, "rule benign_small deleted")
    assert described["after_us.benign_mid:swap-outcomes:1"] == (
        41,
        9,
        "end reassure <-> order mri end refer (rule large)",
    )
    # an `otherwise` rule's implicit condition is not mutated
    assert not any(i.startswith("after_us.large:") and "conjunct" in i for i in described)


def test_a_negated_test_is_described_as_written(tmp_path: Path) -> None:
    spec = tmp_path / "x.vp"
    spec.write_text(
        PLANTED.read_text(encoding="utf-8").replace("  when depth == deep\n", "  when depth != superficial\n"),
        encoding="utf-8",
    )
    s = Subject(str(spec), Options())
    assert s.by_id["first.deep:swap-value:1"].description == "superficial -> deep in 'depth != superficial'"
    assert s.by_id["first.deep:negate-conjunct:1"].description == "depth != superficial -> depth == superficial"


def test_the_actions_and_options_of_a_choice(tmp_path: Path) -> None:
    spec = tmp_path / "x.vp"
    spec.write_text(
        PLANTED.read_text(encoding="utf-8").replace(
            "    order mri end refer\n    rated usually_appropriate 9 cite acr\n\ndecision after_us",
            "    order one of {mri, (us, mri)} end refer\n"
            "    rated mri usually_appropriate 9 rated us usually_appropriate 8 cite acr\n\ndecision after_us",
        ),
        encoding="utf-8",
    )
    s = Subject(str(spec), Options())
    assert s.runnable, [d.message for d in s.original.diagnostics]
    mine = {mu.id: (mu.span.column, mu.description) for mu in s.mutants if mu.owner == "first.deep"}
    assert mine["first.deep:swap-action:1"] == (19, "order mri -> order us in option mri of one of {mri, (us, mri)}")
    assert mine["first.deep:swap-action:2"] == (
        25,
        "order us -> order mri in option (us, mri) of one of {mri, (us, mri)}",
    )
    assert mine["first.deep:drop-order:1"] == (11, "order one of {mri, (us, mri)} deleted")
    assert mine["first.deep:drop-order:2"] == (19, "option mri deleted from one of {mri, (us, mri)}")
    dropped = s.by_id["first.deep:drop-order:2"].decisions[0].rules[1]
    assert dropped.orders == ("us", "mri")  # one option left: ordered plainly
    killed = s.run(s.by_id["first.deep:drop-order:1"])
    assert killed.status == "killed"


def test_otherwise_is_rebuilt_from_the_mutated_rules(subject: Subject) -> None:
    mu = _mutant(subject, "after_us.benign_small:drop-rule:1")
    last = mu.decisions[0].rules[-1]
    assert last.is_otherwise and [r.label for r in mu.decisions[0].rules] == ["benign_mid", "large"]
    assert isinstance(last.cond, m.Not) and isinstance(last.cond.operand, m.Or)
    assert last.cond.operand.operands == (mu.decisions[0].rules[0].cond,)
    same = with_rules(mu.decisions[0], mu.decisions[0].rules)
    assert same == mu.decisions[0]


def test_a_mutant_keeps_every_other_decision(subject: Subject) -> None:
    model = subject.original.model
    assert model is not None
    mu = _mutant(subject, "first.deep:swap-end:1")
    mutated = mu.apply(model)
    assert mutated.decision("after_us") is model.decision("after_us")
    assert mutated.decision("first").rules[1].end == "reassure"
    assert model.decision("first").rules[1].end == "refer"


def test_an_uncovered_disposition_gets_a_reason(tmp_path: Path) -> None:
    spec = tmp_path / "x.vp"
    spec.write_text(
        PLANTED.read_text(encoding="utf-8").replace(
            'disposition refer "Refer to a sarcoma centre" refer',
            'disposition refer "Refer to a sarcoma centre" refer\ndisposition gap "No source" uncovered',
        ),
        encoding="utf-8",
    )
    s = Subject(str(spec), Options())
    mu = s.by_id["first.deep:swap-end:2"]
    assert mu.description == "end refer -> end gap"
    rule = mu.decisions[0].rules[1]
    assert rule.end == "gap" and rule.reason


def test_a_define_is_mutated_wherever_it_is_used() -> None:
    s = Subject(str(DEFINES), Options())
    mine = [mu for mu in s.mutants if mu.owner == "define.worrying"]
    assert [(mu.id, mu.description) for mu in mine] == [
        (
            "define.worrying:negate-conjunct:1",
            "depth == deep or size_cm >= 5 cm -> not (depth == deep or size_cm >= 5 cm)",
        ),
        ("define.worrying:swap-value:1", "deep -> superficial in 'depth == deep'"),
        ("define.worrying:shift-threshold:1", "size_cm >= 5 cm -> size_cm >= 4 cm"),
        ("define.worrying:shift-threshold:2", "size_cm >= 5 cm -> size_cm >= 6 cm"),
        ("define.worrying:flip-bound:1", "size_cm >= 5 cm -> size_cm > 5 cm"),
    ]
    model = s.original.model
    assert model is not None
    moved = s.by_id["define.worrying:shift-threshold:2"]
    assert [d.name for d in moved.decisions] == ["first", "after_us"]
    mutated = moved.apply(model)
    assert mutated.define("worrying").cond != model.define("worrying").cond
    (prop,) = mutated.properties
    assert isinstance(prop.condition, m.Named) and prop.condition.body is mutated.define("worrying").cond
    for d in moved.decisions:  # every use reads the new condition
        uses = [n for r in mutated.decision(d.name).rules for n in named(r.cond)]
        assert uses and all(n.body is mutated.define("worrying").cond for n in uses)
    assert not moved.changes_assumptions(model)
    result = s.run(moved)
    assert result.status == "survived" and dict(result.patient)["size_cm"] == 5


def test_survivors_of_a_define_are_listed_under_it() -> None:
    result = run("mutate", "--operator", "shift-threshold", str(DEFINES))
    assert "defines.vp:18:1: define worrying: 2 of 2 mutants survive" in result.stdout, result.stdout


# -- verdicts -------------------------------------------------------------------------------------------


def test_a_pinned_rule_kills_its_mutants(results: dict[str, MutantResult]) -> None:
    r = results["first.deep:swap-end:1"]
    assert r.status == "killed"
    assert [(x.code, x.check) for x in r.found] == [("VP308", "example:A deep mass goes to MRI and is referred")]


def test_a_change_the_front_end_rejects_is_invalid(results: dict[str, MutantResult]) -> None:
    r = results["first.superficial:drop-order:1"]
    assert r.status == "invalid" and {x.code for x in r.found} == {"VP208"}
    assert len(r.found) == len(set(r.found))


def test_an_unpinned_rule_survives_with_a_patient(results: dict[str, MutantResult]) -> None:
    r = results["after_us.large:swap-end:1"]
    assert r.status == "survived"
    assert dict(r.patient) == {"depth": "superficial", "size_cm": 0, "us_result": "suspicious"}
    assert r.before == "orders us, mri then end refer"
    assert r.after == "orders us, mri then end reassure"
    assert r.example and not r.ends_alike


def test_a_threshold_moved_inside_a_region_with_the_same_outcome_is_equivalent(
    results: dict[str, MutantResult],
) -> None:
    for moved in ("shift-threshold:1", "shift-threshold:2", "flip-bound:1", "drop-rule:1"):
        assert results[f"after_us.benign_small:{moved}"].status == "equivalent", moved
    # moving the outer threshold changes what a 9 cm or a 10 cm lump gets
    assert results["after_us.benign_mid:shift-threshold:1"].status == "survived"


def test_the_pinning_example_kills_the_survivor(results: dict[str, MutantResult], tmp_path: Path) -> None:
    """The `given` the report suggests, with the original's outcome, is an example that kills the mutant."""
    r = results["after_us.benign_mid:shift-threshold:2"]  # size_cm < 10 -> < 11
    assert r.status == "survived" and r.before is not None
    given = ", ".join(f"{k} = {m.format_value(v)}" for k, v in r.example)
    assert "size_cm = 10" in given
    spec = tmp_path / "pinned.vp"
    spec.write_text(
        PLANTED.read_text(encoding="utf-8") + f'\nexample "pinned" cite acr\n  given {given}\n  expect {r.before}\n',
        encoding="utf-8",
    )
    s = Subject(str(spec), Options())
    assert s.runnable and s.original.diagnostics == []  # no warning either (VP319: facts the path never reads)
    killed = s.run(s.by_id["after_us.benign_mid:shift-threshold:2"])
    assert killed.status == "killed" and [x.code for x in killed.found] == ["VP308"]


def test_strict_kills_with_a_new_warning_only(subject: Subject, results: dict[str, MutantResult]) -> None:
    mutant_id = "after_us.benign_small:drop-conjunct:2"  # benign_mid becomes masked (VP304)
    lenient = results[mutant_id]
    assert lenient.status == "survived" and [x.code for x in lenient.found] == ["VP304"]
    strict = Subject(str(PLANTED), Options(strict=True)).run(subject.by_id[mutant_id])
    assert strict.status == "killed" and [x.code for x in strict.found] == ["VP304"]


def test_scores() -> None:
    counts = {"killed": 9, "survived": 1, "equivalent": 5, "invalid": 7, "unknown": 1, "not-run": 2}
    assert score(counts) == 0.9  # type: ignore[arg-type]
    assert worst_score(counts) == 9 / 13  # type: ignore[arg-type]
    assert score(dict.fromkeys(counts, 0)) is None  # type: ignore[arg-type]


def test_the_time_budget_runs_nothing_after_it() -> None:
    (spec,) = engine.run([str(PLANTED)], Options(), time_budget=0)
    assert spec.mutants and {r.status for r in spec.results.values()} == {"not-run"}


def test_a_spec_that_fails_check_is_not_mutated() -> None:
    (spec,) = engine.run([str(FINDINGS)], Options())
    assert spec.mutants == [] and spec.results == {}
    assert any(d.is_error for d in spec.original.diagnostics)


# -- equivalence ------------------------------------------------------------------------------------------


def test_equivalence_is_decided_on_the_decision(subject: Subject) -> None:
    graph = subject.original.graph
    assert graph is not None
    from compiler.lower import lower

    for mutant_id, verdict in (
        ("after_us.benign_small:shift-threshold:2", Verdict.PROVED),
        ("after_us.benign_mid:flip-bound:1", Verdict.REFUTED),
    ):
        mu = subject.by_id[mutant_id]
        edited = lower(mu.apply(graph.model))
        diff = compare_decision(graph, mu.decisions[0], edited, DEFAULT_OPTIONS)
        assert diff.verdict is verdict, mutant_id
    diff = compare_decision(
        graph, subject.by_id["after_us.benign_mid:flip-bound:1"].decisions[0], edited, DEFAULT_OPTIONS
    )
    assert diff.patient is not None and diff.patient["size_cm"] == 10 and diff.patient["us_result"] == "benign"
    assert diff.before is not None and diff.before.end == "refer"
    assert diff.after is not None and diff.after.end == "reassure"


# -- the reports and the command line -------------------------------------------------------------------


def _schema() -> Any:
    mutate = json.loads((ROOT / "schemas" / "veripath-mutate.schema.json").read_text(encoding="utf-8"))
    report = json.loads((ROOT / "schemas" / "veripath-report.schema.json").read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resources(
        [(s["$id"], Resource.from_contents(s)) for s in (mutate, report)]
    )
    cls = jsonschema.validators.validator_for(mutate)
    cls.check_schema(mutate)
    return cls(mutate, registry=registry)


def _valid(doc: Any) -> None:
    errors = sorted(_schema().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message[:300]}" for e in errors[:5])


def test_the_json_report_follows_its_schema() -> None:
    some = [f"--operator={op}" for op in ("drop-rule", "shift-threshold", "flip-bound", "swap-end")]
    result = run("mutate", "--format", "json", *some, str(PLANTED), str(FINDINGS), str(ROOT / "no" / "such.vp"))
    assert result.exit_code == 2, result.output  # the missing path
    doc = json.loads(result.stdout)
    _valid(doc)
    planted, findings = doc["files"]
    assert planted["mutated"] and not findings["mutated"] and findings["diagnostics"]
    assert planted["counts"]["equivalent"] == 4 and doc["summary"]["mutants"] == len(planted["mutants"])
    (survivor,) = [x for x in planted["mutants"] if x["id"] == "after_us.benign_mid:shift-threshold:2"]
    assert survivor["status"] == "survived" and survivor["patient"]["size_cm"]["value"] == "10"
    assert survivor["example"]["expect"] == survivor["original"]
    assert doc["diagnostics"][0]["code"] == "VP100"


def test_the_json_schema_rejects_a_wrong_status() -> None:
    doc = json.loads(run("mutate", "--format", "json", "--operator", "swap-end", str(PLANTED)).stdout)
    _valid(doc)
    doc["files"][0]["mutants"][0]["status"] = "maybe"
    assert list(_schema().iter_errors(doc))


def test_the_text_report(update_golden: bool) -> None:
    result = run("mutate", "--no-color", str(PLANTED))
    assert result.exit_code == 0, result.output
    text = TIME.sub("", result.stdout.replace(str(ROOT) + "/", ""))
    golden = DATA / "planted.expected.txt"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_the_output_does_not_depend_on_the_number_of_processes() -> None:
    some = ("--operator", "swap-end", "--operator", "shift-threshold", "--operator", "drop-order")
    one = json.loads(run("mutate", "--format", "json", *some, "-j", "1", str(PLANTED)).stdout)
    two = json.loads(run("mutate", "--format", "json", *some, "-j", "2", str(PLANTED)).stdout)
    assert {x["status"] for x in one["files"][0]["mutants"]} == {"killed", "survived", "equivalent", "invalid"}
    for doc in (one, two):
        doc["summary"].pop("seconds")
    assert one == two


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((), ExitCode.OK),
        (("--min-score", "30"), ExitCode.OK),
        (("--min-score", "95"), ExitCode.FINDINGS),
        (("--time-budget", "0"), ExitCode.OK),
        (("--time-budget", "0", "--min-score", "1"), ExitCode.FINDINGS),
        (("--min-score", "101"), ExitCode.BAD_INPUT),
        (("--operator", "no-such-operator"), ExitCode.BAD_INPUT),
    ],
)
def test_exit_codes(args: tuple[str, ...], code: ExitCode) -> None:
    result = run("mutate", *args, "--operator", "swap-end", str(PLANTED))
    assert result.exit_code == code, result.output


def test_exit_codes_of_specs_that_do_not_check() -> None:
    assert run("mutate", str(FINDINGS)).exit_code == ExitCode.FINDINGS
    broken = run("mutate", str(BROKEN))
    assert broken.exit_code == ExitCode.BAD_INPUT
    assert "not mutated: the spec does not pass `veripath check`" in broken.stdout


def test_min_score_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run(
        "mutate",
        "--format",
        "json",
        "--output-file",
        str(out),
        "--min-score",
        "95",
        "--operator",
        "swap-end",
        str(PLANTED),
    )
    assert result.exit_code == ExitCode.FINDINGS
    assert result.stdout.startswith("mutate: 1 file, 1 guideline mutated;") and "below --min-score 95%" in result.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["files"][0]["passed"] is False and doc["summary"]["exit_code"] == 1


def test_verbose_lists_every_mutant() -> None:
    result = run("mutate", "-v", "--operator", "swap-end", str(PLANTED))
    lines = [x for x in result.stdout.splitlines() if re.search(r": (killed|equivalent|invalid): ", x)]
    assert any("[first.deep:swap-end:1] (by VP308 example 'A deep mass" in x for x in lines)
