"""The exit policy through the CLI (0 clean, 1 findings, 2 bad input, 3 internal, 4 export, 130 Ctrl-C),
and `build`, which verifies before it writes anything."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler.graph import DecisionGraph
from compiler.stamp import Stamp
from dsl.codes import CODES, EXPORT_FAILED, GAP, UNDEFINED_NAME, Code, Stage
from dsl.diagnostics import error, warning
from tests.cli.support import assert_no_traceback, run, shown
from tests.dsl.support import DATA
from veripath.status import ExitCode, UserError, exit_code

CLI = DATA / "cli"
SMALL = CLI / "small.vp"
BROKEN = CLI / "broken.vp"
FINDINGS = CLI / "findings.vp"
ROOT = Path(__file__).resolve().parents[2]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- the policy itself -----------------------------------------------------------------------------


def _one_of(stage: Stage) -> Code:
    return next(c for c in CODES.values() if c.stage is stage)


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        (Stage.READ, ExitCode.BAD_INPUT),
        (Stage.SEMANTICS, ExitCode.BAD_INPUT),
        (Stage.VERIFY, ExitCode.FINDINGS),
        (Stage.EXPORT, ExitCode.EXPORT_FAILED),
    ],
)
def test_an_error_exits_by_its_stage(stage: Stage, expected: ExitCode) -> None:
    assert exit_code([error(_one_of(stage), "x", None)]) is expected
    assert exit_code([warning(_one_of(stage), "x", None)]) is ExitCode.OK
    assert exit_code([warning(_one_of(stage), "x", None)], strict=True) is ExitCode.FINDINGS


def test_the_most_fundamental_problem_wins() -> None:
    found = error(GAP, "gap", None)
    unwritten = error(EXPORT_FAILED, "cannot write", None)
    broken = error(UNDEFINED_NAME, "undefined", None)
    assert exit_code([found, unwritten]) is ExitCode.EXPORT_FAILED
    assert exit_code([unwritten, broken, found]) is ExitCode.BAD_INPUT
    assert exit_code([found], exception=RuntimeError()) is ExitCode.INTERNAL
    assert exit_code([broken], exception=KeyboardInterrupt()) is ExitCode.INTERRUPTED
    assert exit_code(exception=UserError("bad")) is ExitCode.BAD_INPUT
    assert exit_code() is ExitCode.OK
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 4, 130]


# -- each exit code through the CLI ------------------------------------------------------------------


def test_exit_0_clean() -> None:
    result = run("check", str(SMALL))
    assert result.exit_code == 0, result.stdout


def test_exit_1_findings() -> None:
    result = run("check", "--no-color", str(FINDINGS))
    assert result.exit_code == 1, result.stdout
    assert {s.code for s in shown(result.stdout)} == {"VP301", "VP302", "VP307"}


def test_exit_2_bad_input_and_usage() -> None:
    assert run("check", str(BROKEN)).exit_code == 2
    assert run("check", "--format", "yaml", str(SMALL)).exit_code == 2
    # bad input wins over findings in another file
    assert run("check", str(FINDINGS), str(BROKEN)).exit_code == 2


def test_exit_3_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("verify.run_examples", explode)  # what the `examples` pass imports when it runs
    result = run("check", str(SMALL))
    assert result.exit_code == 3
    assert "please report it" in result.stderr
    assert "ZeroDivisionError: boom" in result.stderr


def _fail_rename(src: str, dst: str) -> None:
    raise OSError(28, "No space left on device")


def test_exit_4_an_output_cannot_be_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("compiler.outputs.os.replace", _fail_rename)
    result = run("build", "--no-color", str(SMALL), "--out", str(tmp_path))
    assert result.exit_code == 4, result.stdout
    assert "error: cannot write" in result.stdout
    assert "No space left on device [VP401]" in result.stdout
    assert_no_traceback(result)
    assert _snapshot(tmp_path) == {}


def test_exit_4_when_the_output_folder_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("a file, not a folder\n", encoding="utf-8")
    result = run("build", str(SMALL), "--out", str(blocker / "sub"))
    assert result.exit_code == 4, result.stdout
    assert "[VP401]" in result.stdout


@pytest.mark.parametrize("rlimit", ["1", "100"])
def test_a_starved_solver_is_undecided_not_interrupted(rlimit: str) -> None:
    # Z3 gives the reason "canceled" when these queries run out of rlimit: that is no Ctrl-C.
    result = run("check", "--no-color", "--rlimit", rlimit, str(SMALL))
    assert result.exit_code == 1, result.stdout
    assert "canceled" in result.stdout
    assert {s.code for s in shown(result.stdout)} == {"VP309"}
    allowed = run("check", "--allow-unknown", "--rlimit", rlimit, str(SMALL))
    assert allowed.exit_code == 0, allowed.stdout


def test_keyboard_interrupt_in_process_is_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("veripath.pipeline.read_guideline", interrupt)
    result = run("check", str(SMALL))
    assert result.exit_code == 130
    assert result.stderr == "veripath: interrupted\n"
    assert result.stdout == ""


def test_graph_of_a_catalogue_is_bad_input_through_the_policy() -> None:
    result = run("graph", str(DATA / "dsl" / "catalogue.vp"))
    assert result.exit_code == 2
    assert result.stderr == ""


# -- build verifies first ------------------------------------------------------------------------------


def test_build_with_findings_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("untouched\n", encoding="utf-8")
    before = _snapshot(out)
    result = run("build", "--no-color", str(SMALL), str(FINDINGS), "--out", str(out))
    assert result.exit_code == 1, result.stdout
    assert result.stderr == ""
    assert {s.code for s in shown(result.stdout)} == {"VP301", "VP302", "VP307"}
    assert _snapshot(out) == before


def test_build_unverified_writes_outputs_that_say_so(tmp_path: Path) -> None:
    result = run("build", "--unverified", str(SMALL), str(FINDINGS), "--out", str(tmp_path))
    assert result.exit_code == 1, result.stdout  # the findings are still findings
    expected = [f"{spec}.{ext}" for spec in ("findings", "small") for ext in ("dmn", "json", "mmd", "py")]
    written = [line for line in result.stdout.splitlines() if line.startswith(str(tmp_path))]
    assert sorted(written) == sorted(str(tmp_path / name) for name in expected)
    # the module and the DMN say so too; those of the spec that verifies do not
    assert "UNVERIFIED (refuted)" in (tmp_path / "findings.py").read_text(encoding="utf-8")
    assert "UNVERIFIED" not in (tmp_path / "small.py").read_text(encoding="utf-8")
    assert "verdict refuted" in (tmp_path / "findings.dmn").read_text(encoding="utf-8")
    assert "verdict verified" in (tmp_path / "small.dmn").read_text(encoding="utf-8")
    bad = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert bad["header"]["verification"]["verdict"] == "refuted"
    lines = (tmp_path / "findings.mmd").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "flowchart TD"
    assert lines[1].startswith("%% UNVERIFIED (refuted):")
    # a spec of the same run that does verify is marked as verified
    good = json.loads((tmp_path / "small.json").read_text(encoding="utf-8"))
    assert good["header"]["verification"]["verdict"] == "verified"
    assert "UNVERIFIED" not in (tmp_path / "small.mmd").read_text(encoding="utf-8")


def test_build_unverified_still_refuses_specs_that_do_not_compile(tmp_path: Path) -> None:
    result = run("build", "--unverified", str(FINDINGS), str(BROKEN), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert _snapshot(tmp_path) == {}


def test_a_verified_build_says_so(tmp_path: Path) -> None:
    result = run("build", str(SMALL), "--out", str(tmp_path))
    assert result.exit_code == 0, result.stdout
    data = json.loads((tmp_path / "small.json").read_text(encoding="utf-8"))
    assert data["header"]["verification"]["verdict"] == "verified"
    assert data["header"]["verification"]["proved_properties"] == ["ends"]


def test_build_runs_every_exporter_with_the_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, Stamp]] = []

    def extra(graph: DecisionGraph, stamp: Stamp, root: str) -> dict[str, str]:
        seen.append((graph.model.name, stamp))
        return {f"{graph.model.name}.extra": stamp.verdict + "\n"}

    from veripath import pipeline

    monkeypatch.setattr(pipeline, "EXPORTERS", (*pipeline.EXPORTERS, extra))
    result = run("build", "--unverified", str(FINDINGS), "--out", str(tmp_path))
    assert result.exit_code == 1
    assert [(name, stamp.verdict) for name, stamp in seen] == [("findings", "refuted")]
    assert (tmp_path / "findings.extra").read_text(encoding="utf-8") == "refuted\n"
    assert str(tmp_path / "findings.extra") in result.stdout.splitlines()


# -- Ctrl-C in a real process --------------------------------------------------------------------------

# Every solver of the run also gets a pigeonhole problem (11 pigeons, 10 holes): Z3 needs
# tens of seconds for it, so the first query is still running when the signal comes.
_HARD_SOLVER = """
import sys
import z3
import verify.context
import verify.solver

