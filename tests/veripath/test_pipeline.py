"""The pipeline as data: the passes, their selections, each pass alone, timings, and `veripath.check`."""

from __future__ import annotations

import ast
import gc
import shutil
from pathlib import Path

import pytest

import veripath
from compiler.graph import DecisionGraph
from dsl import ast as syntax
from tests.dsl.support import DATA
from verify.results import Verdict
from veripath import pipeline
from veripath.pipeline import BY_NAME, PASSES, FileResult, Options, Report, run_pass, select
from veripath.status import ExitCode

SMALL = DATA / "cli" / "small.vp"
BROKEN = DATA / "cli" / "broken.vp"
FINDINGS = DATA / "cli" / "findings.vp"
CATALOGUE = DATA / "dsl" / "catalogue.vp"
ROOT = Path(__file__).resolve().parents[2]

NAMES = [
    "read",
    "resolve",
    "lower",
    "wellformed",
    "verify-tables",
    "verify-paths",
    "examples",
    "coverage",
    "waive",
    "export",
]


def _names(passes: tuple[pipeline.Pass, ...]) -> list[str]:
    return [p.name for p in passes]


def test_the_stages_are_named_once_in_order() -> None:
    assert _names(PASSES) == NAMES
    assert list(BY_NAME) == NAMES


def test_each_command_selects_from_the_one_tuple() -> None:
    assert _names(pipeline.FRONT_END) == NAMES[:4]
    assert _names(pipeline.CHECK) == [n for n in NAMES if n not in ("coverage", "export")]
    assert _names(pipeline.CHECK_COVERAGE) == NAMES[:9]
    assert _names(pipeline.TEST) == ["read", "resolve", "lower", "wellformed", "examples", "waive"]
    assert _names(pipeline.BUILD) == [n for n in NAMES if n != "coverage"]
    assert _names(select(until="lower", skip=["resolve"])) == ["read", "lower"]
    with pytest.raises(ValueError, match="no such pass: verify"):
        select(skip=["verify"])


def _trees_of(path: Path) -> list[syntax.Module]:
    """The syntax trees of `path` still in memory (the collector is off: only what is referenced)."""
    return [o for o in gc.get_objects() if isinstance(o, syntax.Module) and o.path == str(path)]


@pytest.mark.parametrize("keep", [False, True])
def test_the_syntax_tree_is_freed_once_resolved_unless_kept(tmp_path: Path, keep: bool) -> None:
    # The command runs the front end with the collector off and freezes what it built: the tree
    # must go by reference counting alone (no cycle through the resolver may hold it).
    spec = tmp_path / "released.vp"
    shutil.copy(SMALL, spec)
    gc.collect()
    gc.disable()
    try:
        f = pipeline.run([str(spec)], Options(keep_syntax=keep), select(until="resolve")).files[0]
        assert f.model is not None and f.read is not None
        assert bool(f.read.modules) is keep
        assert len(_trees_of(spec)) == keep
    finally:
        gc.enable()


def test_passes_run_in_pipeline_order_whatever_order_they_are_given() -> None:
    report = pipeline.run([str(SMALL)], passes=tuple(reversed(pipeline.FRONT_END)))
    assert report.passes == tuple(NAMES[:4])
    assert report.files[0].graph is not None


def _report() -> Report:
    return Report(options=Options())


def test_each_pass_runs_alone_on_what_the_one_before_left() -> None:
    f = FileResult.for_path(str(SMALL))
    report = _report()
    # nothing before `read`: every later pass is not ready and does not run
    assert [run_pass(p, f, report) for p in PASSES[1:]] == [False] * 9
    assert f.timings == {}
    assert run_pass(BY_NAME["read"], f, report)
    assert f.read is not None and f.read.modules and f.model is None
    assert run_pass(BY_NAME["resolve"], f, report)
    assert f.model is not None and f.model.name == "small" and f.graph is None
    assert run_pass(BY_NAME["lower"], f, report)
    assert isinstance(f.graph, DecisionGraph)
    assert run_pass(BY_NAME["wellformed"], f, report)
    assert f.diagnostics == []
    # the verifier's passes do not need each other
    assert run_pass(BY_NAME["verify-paths"], f, report)
    assert [c.check for c in f.checks] == ["assumptions", "property:ends"]
    assert all(c.verdict is Verdict.PROVED for c in f.checks)
    assert run_pass(BY_NAME["examples"], f, report)
    assert [e.verdict for e in f.examples] == [Verdict.PROVED]
    assert f.stamp().verdict == "skipped"  # the tables were never checked
    assert run_pass(BY_NAME["verify-tables"], f, report)
    assert "gap:after_us" in {c.check for c in f.checks}
    assert f.stamp().verified
    assert list(f.timings) == ["read", "resolve", "lower", "wellformed", "verify-paths", "examples", "verify-tables"]
    assert all(seconds >= 0 for seconds in f.timings.values())


