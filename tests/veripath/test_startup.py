"""Fast start: the command line's module loads neither Z3, networkx nor Lark (a fresh process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("z3", "networkx", "lark")


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    modules: list[str] = json.loads(done.stdout.splitlines()[-1])
    return modules


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in HEAVY]


def test_importing_the_cli_loads_no_solver_graph_or_parser() -> None:
    modules = _loaded_after("import veripath.cli")
    assert _heavy(modules) == []
    assert "veripath.pipeline" not in modules and "dsl.model" not in modules


def test_importing_the_package_loads_no_solver_graph_or_parser() -> None:
    assert _heavy(_loaded_after("import veripath, veripath.entry, veripath.config")) == []


def test_help_and_version_load_nothing_heavy() -> None:
    for args in (["--help"], ["--version"], ["check", "--help"]):
        code = f"import sys\nfrom veripath.cli import main\nmain.status({args!r}, 'veripath', None, True)"
        assert _heavy(_loaded_after(code)) == [], args


def test_the_api_still_loads_on_first_use() -> None:
    import veripath

    assert callable(veripath.check) and veripath.Options().strict is False


def test_check_loads_no_exporter_and_only_the_renderer_it_uses() -> None:
    specs = str(Path(__file__).resolve().parents[2] / "specs")
    code = (
        f"from veripath.cli import main\nmain.status(['check', '--no-cache', '-q', {specs!r}], 'veripath', None, True)"
    )
    modules = _loaded_after(code)
    assert "veripath.pipeline" in modules and "veripath.render_text" in modules
    unused = [
        m
        for m in modules
        if m.startswith("compiler.export_") or m in ("veripath.render_sarif", "veripath.render_junit")
    ]
    assert unused == []


def test_a_spec_with_errors_is_reported_without_the_graph_or_the_solver(tmp_path: Path) -> None:
    """networkx and Z3 are imported by the passes that use them (`lower`, the verifier)."""
    spec = tmp_path / "bad.vp"
    spec.write_text('guideline bad "Bad"\nthis is not valid\n', encoding="utf-8")
    code = f"from veripath.cli import main\nmain.status(['check', '--no-cache', {str(spec)!r}], 'veripath', None, True)"
    modules = _loaded_after(code)
    assert "veripath.pipeline" in modules
    assert [m for m in modules if m.split(".")[0] in ("z3", "networkx", "pathspec")] == []
