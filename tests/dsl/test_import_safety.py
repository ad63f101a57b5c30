"""Reading is confined and bounded: only regular files, only inside the import roots, within the limits.

Tests run as root in CI, where permission bits do not stop a read: the test with a real
unsearchable folder skips itself there, and a second test provokes EACCES with a patched os.stat.
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from dsl import reader
from dsl.reader import read_guideline
from dsl.source import Span
from veripath.api import discover, load_spec

HEADER = 'guideline g "G" version "1"\n'


def _spec(folder: Path, body: str, name: str = "g.vp") -> Path:
    path = folder / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _codes_messages(path: Path, **kw: object) -> list[tuple[str, str, Span | None]]:
    result = read_guideline(str(path), **kw)  # type: ignore[arg-type]
    return [(d.code.code, d.message, d.span) for d in result.diagnostics]


def _no_hang(fn: object, timeout: float = 10.0) -> None:
    """Run fn in a thread; fail (instead of hanging pytest) if it blocks, e.g. on a FIFO."""
    assert callable(fn)
    errors: list[BaseException] = []

    def target() -> None:
        try:
            fn()
        except BaseException as exc:  # re-raised in the test thread
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "reading blocked"
    if errors:
        raise errors[0]


# -- import "" and special files --------------------------------------------------------------


def test_an_empty_import_in_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _spec(tmp_path, 'import ""\n')
    loaded = load_spec("g.vp")
    assert [(d.code.code, d.message, d.span) for d in loaded.diagnostics] == [
        ("VP110", "the import names no file (the path is empty)", Span.point("g.vp", 2, 8, 2))
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_never_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkfifo("pipe.vp")
    _spec(tmp_path, 'import "pipe.vp"\n')
    out: dict[str, object] = {}
    _no_hang(lambda: out.update(imported=read_guideline("g.vp"), direct=read_guideline("pipe.vp")))
    _no_hang(lambda: out.update(found=discover([str(tmp_path)])))
    imported = out["imported"]
    assert isinstance(imported, reader.ReadResult)
    assert [(d.code.code, d.message, d.span) for d in imported.diagnostics] == [
        ("VP100", "imported path 'pipe.vp' is a FIFO (named pipe), not a regular file", Span.point("g.vp", 2, 8, 9))
    ]
    direct = out["direct"]
    assert isinstance(direct, reader.ReadResult)
    assert [(d.code.code, d.message) for d in direct.diagnostics] == [
        ("VP100", "is a FIFO (named pipe), not a regular file")
    ]
    found = out["found"]
    assert isinstance(found, tuple)
    files, problems = found
    assert [Path(f).name for f in files] == ["g.vp"]
    assert [(d.code.code, d.is_error, "FIFO" in d.message) for d in problems] == [("VP100", False, True)]


# -- confinement --------------------------------------------------------------------------------


def test_imports_outside_the_spec_folder_are_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "shadow.vp").write_text("root:SECRET-HASH:19000:0:99999:7:::\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.vp").symlink_to(secret / "shadow.vp")  # a symlink inside that points outside
    spec = _spec(project, f'import "{secret / "shadow.vp"}"\nimport "../secret/shadow.vp"\nimport "link.vp"\n')
    result = read_guideline(str(spec))
    assert [d.code.code for d in result.diagnostics] == ["VP113"] * 3
    for d in result.diagnostics:
        assert "SECRET" not in d.message and "SECRET" not in (d.hint or "")
        assert "outside the spec's folder tree" in d.message
    assert len(result.sources) == 1  # only the spec itself was read


def test_an_extra_import_root_allows_its_files(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "cat.vp").write_text('catalogue c "C"\ninput depth: superficial | deep\n', encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    spec = _spec(project, 'import "../shared/cat.vp"\n')
    assert [d.code.code for d in read_guideline(str(spec)).diagnostics] == ["VP113"]
    allowed = read_guideline(str(spec), extra_roots=[str(shared)])
    assert allowed.diagnostics == []
    assert [m.header.name.text for m in allowed.modules] == ["g", "c"]
    loaded = load_spec(str(spec), extra_roots=[str(shared)])
    assert [d.code.code for d in loaded.diagnostics] == ["VP215"]  # no 'start': the import itself was fine


def test_a_sibling_folder_with_the_same_prefix_is_outside(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj-evil").mkdir()
    (tmp_path / "proj-evil" / "c.vp").write_text('catalogue c "C"\n', encoding="utf-8")
    spec = _spec(tmp_path / "proj", 'import "../proj-evil/c.vp"\n')
    assert [d.code.code for d in read_guideline(str(spec)).diagnostics] == ["VP113"]


# -- misleading messages --------------------------------------------------------------------------


def test_a_symlink_loop_is_not_reported_as_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    os.symlink("b.vp", "a.vp")
    os.symlink("a.vp", "b.vp")
    _spec(tmp_path, 'import "a.vp"\n')
    assert _codes_messages(Path("g.vp")) == [
        ("VP100", "cannot read imported file 'a.vp': a loop of symbolic links", Span.point("g.vp", 2, 8, 6))
    ]
    files, problems = discover(["a.vp"])
    assert problems == [] and files == ["a.vp"]
    (d,) = load_spec("a.vp").diagnostics
    assert d.code.code == "VP100" and "symbolic links" in d.message and "does not exist" not in d.message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permission bits")
def test_an_unsearchable_folder_is_not_reported_as_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "c.vp").write_text('catalogue c "C"\n', encoding="utf-8")
    _spec(tmp_path, 'import "locked/c.vp"\n')
    (tmp_path / "locked").chmod(0)
    try:
        assert _codes_messages(Path("g.vp")) == [
            ("VP100", "cannot read imported file 'locked/c.vp': Permission denied", Span.point("g.vp", 2, 8, 13))
        ]
    finally:
        (tmp_path / "locked").chmod(0o755)


def test_permission_denied_is_not_reported_as_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Works as root too: os.stat is made to fail as it does for an unsearchable folder.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "locked").mkdir()
    _spec(tmp_path, 'import "locked/c.vp"\n')
    real_stat = os.stat

    def stat(path: object, *args: object, **kw: object) -> os.stat_result:
        if "locked" in str(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_stat(path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", stat)
    assert _codes_messages(Path("g.vp")) == [
        ("VP100", "cannot read imported file 'locked/c.vp': Permission denied", Span.point("g.vp", 2, 8, 13))
    ]
    files, problems = discover(["locked/c.vp"])
    assert files == ["locked/c.vp"] and problems == []


def test_an_unreadable_import_points_at_the_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.vp").write_text('catalogue c "C"\n', encoding="utf-8")
    _spec(tmp_path, '\nimport "c.vp"\n')
    real_open = os.open

    def fail_open(path: object, *args: object, **kw: object) -> int:
        if str(path).endswith("c.vp"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", fail_open)
    assert _codes_messages(Path("g.vp")) == [
        ("VP100", "cannot read file: Permission denied", Span.point("g.vp", 3, 8, 6))
    ]


def test_a_deep_import_chain_has_its_own_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    depth = 970
    for i in range(depth):
        nxt = f'import "c{i + 1}.vp"\n' if i + 1 < depth else ""
        (tmp_path / f"c{i}.vp").write_text(f'catalogue c{i} "C"\n{nxt}', encoding="utf-8")
    _spec(tmp_path, 'import "c0.vp"\n')
    diags = read_guideline("g.vp").diagnostics
    assert [(d.code.code, d.message) for d in diags] == [
        ("VP114", f"imports are nested more than {reader.MAX_IMPORT_DEPTH} files deep")
    ]
    assert diags[0].span == Span.point(
        f"c{reader.MAX_IMPORT_DEPTH - 1}.vp", 2, 8, len(f'"c{reader.MAX_IMPORT_DEPTH}.vp"')
    )


# -- size limits ----------------------------------------------------------------------------------


def test_the_per_file_cap_fits_a_50000_rule_table() -> None:
    assert reader.MAX_BYTES >= 32 * 1024 * 1024
    assert reader.MAX_TOTAL_BYTES >= reader.MAX_BYTES


def test_total_bytes_over_all_imports_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(reader, "MAX_TOTAL_BYTES", 300)
    padding = "# " + "x" * 100 + "\n"
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.vp").write_text(f'catalogue {name} "C"\n{padding}', encoding="utf-8")
    _spec(tmp_path, 'import "a.vp"\nimport "b.vp"\nimport "c.vp"\n')
    diags = read_guideline("g.vp").diagnostics
    message = "the guideline and its imports exceed 300 bytes together"
    assert [(d.code.code, d.message, d.span) for d in diags] == [
        ("VP114", message, Span.point("g.vp", 3, 8, 6)),  # g.vp and a.vp fit; b.vp does not
        ("VP114", message, Span.point("g.vp", 4, 8, 6)),
    ]


def test_the_number_of_imported_files_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(reader, "MAX_FILES", 3)
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.vp").write_text(f'catalogue {name} "C"\n', encoding="utf-8")
    _spec(tmp_path, 'import "a.vp"\nimport "b.vp"\nimport "c.vp"\n')
    diags = read_guideline("g.vp").diagnostics
    assert [(d.code.code, d.message, d.span) for d in diags] == [
        ("VP114", "the guideline and its imports are more than 3 files", Span.point("g.vp", 4, 8, 6))
    ]


def test_the_cli_allows_a_named_import_root(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from veripath.cli import main

    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "cat.vp").write_text('catalogue c "C"\ninput ci: bool\n', encoding="utf-8")
    (tmp_path / "spec").mkdir()
    spec = _spec(tmp_path / "spec", 'import "../lib/cat.vp"\n')
    refused = CliRunner().invoke(main, ["check", "--format", "json", str(spec)])
    assert refused.exit_code == 2
    assert '"VP113"' in refused.output
    allowed = CliRunner().invoke(
        main, ["check", "--format", "json", "--allow-import-root", str(tmp_path / "lib"), str(spec)]
    )
    assert '"VP113"' not in allowed.output
    assert '"VP215"' in allowed.output  # the import was read; the guideline itself has no start
