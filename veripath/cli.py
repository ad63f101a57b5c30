"""The command line: `veripath check | test | graph | build | explain-code`.

Data goes to stdout, diagnostics to stderr. Exit codes are decided in `exit_code` alone:
0 clean, 1 findings, 2 bad input or usage, 3 internal error.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import click

from dsl.codes import CODES, lookup
from dsl.diagnostics import Diagnostic, Severity, VeripathError, error
from verify import SolverOptions, run_examples, verify_graph
from veripath import __version__
from veripath.api import Loaded, discover, load_spec
from veripath.render import render_junit, render_sarif, render_text, summary_line

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

F = TypeVar("F", bound=Callable[..., Any])


def exit_code(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> int:
    """The one place that turns diagnostics into an exit status."""
    worst = EXIT_OK
    for d in diagnostics:
        if d.severity is Severity.ERROR:
            if d.code[:3] in ("VP1", "VP2"):
                return EXIT_BAD_INPUT
            worst = EXIT_FINDINGS
        elif d.severity is Severity.WARNING and strict:
            worst = EXIT_FINDINGS
    return worst


@dataclass
class Run:
    """What one command found, over all files."""

    loaded: list[Loaded] = field(default_factory=list)
    extra: list[Diagnostic] = field(default_factory=list)

    def diagnostics(self) -> list[Diagnostic]:
        out = list(self.extra)
        for item in self.loaded:
            out.extend(sorted(item.diagnostics, key=Diagnostic.sort_key))
        return out


def _use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stderr.isatty()


def _report(run: Run, fmt: str, color: bool, files: int, strict: bool) -> int:
    diags = run.diagnostics()
    if fmt == "sarif":
        click.echo(json.dumps(render_sarif(diags, __version__), indent=2, ensure_ascii=False))
    elif fmt == "junit":
        per_file = [(item.path, sorted(item.diagnostics, key=Diagnostic.sort_key)) for item in run.loaded]
        if run.extra:
            per_file.append(("veripath", run.extra))
        click.echo(render_junit(per_file), nl=False)
    elif fmt == "json":
        payload = {
            "version": __version__,
            "files": [
                {
                    "path": item.path,
                    "diagnostics": [d.to_json() for d in sorted(item.diagnostics, key=Diagnostic.sort_key)],
                }
                for item in run.loaded
            ],
            "diagnostics": [d.to_json() for d in run.extra],
            "summary": {
                "errors": sum(d.is_error for d in diags),
                "warnings": sum(d.severity is Severity.WARNING for d in diags),
                "exit_code": exit_code(diags, strict=strict),
            },
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        sources = {k: v for item in run.loaded for k, v in item.sources.items()}
        for d in diags:
            click.echo(render_text(d, sources, color=color), err=True, color=color)
        errors = sum(d.is_error for d in diags)
        warnings = sum(d.severity is Severity.WARNING for d in diags)
        click.echo(summary_line(files, errors, warnings), err=True, color=color)
    return exit_code(diags, strict=strict)


def _guard(fn: F) -> F:
    """Internal errors become exit 3 with a 'please report' message, never a bare traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except VeripathError as exc:
            click.echo(f"veripath: internal error: {exc}", err=True)
            sys.exit(EXIT_INTERNAL)
        except Exception:
            click.echo(
                "veripath: internal error (this is a bug; please report it with the spec):",
                err=True,
            )
            click.echo(traceback.format_exc(), err=True)
            sys.exit(EXIT_INTERNAL)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper  # type: ignore[return-value]


