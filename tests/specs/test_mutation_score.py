"""The shipped specs pin their recommendations down: `veripath mutate specs/ --min-score 95`.

Issue 10 asks for at least 95% of the non-equivalent mutants of every shipped spec killed,
in CI. This test runs exactly that command. Its survivors are listed in
tests/data/mutate/shipped.survivors (one per line: the spec, the mutant's id, what changed;
no line numbers, so that unrelated edits leave it alone), so that a change
to a spec that lets a new mistake through is seen in review; after an intended change,
regenerate the list with `pytest tests/specs/test_mutation_score.py --update-golden`.
Until the clinical review of issue 10 lands, the specs are below 95%: the test then ends as
an expected failure, once the command ran and the survivors matched the list.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.support import run

ROOT = Path(__file__).resolve().parents[2]
SURVIVORS = ROOT / "tests" / "data" / "mutate" / "shipped.survivors"
MIN_SCORE = "95"


def test_the_shipped_specs_kill_95_percent_of_their_mutants(update_golden: bool) -> None:
    result = run("mutate", "--format", "json", "--min-score", MIN_SCORE, str(ROOT / "specs"))
    assert result.exit_code in (0, 1), result.output[-4000:]
    doc = json.loads(result.stdout)
    assert all(f["mutated"] for f in doc["files"] if f["guideline"] is not None and f["mutants"])
    lines = [
        f"{Path(f['path']).name}  {m['id']}  {m['description']}"
        for f in doc["files"]
        for m in f["mutants"]
        if m["status"] == "survived"
    ]
    text = "".join(line + "\n" for line in lines)
    if update_golden:
        SURVIVORS.write_text(text, encoding="utf-8")
    assert text == SURVIVORS.read_text(encoding="utf-8"), (
        "run: pytest tests/specs/test_mutation_score.py --update-golden"
    )
    below = [f"{f['path']} ({f['counts']['worst_score']}%)" for f in doc["files"] if not f["passed"]]
    if below:
        pytest.xfail(f"issue 10: below {MIN_SCORE}%: {', '.join(below)}")
    assert result.exit_code == 0