def test_verify_tables_and_paths_alone_find_their_own_problems() -> None:
    for name, codes in (("verify-tables", {"VP301", "VP302"}), ("verify-paths", {"VP307"})):
        report = pipeline.run([str(FINDINGS)], passes=(*pipeline.FRONT_END, BY_NAME[name]))
        (f,) = report.files
        assert {d.code.code for d in f.diagnostics if d.is_error} == codes, name
        assert list(f.timings) == [*NAMES[:4], name]


def test_the_front_end_stops_at_the_first_stage_with_errors() -> None:
    (f,) = pipeline.run([str(BROKEN)], passes=PASSES).files
    assert {d.code.code for d in f.diagnostics} == {"VP201", "VP203"}
    assert list(f.timings) == ["read", "resolve"]
    assert f.model is None and f.graph is None and f.outputs == []


def test_a_catalogue_is_read_and_resolved_but_not_lowered() -> None:
    (f,) = pipeline.run([str(CATALOGUE)], passes=PASSES).files
    assert f.ok and f.model is not None and f.graph is None
    assert list(f.timings) == ["read", "resolve"]


# -- the public API -----------------------------------------------------------------------------------


def test_check_returns_a_report_per_file(tmp_path: Path) -> None:
    for spec in (SMALL, FINDINGS):
        shutil.copy(spec, tmp_path / spec.name)
    report = veripath.check([str(tmp_path)])
    assert isinstance(report, veripath.Report)
    assert [Path(f.path).name for f in report.files] == ["findings.vp", "small.vp"]
    findings, small = report.files
    assert report.exit_code() is ExitCode.FINDINGS
    assert not report.ok
    assert {d.code.code for d in findings.diagnostics if d.is_error} == {"VP301", "VP302", "VP307"}
    assert small.diagnostics == []
    assert {c.check for c in small.proved} >= {"assumptions", "gap:initial", "gap:after_us", "property:ends"}
    assert all(c.verdict is Verdict.PROVED for c in small.checks)
    assert [e.check for e in small.examples] == ["example:superficial, benign, small"]
    assert report.passes == tuple(_names(pipeline.CHECK))
    timings = report.timings()
    assert list(timings) == NAMES[:7]  # `waive` runs only on specs with waivers
    assert timings["read"] == pytest.approx(sum(f.timings["read"] for f in report.files))
    assert report.seconds >= sum(timings.values()) * 0.99


def test_check_takes_one_path_and_options() -> None:
    report = veripath.check(str(SMALL), veripath.Options(strict=True))
    assert report.ok
    assert report.exit_code() is ExitCode.OK
    assert len(report.files) == 1


def test_check_reports_missing_paths_and_empty_folders(tmp_path: Path) -> None:
    missing = veripath.check([str(tmp_path / "nothing.vp")])
    assert [d.code.code for d in missing.extra] == ["VP100"]
    assert missing.exit_code() is ExitCode.BAD_INPUT
    empty = veripath.check([str(tmp_path)])
    assert [d.message for d in empty.extra] == ["no .vp files found"]
    assert empty.files == []


def test_build_through_the_api(tmp_path: Path) -> None:
    report = veripath.build([str(SMALL)], veripath.Options(out_dir=str(tmp_path)))
    assert report.exit_code() is ExitCode.OK
    assert report.files[0].outputs == [str(tmp_path / f"small.{ext}") for ext in ("dmn", "json", "mmd", "py")]
    assert "export" in report.timings()
    refused = veripath.build([str(FINDINGS)], veripath.Options(out_dir=str(tmp_path / "no")))
    assert refused.exit_code() is ExitCode.FINDINGS
    assert refused.files[0].outputs == []
    assert not (tmp_path / "no").exists()


def test_load_raises_a_user_error() -> None:
    with pytest.raises(veripath.SpecError) as caught:
        veripath.load(str(BROKEN))
    assert isinstance(caught.value, veripath.UserError)
    assert {d.code.code for d in caught.value.diagnostics} == {"VP201", "VP203"}


# -- the import cycle ------------------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_paths_does_not_import_pathway() -> None:
    assert "verify.pathway" not in _imports(ROOT / "verify" / "paths.py")
    assert "verify.paths" in _imports(ROOT / "verify" / "pathway.py")


def test_nothing_below_veripath_exits() -> None:
    for package in ("dsl", "compiler", "verify"):
        for path in sorted((ROOT / package).glob("*.py")):
            assert "sys.exit" not in path.read_text(encoding="utf-8"), path