_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "junit"]),
    default="text",
    show_default=True,
    help="Diagnostics as compiler-style text (stderr), or JSON, SARIF 2.1.0 or JUnit XML (stdout).",
)
_color_option = click.option(
    "--color/--no-color",
    default=None,
    help="Colour output (default: on a terminal, unless NO_COLOR is set).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="veripath")
def main() -> None:
    """veripath: compile and verify clinical decision pathways written in the .vp language.

    \b
    Typical use:
      veripath check specs/                 check every spec in a folder
      veripath graph specs/x.vp             draw the decision graph (Mermaid)
      veripath build specs/ --out build/    write the tables
      veripath explain-code VP301           what a diagnostic code means

    Exit codes: 0 clean, 1 findings, 2 bad input or usage, 3 internal error.
    """


def _load_all(paths: tuple[str, ...]) -> tuple[Run, list[str]]:
    files, problems = discover(list(paths))
    run = Run(extra=problems)
    for f in files:
        run.loaded.append(load_spec(f))
    if not files and not problems:
        run.extra.append(error("VP100", "no .vp files found", None))
    return run, files


def _verify(run: Run, options: SolverOptions, *, checks: bool, examples: bool, allow_unknown: bool) -> None:
    """Run the verifier and/or the examples on every spec that compiled."""
    for item in run.loaded:
        if item.graph is None:
            continue
        found: list[Diagnostic] = []
        if checks:
            found.extend(verify_graph(item.graph, options).diagnostics())
        if examples:
            found.extend(run_examples(item.graph).diagnostics())
        if allow_unknown:
            found = [downgrade_unknown(d) for d in found]
        item.diagnostics.extend(found)


def downgrade_unknown(d: Diagnostic) -> Diagnostic:
    """--allow-unknown: an undecided check is still reported, as a warning."""
    if d.code != "VP309" or not d.is_error:
        return d
    return replace(d, severity=Severity.WARNING)


_solver_options = [
    click.option(
        "--timeout",
        "timeout_ms",
        type=click.IntRange(min=1),
        default=SolverOptions().timeout_ms,
        show_default=True,
        help="Solver time limit per query, in milliseconds.",
    ),
    click.option(
        "--rlimit",
        type=click.IntRange(min=0),
        default=SolverOptions().rlimit,
        show_default=True,
        help="Solver resource limit per query (reproducible, unlike the timeout; 0: none).",
    ),
    click.option(
        "--allow-unknown",
        is_flag=True,
        help="Report checks the solver could not decide as warnings instead of failures.",
    ),
]


def _with_solver_options(fn: F) -> F:
    for option in reversed(_solver_options):
        fn = option(fn)
    return fn


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_format_option
@_color_option
@click.option("--strict", is_flag=True, help="Treat warnings as findings (exit 1).")
@_with_solver_options
@_guard
def check(
    paths: tuple[str, ...],
    fmt: str,
    color: bool | None,
    strict: bool,
    timeout_ms: int,
    rlimit: int,
    allow_unknown: bool,
) -> None:
    """Check and verify spec files or folders.

    Syntax, names, types and units; then, with Z3, that every decision is complete
    and free of conflicts, that the properties hold, and that the examples pass.
    """
    run, files = _load_all(paths)
    options = SolverOptions(timeout_ms=timeout_ms, rlimit=rlimit)
    _verify(run, options, checks=True, examples=True, allow_unknown=allow_unknown)
    sys.exit(_report(run, fmt, _use_color(color), len(files), strict))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_format_option
@_color_option
@_guard
def test(paths: tuple[str, ...], fmt: str, color: bool | None) -> None:
    """Run the examples of spec files or folders against their compiled pathways."""
    run, files = _load_all(paths)
    _verify(run, SolverOptions(), checks=False, examples=True, allow_unknown=False)
    sys.exit(_report(run, fmt, _use_color(color), len(files), False))


@main.command()
@click.argument("spec", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True)
@_color_option
@_guard
def graph(spec: str, fmt: str, color: bool | None) -> None:
    """Print the decision graph of SPEC as a Mermaid flowchart or Graphviz DOT."""
    from compiler.export_diagram import to_dot, to_mermaid

    loaded = load_spec(spec)
    if loaded.graph is None:
        run = Run(loaded=[loaded])
        if loaded.ok:
            loaded.diagnostics.append(error("VP219", "a catalogue has no pathway to draw", None))
        sys.exit(max(EXIT_BAD_INPUT, _report(run, "text", _use_color(color), 1, False)))
    click.echo(to_mermaid(loaded.graph) if fmt == "mermaid" else to_dot(loaded.graph), nl=False)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--out", "out_dir", default="build", show_default=True, type=click.Path(file_okay=False))
@_format_option
@_color_option
@_guard
def build(paths: tuple[str, ...], out_dir: str, fmt: str, color: bool | None) -> None:
    """Check specs and write their generated tables into OUT (default build/)."""
    from compiler.export_diagram import write_outputs

    run, files = _load_all(paths)
    code = exit_code(run.diagnostics())
    if code == EXIT_OK:
        for item in run.loaded:
            if item.graph is None:
                continue
            try:
                for written in write_outputs(item.graph, out_dir):
                    click.echo(written)
            except OSError as exc:
                reason = exc.strerror or str(exc)
                where = exc.filename or out_dir
                item.diagnostics.append(
                    error("VP401", f"cannot write {where}: {reason}", None, hint="check the folder")
                )
    sys.exit(_report(run, fmt, _use_color(color), len(files), False))


@main.command("run")
@click.argument("spec", type=click.Path())
@click.option("--given", "given", multiple=True, metavar="NAME=VALUE", help="A fact about the patient (repeatable).")
@click.option("--facts", "facts_file", type=click.Path(dir_okay=False), help="A JSON object of facts (name: value).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_color_option
@_guard
def run_patient(spec: str, given: tuple[str, ...], facts_file: str | None, fmt: str, color: bool | None) -> None:
    """Run one patient through SPEC (a .vp spec or a built .json table) and say why.

    Prints each decision with the rule that applied and the truth of every rule's
    conditions, the orders with their metadata, the disposition, and the facts still
    needed. Uses the JSON tables' reference evaluator (compiler.json_eval). Exit 0 when
    the run ends in a disposition or needs more facts, 1 when it stops at a gap, a
    conflict or a revisit limit, 2 on bad input.
    """
    from veripath.runner import RunInputError, load_tables, parse_given, read_facts, render_text, report

    try:
        tables, loaded = load_tables(spec)
        if tables is None:
            assert loaded is not None
            if loaded.ok:
                loaded.diagnostics.append(error("VP219", "a catalogue has no pathway to run", None))
            _report(Run(loaded=[loaded]), "text", _use_color(color), 1, False)
            sys.exit(EXIT_BAD_INPUT)
        facts: dict[str, object] = read_facts(facts_file) if facts_file else {}
        facts.update(parse_given(tables, given))
        data = report(tables, facts)
        checked = tables.facts(facts)
    except (RunInputError, ValueError) as exc:
        click.echo(f"veripath: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(data, checked), nl=False)
    sys.exit(EXIT_OK if data["status"] in ("end", "needs") else EXIT_FINDINGS)


@main.command("explain-code")
@click.argument("code", required=False)
def explain_code(code: str | None) -> None:
    """Explain a diagnostic code (e.g. VP301), or list them all."""
    if code is None:
        for c in CODES.values():
            click.echo(f"{c.code}  {c.slug:<26} {c.summary}")
        return
    found = lookup(code)
    if found is None:
        click.echo(f"veripath: unknown code {code!r}; run 'veripath explain-code' for the list", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(f"{found.code} ({found.slug}): {found.summary}")
