"""The command line, through click's CliRunner: exit codes, streams, formats, colour, outputs."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from dsl.codes import CODES, GAP
from tests.cli.support import ANSI, assert_no_traceback, run, shown, summary_of, untimed
from tests.dsl.support import DATA, check_golden
from veripath import __version__

CLI = DATA / "cli"
SMALL = CLI / "small.vp"
BROKEN = CLI / "broken.vp"


@pytest.fixture(autouse=True)
def _no_color_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"veripath, version {__version__}\n"


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_the_commands(flag: str) -> None:
    result = run(flag)
    assert result.exit_code == 0
    for command in ("check", "graph", "build", "explain-code"):
        assert command in result.stdout
    assert "Exit codes: 0 clean, 1 findings, 2 bad input or usage, 3 internal error," in result.stdout
    assert "4 an output could not be written, 130 interrupted." in result.stdout


def test_no_command_is_usage() -> None:
    bare = run()  # click shows the help, as a usage error
    assert bare.exit_code == 2
    assert "Usage:" in bare.output
    assert run("no-such-command").exit_code == 2
    assert run("check", "--jobs", "x").exit_code == 2


def test_check_a_good_file() -> None:
    result = run("check", str(SMALL))
    assert result.exit_code == 0, result.stdout
    assert result.stderr == ""
    assert (
        summary_of(result.stdout)
        == "ok: 1 file; 2 decisions complete and consistent; 1 property proved; 1 example passed"
    )
    assert len(result.stdout.splitlines()) == 1


def test_check_a_folder(tmp_path: Path) -> None:
    for name in ("a.vp", "b.vp"):
        shutil.copy(SMALL, tmp_path / name)
    (tmp_path / "notes.txt").write_text("not a spec", encoding="utf-8")
    result = run("check", str(tmp_path))
    assert result.exit_code == 0, result.stdout
    assert summary_of(result.stdout).startswith("ok: 2 files;")
    nested = tmp_path / "more"
    nested.mkdir()
    shutil.copy(BROKEN, nested / "broken.vp")
    result = run("check", str(tmp_path))
    assert result.exit_code == 2
    assert {s.file for s in shown(result.stdout)} == {str(nested / "broken.vp")}
    assert summary_of(result.stdout).startswith("2 errors, 0 warnings in 3 files; 4 decisions complete")


def test_check_reports_in_compiler_style() -> None:
    result = run("check", "--no-color", str(BROKEN))
    assert result.exit_code == 2
    path = str(BROKEN) if not BROKEN.is_relative_to(Path.cwd()) else str(BROKEN.relative_to(Path.cwd()))
    expected = [
        f"{path}:8:17: error: 'superficail' is not a value of 'depth' [VP203]",
        "    8 |   when depth == superficail end reassure rated usually_appropriate 9 cite acr",
        "      |                 ^~~~~~~~~~~",
        "  hint: did you mean 'superficial'?",
        f"{path}:9:26: error: undefined disposition 'reasure' [VP201]",
        "    9 |   when depth == deep end reasure rated usually_appropriate 9 cite acr",
        "      |                          ^~~~~~~",
        "  hint: did you mean 'reassure'?",
        "2 errors, 0 warnings in 1 file",
    ]
    assert result.stderr == ""
    assert [*result.stdout.splitlines()[:-1], summary_of(result.stdout)] == expected


@pytest.mark.parametrize("args", [["missing.vp"], ["missing-folder/"], [str(SMALL), "missing.vp"]])
def test_missing_paths_are_bad_input(args: list[str]) -> None:
    result = run("check", *args)
    assert result.exit_code == 2
    assert "error: no such file or folder: missing" in result.stdout
    assert_no_traceback(result)


def test_a_folder_without_specs_is_bad_input(tmp_path: Path) -> None:
    result = run("check", str(tmp_path))
    assert result.exit_code == 2
    assert "error: no .vp files found [VP100]" in result.stdout


def test_json_output_has_the_same_diagnostics_as_text() -> None:
    text = run("check", "--no-color", str(BROKEN))
    result = run("check", "--format", "json", str(BROKEN))
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload["version"] == __version__
    assert payload["format"] == "veripath-report" and payload["format_version"] == 1
    summary = payload["summary"]
    assert (summary["errors"], summary["warnings"], summary["exit_code"]) == (2, 0, 2)
    (file,) = payload["files"]
    diags = file["diagnostics"]
    assert [
        (d["location"]["file"], d["location"]["line"], d["location"]["column"], d["message"], d["code"]) for d in diags
    ] == [(s.file, s.line, s.column, s.message, s.code) for s in shown(text.stdout)]
    first = diags[0]
    assert set(first) == {"code", "severity", "message", "location", "hint", "fingerprint", "waived", "baselined"}
    assert first["severity"] == "error"
    assert first["hint"] == "did you mean 'superficial'?"
    assert set(first["location"]) == {"file", "line", "column", "end_line", "end_column"}
    assert (first["location"]["end_line"], first["location"]["end_column"]) == (8, 28)


def test_json_output_for_a_clean_file() -> None:
    result = run("check", "--format", "json", str(SMALL))
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["files"][0]["diagnostics"] == []
    assert payload["summary"]["exit_code"] == 0


def test_explain_code() -> None:
    result = run("explain-code", "VP301")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == f"VP301 (gap): {GAP.summary}"
    assert lines[1] == "severity: error (default)    stage: verify"
    text = " ".join(result.stdout.split())
    assert " ".join(GAP.explanation.split()) in text
    assert "Example (example.vp):" in lines
    assert "      when size_cm < 5 end reassure rated usually_appropriate 9 cite acr" in lines  # indented example
    assert text.endswith(" ".join(f"Fix: {GAP.fix}".split()))
    assert run("explain-code", "vp203").stdout.startswith("VP203 (unknown-value): ")
    assert run("explain-code", " vp303 ").stdout.splitlines()[1].startswith("severity: warning ")


def test_explain_code_without_an_example() -> None:
    result = run("explain-code", "VP309")
    assert result.exit_code == 0
    assert "Example" not in result.stdout and "No example is shown" in result.stdout
    assert " ".join(result.stdout.split()).endswith("simpler conditions are decided faster.")


def test_explain_code_lists_every_code() -> None:
    result = run("explain-code")
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()]
    assert listed == list(CODES)


@pytest.mark.parametrize("code", ["VP999", "nonsense", ""])
def test_explain_an_unknown_code(code: str) -> None:
    result = run("explain-code", code)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"veripath: unknown code {code!r}" in result.stderr


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_graph_golden(fmt: str, update_golden: bool) -> None:
    result = run("graph", "--format", fmt, str(SMALL))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    suffix = {"mermaid": ".expected.mmd", "dot": ".expected.dot"}[fmt]
    check_golden(result.stdout, SMALL.with_suffix(suffix), update_golden)


def test_graph_default_is_mermaid() -> None:
    default = run("graph", str(SMALL))
    assert default.exit_code == 0, default.stderr
    assert default.stdout == SMALL.with_suffix(".expected.mmd").read_text(encoding="utf-8")


def test_graph_of_a_broken_spec_or_a_catalogue() -> None:
    broken = run("graph", str(BROKEN))
    assert broken.exit_code == 2
    assert broken.stderr == ""
    assert len(shown(broken.stdout)) == 2
    catalogue = run("graph", str(DATA / "dsl" / "catalogue.vp"))
    assert catalogue.exit_code == 2
    assert "a catalogue has no pathway to draw [VP219]" in catalogue.stdout
    assert run("graph", "--format", "svg", str(SMALL)).exit_code == 2


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_build_writes_deterministic_outputs(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    a = run("build", str(SMALL), "--out", str(first))
    b = run("build", str(SMALL), "--out", str(second))
    assert a.exit_code == b.exit_code == 0, a.stdout
    names = ["small.dmn", "small.json", "small.mmd", "small.py"]
    assert a.stdout.splitlines()[:-1] == [str(first / name) for name in names]
    assert a.stdout.splitlines()[-1].startswith("ok: 1 file;")
    assert _snapshot(first) == _snapshot(second)
    assert sorted(_snapshot(first)) == names  # no temporary files left behind
    tables = json.loads((first / "small.json").read_text(encoding="utf-8"))
    assert tables["guideline"]["name"] == "small"
    assert tables["pathway"]["start"] == "decision:initial"
    assert (first / "small.mmd").read_text(encoding="utf-8") == run("graph", str(SMALL)).stdout
    # Building again over existing outputs rewrites them to the same bytes.
    assert run("build", str(SMALL), "--out", str(first)).exit_code == 0
    assert _snapshot(first) == _snapshot(second)


def test_build_writes_nothing_when_a_spec_is_broken(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", str(SMALL), str(BROKEN), "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr == ""
    assert not out.exists() or list(out.iterdir()) == []


def test_build_reports_json(tmp_path: Path) -> None:
    result = run("build", str(BROKEN), "--out", str(tmp_path), "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["summary"]["errors"] == 2


def _stdout_of_broken(*args: str, env: dict[str, str] | None = None, terminal: bool = False) -> str:
    """`veripath check ARGS broken.vp`: its stdout (the time taken out), after checking the exit
    status (2) and an empty stderr."""
    result = run("check", *args, str(BROKEN), env=env, terminal=terminal)
    assert result.exit_code == 2, result.output
    assert result.stderr == ""
    assert len(shown(ANSI.sub("", result.stdout))) == 2
    return untimed(result.stdout)


def test_color_flag_adds_ansi_and_no_color_removes_it() -> None:
    colored = _stdout_of_broken("--color", terminal=True)
    assert ANSI.search(colored)
    assert ANSI.sub("", colored) == _stdout_of_broken("--no-color")
    assert not ANSI.search(_stdout_of_broken("--no-color", terminal=True))
    # The flag wins over the environment.
    assert ANSI.search(_stdout_of_broken("--color", env={"NO_COLOR": "1"}, terminal=True))
    # Without a flag, NO_COLOR (and a non-terminal stderr) mean plain text.
    assert not ANSI.search(_stdout_of_broken(env={"NO_COLOR": "1"}, terminal=True))


def test_color_flag_forces_ansi_into_a_pipe() -> None:
    assert ANSI.search(_stdout_of_broken("--color"))


class _Terminal:
    def isatty(self) -> bool:
        return True


def test_no_color_environment_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    from veripath.cli import _use_color

    monkeypatch.setattr(sys, "stdout", _Terminal())
    assert _use_color(None) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert _use_color(None) is False
    assert _use_color(True) is True
    monkeypatch.setenv("NO_COLOR", "")  # empty means unset, per no-color.org
    assert _use_color(None) is True


def test_default_is_plain_when_not_a_terminal() -> None:
    assert not ANSI.search(_stdout_of_broken(terminal=True))


def test_an_internal_error_is_exit_3_with_a_report_request(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(path: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("veripath.pipeline.read_guideline", explode)
    result = run("check", str(SMALL))
    assert result.exit_code == 3
    assert "internal error (this is a bug; please report it with the spec)" in result.stderr


def _fail_rename(src: str, dst: str) -> None:
    raise OSError(28, "No space left on device")


def test_build_never_leaves_a_half_written_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("build", str(SMALL), "--out", str(tmp_path)).exit_code == 0
    before = _snapshot(tmp_path)
    (tmp_path / "small.mmd").write_text("old contents\n", encoding="utf-8")
    monkeypatch.setattr("compiler.outputs.os.replace", _fail_rename)
    result = run("build", str(SMALL), "--out", str(tmp_path))
    assert result.exit_code == 4
    after = _snapshot(tmp_path)
    assert sorted(after) == sorted(before)  # no temporary file left behind
    assert after["small.mmd"] == b"old contents\n"  # the old file is untouched, not truncated


def test_build_reports_a_write_failure_as_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("compiler.outputs.os.replace", _fail_rename)
    result = run("build", str(SMALL), "--out", str(tmp_path))
    assert result.exit_code == 4
    assert "[VP401]" in result.stdout
    assert "Traceback" not in result.stdout


def test_caret_shows_the_right_line_after_a_form_feed(tmp_path: Path) -> None:
    spec = tmp_path / "ff.vp"
    spec.write_bytes(b'guideline g "G" version "1"\n\x0c\nsource s "S"\ninput a: bool\nassume: b\n')
    result = run("check", "--no-color", str(spec))
    assert result.exit_code == 2, result.output
    assert [(s.line, s.column, s.code) for s in shown(result.stdout)] == [(1, 1, "VP215"), (5, 9, "VP201")]
    assert "    5 | assume: b\n" in result.stdout