_make = verify.solver.make_solver

def make_hard(ctx, options):
    solver = _make(ctx, options)
    n = 10
    p = [[z3.Bool(f"php_{i}_{j}", ctx) for j in range(n)] for i in range(n + 1)]
    for i in range(n + 1):
        solver.add(z3.Or(p[i]))
    for j in range(n):
        for i in range(n + 1):
            for k in range(i + 1, n + 1):
                solver.add(z3.Or(z3.Not(p[i][j]), z3.Not(p[k][j])))
    print("solving", file=sys.stderr, flush=True)
    return solver

verify.context.make_solver = make_hard
from veripath.cli import main
main()
"""

# Reading each file takes a minute.
_SLOW_READ = """
import sys
import time
import veripath.pipeline

def slow(path, **kwargs):
    print("reading", file=sys.stderr, flush=True)
    time.sleep(60)

veripath.pipeline.read_guideline = slow
from veripath.cli import main
main()
"""


def _interrupt(script: str, ready: str, *args: str) -> tuple[int, str, float]:
    """Run `veripath ARGS` with `script`; once it prints `ready`, wait a moment and send SIGINT.

    The exit status, the rest of stderr, and the seconds from the signal to the exit.
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        assert proc.stderr.readline() == ready + "\n"
        time.sleep(1.0)
        assert proc.poll() is None, "the run ended before the signal"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        return proc.returncode, err, time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_during_a_solver_query_stops_the_run_with_130() -> None:
    status, err, seconds = _interrupt(
        _HARD_SOLVER, "solving", "check", "--timeout", "600000", "--rlimit", "0", "--allow-unknown", str(SMALL)
    )
    assert status == 130, err
    assert err == "veripath: interrupted\n"
    assert seconds < 2.0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_outside_the_solver_exits_130() -> None:
    status, err, seconds = _interrupt(_SLOW_READ, "reading", "check", str(SMALL))
    assert status == 130, err
    assert err == "veripath: interrupted\n"
    assert seconds < 2.0
