"""Coverage hints (`check --coverage`): routes no example takes, threshold sides no example is on."""

from __future__ import annotations

from pathlib import Path

from dsl.codes import UNTESTED_ROUTE, UNTESTED_THRESHOLD
from tests.cli.support import run
from veripath import pipeline
from veripath.pipeline import Options

ROOT = Path(__file__).resolve().parents[2]
PLANTED = ROOT / "tests" / "data" / "mutate" / "planted.vp"

HEAD = """guideline g "Coverage" version "1"
source acr "ACR"
input size_cm: number in [0, 60] cm
input age: integer in [0, 120] years
action mri "MRI" imaging modality mri cross_sectional
disposition reassure "Reassure" reassure
disposition refer "Refer" refer
start first
"""


def _hints(path: Path) -> list[tuple[str, int, str]]:
    (f,) = pipeline.run([str(path)], Options(), pipeline.CHECK_COVERAGE).files
    assert f.ok, [d.message for d in f.diagnostics]
    return [
        (d.code.code, d.span.line if d.span else 0, d.message)
        for d in f.sorted_diagnostics()
        if d.code in (UNTESTED_ROUTE, UNTESTED_THRESHOLD)
    ]


def _spec(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "g.vp"
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def test_the_planted_spec() -> None:
    assert _hints(PLANTED) == [
        (
            "VP321",
            36,
            "no example that reaches decision 'after_us' has size_cm >= 5 cm (the other side of 'size_cm < 5 cm')",
        ),
        ("VP320", 39, "no example takes rule 'benign_mid' of decision 'after_us' (end reassure)"),
        (
            "VP321",
            40,
            "no example that reaches decision 'after_us' has size_cm >= 10 cm (the other side of 'size_cm < 10 cm')",
        ),
        ("VP320", 43, "no example takes rule 'large' of decision 'after_us' (order mri end refer)"),
    ]


def test_one_threshold_split_two_ways_is_one_hint(tmp_path: Path) -> None:
    spec = _spec(
        tmp_path,
        'decision first "First" unique\n'
        "  when size_cm < 5 end reassure rated usually_appropriate 9 cite acr\n"
        "  when size_cm >= 5 order mri end refer rated usually_appropriate 9 cite acr\n"
        'example "small" cite acr\n  given size_cm = 2, age = 40\n  expect end reassure\n',
    )
    assert _hints(spec) == [
        (
            "VP321",
            10,
            "no example that reaches decision 'first' has size_cm >= 5 cm (the other side of 'size_cm < 5 cm')",
        ),
        ("VP320", 11, "no example takes rule 'r2' of decision 'first' (order mri end refer)"),
    ]


def test_both_sides_tested_and_a_bound_that_splits_otherwise(tmp_path: Path) -> None:
    # `<= 5` splits the patients differently from `< 5`: a 5 cm example is on different sides of each
    spec = _spec(
        tmp_path,
        'decision first "First" first\n'
        "  when size_cm < 5 end reassure rated usually_appropriate 9 cite acr\n"
        "  when size_cm <= 5 and age >= 18 end reassure rated usually_appropriate 9 cite acr\n"
        "  otherwise order mri end refer rated usually_appropriate 9 cite acr\n"
        'example "small" cite acr\n  given size_cm = 2, age = 40\n  expect end reassure\n'
        'example "at 5 cm" cite acr\n  given size_cm = 5, age = 40\n  expect end reassure\n'
        'example "large" cite acr\n  given size_cm = 7, age = 40\n  expect orders mri then end refer\n',
    )
    assert _hints(spec) == [
        (
            "VP321",
            11,
            "no example that reaches decision 'first' has age < 18 years (the other side of 'age >= 18 years')",
        ),
    ]


def test_an_unreached_decision_has_neither_side(tmp_path: Path) -> None:
    spec = _spec(
        tmp_path,
        'decision first "First" unique\n'
        "  when age < 18 end refer rated usually_appropriate 9 cite acr\n"
        "  when age >= 18 then adult rated usually_appropriate 9 cite acr\n"
        'decision adult "Adult" unique\n'
        "  when size_cm < 5 end reassure rated usually_appropriate 9 cite acr\n"
        "  when size_cm >= 5 order mri end refer rated usually_appropriate 9 cite acr\n"
        'example "child" cite acr\n  given age = 10\n  expect end refer\n',
    )
    hints = _hints(spec)
    assert (
        "VP321",
        13,
        "no example that reaches decision 'adult' decides 'size_cm < 5 cm': neither side is tested",
    ) in hints
    assert [h[1] for h in hints if h[0] == "VP320"] == [11, 13, 14]


def test_dead_rules_are_left_to_the_verifier(tmp_path: Path) -> None:
    spec = _spec(
        tmp_path,
        "assume: size_cm < 30\n"
        'decision first "First" first\n'
        "  when size_cm < 5 end reassure rated usually_appropriate 9 cite acr\n"
        "  when size_cm > 40 end refer rated usually_appropriate 9 cite acr\n"
        "  otherwise order mri end refer rated usually_appropriate 9 cite acr\n"
        'example "small" cite acr\n  given size_cm = 2, age = 40\n  expect end reassure\n'
        'example "large" cite acr\n  given size_cm = 7, age = 40\n  expect orders mri then end refer\n',
    )
    # the dead rule (VP305) gets no route hint; its threshold splits no patient who reaches it
    assert [h for h in _hints(spec) if h[0] == "VP320"] == []


def test_the_command_line() -> None:
    plain = run("check", str(PLANTED))
    assert plain.exit_code == 0 and "VP320" not in plain.stdout
    hints = run("check", "--coverage", str(PLANTED))
    assert hints.exit_code == 0 and hints.stdout.count("[VP320]") == 2 and hints.stdout.count("[VP321]") == 2
    assert run("check", "--coverage", "--strict", str(PLANTED)).exit_code == 1
