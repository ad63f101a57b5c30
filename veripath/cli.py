"""The command line: `veripath check | test | graph | build | run | mutate | explain-code`.

Data and findings go to stdout (or `--output-file`); usage errors, internal errors and the
progress display to stderr. Each command returns an exit status, which
`veripath.status.exit_code` decides (0 clean, 1 findings, 2 bad input or usage, 3 internal
error, 4 an output could not be written, 130 interrupted); `VeripathGroup.main` is the
one place that exits.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

import click

from dsl.codes import CODES, MISPLACED_DECLARATION, lookup
from verify.results import SolverOptions
from veripath import __version__
from veripath.mutate import OPERATORS, Operator
from veripath.status import ExitCode, UserError, exit_code

# Imported by the commands that need them: `veripath --help` and `--version` load neither
# the pipeline nor Z3, networkx or Lark (tests/veripath/test_startup.py).
if TYPE_CHECKING:
    from veripath.config import Config
    from veripath.pipeline import Options, Pass, Report

# Kept for callers of the old names.
EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = (
    ExitCode.OK,
    ExitCode.FINDINGS,
    ExitCode.BAD_INPUT,
    ExitCode.INTERNAL,
)
EXIT_EXPORT, EXIT_INTERRUPTED = ExitCode.EXPORT_FAILED, ExitCode.INTERRUPTED

F = TypeVar("F", bound=Callable[..., Any])


def _use_color(flag: bool | None, stream: TextIO | None = None) -> bool:
    """Colour: the flag if given; else off with NO_COLOR or TERM=dumb, on with FORCE_COLOR, else on a terminal."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return (stream or sys.stdout).isatty()


@dataclass(frozen=True)
class Output:
    """Where and how much a command reports (`-q`, `-v`, `--output-file`, `--baseline`, `--write-baseline`)."""

    quiet: bool = False
    verbose: bool = False
    file: str | None = None
    baseline: frozenset[str] | None = None
    write_baseline: str | None = None


def _report(report: Report, fmt: str, color: bool, output: Output | None = None) -> ExitCode:
    """Show the findings of `report` in `fmt` (stdout, or `--output-file`); the run's exit status.

    Findings waived in the spec or listed in the baseline are shown but do not fail the run.
    """
    # each format's renderer is imported when it is asked for (veripath.render names them all)
    from veripath.findings import findings, guideline_of, summarize
    from veripath.findings import status as findings_status
    from veripath.render_text import render_report, summary_line

    out = output or Output()
    found = findings(report, out.baseline or frozenset())
    status = findings_status(report, found)
    summary = summarize(report, found)
    sources = {k: v for f in report.files for k, v in f.sources.items()}
    color = color and out.file is None
    if fmt == "sarif":
        from veripath.render_json import dumps
        from veripath.render_sarif import render_sarif

        doc = render_sarif(found, sources, __version__, baseline=out.baseline is not None, exit_code=int(status))
        text = dumps(doc) + "\n"
    elif fmt == "junit":
        from veripath.render_junit import render_junit

        text = render_junit(report, found, sources)
    elif fmt == "json":
        from veripath.render_json import dumps, render_json

        text = dumps(render_json(report, found, summary, __version__, int(status))) + "\n"
    elif fmt == "github":
        from veripath.render_github import render_github

        text = render_github([x for x in found if not (out.quiet and x.accepted)])
        if not out.quiet:
            text += summary_line(summary) + "\n"
    else:
        guidelines = {f.path: guideline_of(f) for f in report.files}
        text = render_report(found, summary, sources, guidelines, color=color, verbose=out.verbose, quiet=out.quiet)
    if out.write_baseline is not None:
        from veripath.baseline import render_baseline

        _write(out.write_baseline, render_baseline((x.fingerprint, x.diagnostic, x.guideline) for x in found))
    if out.file is not None:
        _write(out.file, text)
        if fmt != "text" and not out.quiet:
            click.echo(summary_line(summary))
    else:
        click.echo(text, nl=False, color=color)
    return status


def _write(path: str, text: str) -> None:
    try:
        from veripath.baseline import write_file

        write_file(path, text)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


def _output_options(fn: F) -> F:
    """-q, -v, --output-file, --baseline and --write-baseline, passed to the command as `output`."""

    def wrapper(
        *args: Any,
        quiet: bool,
        verbose: bool,
        output_file: str | None,
        baseline: str | None,
        write_baseline: str | None,
        **kwargs: Any,
    ) -> Any:
        try:
            known = None
            if baseline is not None:
                from veripath.baseline import load_baseline

                known = load_baseline(baseline)
        except UserError as exc:  # before the run: a bad baseline is a usage error, found at once
            click.echo(f"veripath: {exc}", err=True)
            return exit_code(exception=exc)
        output = Output(quiet=quiet, verbose=verbose, file=output_file, baseline=known, write_baseline=write_baseline)
        return fn(*args, output=output, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    options = [
        click.option("-q", "--quiet", is_flag=True, help="Show only problems: no summary, nothing accepted."),
        click.option("-v", "--verbose", is_flag=True, help="Also list each proof, with its time."),
        click.option(
            "--output-file",
            type=click.Path(dir_okay=False),
            help="Write the report to this file instead of stdout (stdout then gets the summary line).",
        ),
        click.option(
            "--baseline",
            type=click.Path(dir_okay=False),
            help="Findings listed in this baseline file are reported but do not fail the run.",
        ),
        click.option(
            "--write-baseline",
            type=click.Path(dir_okay=False),
            help="Record the fingerprint of every finding of this run in this file.",
        ),
    ]
    decorated: Any = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


_SPINNER = "|/-\\"


@contextmanager
def _progress(what: str) -> Iterator[None]:
    """On a terminal, after a second, a spinner with the elapsed time on stderr; silent otherwise."""
    stream = sys.stderr
    if not stream.isatty() or os.environ.get("TERM") == "dumb":
        yield
        return
    stop = threading.Event()

    def spin() -> None:
        t0 = time.monotonic()
        if stop.wait(1.0):
            return
        shown = 0
        for i in itertools.count():
            line = f"{_SPINNER[i % 4]} veripath: {what} ({time.monotonic() - t0:.0f} s)"
            stream.write("\r" + line)
            stream.flush()
            shown = len(line)
            if stop.wait(0.1):
                break
        stream.write("\r" + " " * shown + "\r")
        stream.flush()

    thread = threading.Thread(target=spin, name="veripath-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _guard(fn: F) -> F:
    """Exceptions become an exit status: a user error exit 2 with its message, Ctrl-C exit 130
    with one line, anything else exit 3 with a 'please report' message, never a bare traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except KeyboardInterrupt as exc:
            _say_interrupted()
            return exit_code(exception=exc)
        except UserError as exc:
            click.echo(f"veripath: {exc}", err=True)
            return exit_code(exception=exc)
        except Exception as exc:
            from dsl.diagnostics import VeripathError

            if isinstance(exc, VeripathError):
                click.echo(f"veripath: internal error: {exc}", err=True)
                return exit_code(exception=exc)
            click.echo(
                "veripath: internal error (this is a bug; please report it with the spec):",
                err=True,
            )
            click.echo(traceback.format_exc(), err=True)
            return exit_code(exception=exc)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper  # type: ignore[return-value]


def _say_interrupted() -> None:
    click.echo("veripath: interrupted", err=True)


class VeripathGroup(click.Group):
    """A click group whose commands return their exit status; `main` is the one place that exits."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> NoReturn:
        status = self.status(args, prog_name, complete_var, windows_expand_args, **extra)
        _leave(status)

    def status(
        self,
        args: list[str] | None,
        prog_name: str | None,
        complete_var: str | None,
        windows_expand_args: bool,
        **extra: Any,
    ) -> int:
        """Run the command line; its exit status (click's own errors included)."""
        try:
            rv = super().main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except click.ClickException as exc:  # usage errors: click shows them, with its own exit code (2)
            exc.show()
            return exc.exit_code
        except click.exceptions.Abort:  # Ctrl-C while click itself runs (parsing, prompts)
            _say_interrupted()
            return exit_code(exception=KeyboardInterrupt())
        except KeyboardInterrupt as exc:
            _say_interrupted()
            return exit_code(exception=exc)
        if isinstance(rv, int):  # a command's status, or click's (--help, --version: 0)
            return rv
        return ExitCode.OK


def _leave(status: int) -> NoReturn:
    """The process ends here, and only here."""
    sys.exit(int(status))


_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "junit", "github"]),
    default="text",
    show_default=True,
    help="Findings as compiler-style text, JSON, SARIF 2.1.0, JUnit XML or GitHub Actions annotations (stdout).",
)
_color_option = click.option(
    "--color/--no-color",
    default=None,
    help="Colour output (default: on a terminal; NO_COLOR, FORCE_COLOR and TERM=dumb are honoured).",
)


@click.group(cls=VeripathGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="veripath")
def main() -> None:
    """veripath: compile and verify clinical decision pathways written in the .vp language.

    \b
    Typical use:
      veripath check specs/                 check every spec in a folder
      veripath graph specs/x.vp             draw the decision graph (Mermaid)
      veripath build specs/ --out build/    verify, then write the tables
      veripath mutate specs/                which mistakes would no check notice?
      veripath explain-code VP301           what a diagnostic code means

    \b
    Exit codes: 0 clean, 1 findings, 2 bad input or usage, 3 internal error,
    4 an output could not be written, 130 interrupted.
    """


_solver_options = [
    click.option(
        "--timeout",
        "timeout_ms",
        type=click.IntRange(min=1),
        default=None,
        show_default=str(SolverOptions().timeout_ms),
        help="Solver time limit per query, in milliseconds (config: timeout).",
    ),
    click.option(
        "--rlimit",
        type=click.IntRange(min=0),
        default=None,
        show_default=str(SolverOptions().rlimit),
        help="Solver resource limit per query (reproducible, unlike the timeout; 0: none) (config: rlimit).",
    ),
    click.option(
        "--allow-unknown/--no-allow-unknown",
        default=None,
        help="Report checks the solver could not decide as warnings instead of failures (config: allow-unknown).",
    ),
]


_import_root_option = click.option(
    "--allow-import-root",
    "import_roots",
    multiple=True,
    type=click.Path(file_okay=False),
    help="A folder outside the spec's own folder tree that imports may read (repeatable; adds to the config's).",
)

_paths_argument = click.argument("paths", nargs=-1, type=click.Path())

_exclude_option = click.option(
    "--exclude",
    "exclude",
    multiple=True,
    metavar="PATTERN",
    help="Leave out what this gitignore-style pattern matches when walking folders "
    "(repeatable; adds to the config's exclude).",
)


def _jobs_option(what: str) -> Callable[[F], F]:
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=0),
        default=None,
        envvar="VERIPATH_JOBS",
        help=f"{what} in this many processes (0 or unset: one per core; config: jobs; env: VERIPATH_JOBS).",
    )


_batch_options = [
    _jobs_option("Check files"),
    click.option(
        "--no-cache",
        is_flag=True,
        help="Neither read nor write the cache of verified results (config: cache = false).",
    ),
]


def _with_solver_options(fn: F) -> F:
    for option in reversed(_solver_options):
        fn = option(fn)
    return fn


def _with_batch_options(fn: F) -> F:
    for option in reversed(_batch_options):
        fn = option(fn)
    return fn


def _first(*values: Any) -> Any:
    """The first value that is not None (a flag given, else the config's, else the default)."""
    return next(v for v in values if v is not None)


def _options(
    config: Config,
    *,
    timeout_ms: int | None = None,
    rlimit: int | None = None,
    allow_unknown: bool | None = None,
    strict: bool | None = None,
    import_roots: tuple[str, ...] = (),
    **extra: Any,
) -> Options:
    """The run's Options: command-line flags over `[tool.veripath]` over the defaults."""
    from veripath.pipeline import Options

    default = SolverOptions()
    return Options(
        solver=SolverOptions(
            timeout_ms=_first(timeout_ms, config.timeout, default.timeout_ms),
            rlimit=_first(rlimit, config.rlimit, default.rlimit),
        ),
        allow_unknown=_first(allow_unknown, config.allow_unknown, False),
        strict=_first(strict, config.strict, False),
        import_roots=(*(config.resolve(r) for r in config.import_roots), *import_roots),
        **extra,
    )


def _run(
    config: Config,
    paths: tuple[str, ...],
    options: Options,
    passes: tuple[Pass, ...],
    exclude: tuple[str, ...],
    jobs: int | None = 1,
    no_cache: bool = True,
) -> Report:
    """Discover the files (the paths given, else the config's `paths`, else `.`) and run `passes`."""
    from veripath.api import run

    paths, jobs = _targets(config, paths, jobs)
    cache = None
    if not no_cache and config.cache:
        from veripath.batch import cache_dir

        cache = cache_dir()
    return run(
        paths,
        options,
        passes,
        exclude=(*config.exclude, *exclude),
        base=config.root,
        respect_gitignore=config.respect_gitignore,
        jobs=jobs,
        cache=cache,
    )


def _targets(config: Config, paths: tuple[str, ...], jobs: int | None) -> tuple[tuple[str, ...], int]:
    """The paths to run on (given, else the config's `paths`, else `.`) and the number of processes
    (given, else the config's, else one per core)."""
    if not paths:
        paths = tuple(config.resolve(p) for p in config.paths) or (".",)
    if jobs is None:
        jobs = config.jobs
    if not jobs:
        from veripath.batch import default_jobs

        jobs = default_jobs()
    return paths, jobs


def _config() -> Config:
    from veripath import config

    return config.find()


@main.command()
@_paths_argument
@_format_option
@_color_option
@click.option("--strict/--no-strict", default=None, help="Treat warnings as findings (exit 1) (config: strict).")
@click.option(
    "--coverage",
    is_flag=True,
    help="Also report, as warnings, the rules no example takes and the threshold sides no example is on.",
)
@_with_solver_options
@_import_root_option
@_exclude_option
@_with_batch_options
@_output_options
@_guard
def check(
    paths: tuple[str, ...],
    fmt: str,
    color: bool | None,
    strict: bool | None,
    coverage: bool,
    timeout_ms: int | None,
    rlimit: int | None,
    allow_unknown: bool | None,
    import_roots: tuple[str, ...],
    output: Output,
    exclude: tuple[str, ...],
    jobs: int | None,
    no_cache: bool,
) -> ExitCode:
    """Check and verify spec files or folders (default: the config's paths, else .).

    Syntax, names, types and units; then, with Z3, that every decision is complete
    and free of conflicts, that the properties hold, and that the examples pass.
    Results of unchanged specs come from the cache (--no-cache to bypass). With --coverage,
    also the routes and threshold sides that no example exercises.
    """
    from veripath.pipeline import CHECK, CHECK_COVERAGE

    config = _config()
    options = _options(
        config,
        timeout_ms=timeout_ms,
        rlimit=rlimit,
        allow_unknown=allow_unknown,
        strict=strict,
        import_roots=import_roots,
    )
    with _progress("checking"):
        report = _run(config, paths, options, CHECK_COVERAGE if coverage else CHECK, exclude, jobs, no_cache)
    return _report(report, fmt, _use_color(color), output)


@main.command()
@_paths_argument
@_format_option
@_color_option
@_import_root_option
@_exclude_option
@_with_batch_options
@_output_options
@_guard
def test(
    paths: tuple[str, ...],
    fmt: str,
    color: bool | None,
    import_roots: tuple[str, ...],
    output: Output,
    exclude: tuple[str, ...],
    jobs: int | None,
    no_cache: bool,
) -> ExitCode:
    """Run the examples of spec files or folders against their compiled pathways (no solver)."""
    from veripath.pipeline import TEST, Options

    config = _config()
    options = Options(import_roots=(*(config.resolve(r) for r in config.import_roots), *import_roots))
    with _progress("running the examples"):
        report = _run(config, paths, options, TEST, exclude, jobs, no_cache)
    return _report(report, fmt, _use_color(color), output)


@main.command()
@click.argument("spec", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True)
@_color_option
@_import_root_option
@_guard
def graph(spec: str, fmt: str, color: bool | None, import_roots: tuple[str, ...]) -> ExitCode:
    """Print the decision graph of SPEC as a Mermaid flowchart or Graphviz DOT."""
    from compiler.export_diagram import to_dot, to_mermaid
    from dsl.diagnostics import error
    from veripath import pipeline
    from veripath.pipeline import Options

    report = pipeline.run([spec], Options(import_roots=import_roots), pipeline.FRONT_END)
    (loaded,) = report.files
    if loaded.graph is None:
        if loaded.ok:
            loaded.diagnostics.append(error(MISPLACED_DECLARATION, "a catalogue has no pathway to draw", None))
        return _report(report, "text", _use_color(color))
    click.echo(to_mermaid(loaded.graph) if fmt == "mermaid" else to_dot(loaded.graph), nl=False)
    return ExitCode.OK


@main.command()
@_paths_argument
@click.option("--out", "out_dir", default="build", show_default=True, type=click.Path(file_okay=False))
@click.option(
    "--unverified",
    is_flag=True,
    help="Write the outputs even when verification finds problems; each output says it is unverified.",
)
@click.option(
    "--check",
    "check_outputs",
    is_flag=True,
    help="Write nothing; report outputs in OUT that are not what the specs generate now (exit 1).",
)
@_format_option
@_color_option
@_with_solver_options
@_import_root_option
@_exclude_option
@_output_options
@_guard
def build(
    paths: tuple[str, ...],
    out_dir: str,
    unverified: bool,
    fmt: str,
    color: bool | None,
    timeout_ms: int | None,
    rlimit: int | None,
    allow_unknown: bool | None,
    import_roots: tuple[str, ...],
    exclude: tuple[str, ...],
    check_outputs: bool,
    output: Output,
) -> ExitCode:
    """Verify specs, then write their generated tables into OUT (default build/).

    Nothing is written unless every spec verifies (exit 1 otherwise), or --unverified is given.
    """
    from veripath.pipeline import BUILD

    config = _config()
    options = _options(
        config,
        timeout_ms=timeout_ms,
        rlimit=rlimit,
        allow_unknown=allow_unknown,
        import_roots=import_roots,
        out_dir=out_dir,
        unverified=unverified,
        check_outputs=check_outputs,
    )
    with _progress("building"):
        report = _run(config, paths, options, BUILD, exclude)  # never cached: it writes the outputs
    if fmt == "text" and output.file is None:  # other formats keep stdout one document
        for f in report.files:
            for written in f.outputs:
                click.echo(written)
    return _report(report, fmt, _use_color(color), output)


@main.command("run")
@click.argument("spec", type=click.Path())
@click.option("--given", "given", multiple=True, metavar="NAME=VALUE", help="A fact about the patient (repeatable).")
@click.option("--facts", "facts_file", type=click.Path(dir_okay=False), help="A JSON object of facts (name: value).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_color_option
@_guard
def run_patient(spec: str, given: tuple[str, ...], facts_file: str | None, fmt: str, color: bool | None) -> ExitCode:
    """Run one patient through SPEC (a .vp spec or a built .json table) and say why.

    Prints each decision with the rule that applied and the truth of every rule's
    conditions, the orders with their metadata, the disposition, and the facts still
    needed. Uses the JSON tables' reference evaluator (compiler.json_eval). Exit 0 when
    the run ends in a disposition or needs more facts, 1 when it stops at a gap, a
    conflict or a revisit limit, 2 on bad input.
    """
    from dsl.diagnostics import error
    from veripath import pipeline
    from veripath.pipeline import Options
    from veripath.runner import load_tables, parse_given, read_facts, render_text, report, units_of

    if spec.endswith(".json"):
        tables = load_tables(spec)
    else:
        front = pipeline.run([spec], Options(), pipeline.FRONT_END)
        (loaded,) = front.files
        if loaded.graph is None:
            if loaded.ok:
                loaded.diagnostics.append(error(MISPLACED_DECLARATION, "a catalogue has no pathway to run", None))
            _report(front, "text", _use_color(color))
            return ExitCode.BAD_INPUT
        tables = load_tables(loaded)
    facts: dict[str, object] = read_facts(facts_file) if facts_file else {}
    facts.update(parse_given(tables, given))
    data, checked = report(tables, facts)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(data, checked, units_of(tables)), nl=False)
    return ExitCode.OK if data["status"] in ("end", "needs") else ExitCode.FINDINGS


@main.command()
@_paths_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_color_option
@click.option(
    "--strict/--no-strict",
    default=None,
    help="A warning the original spec does not have kills a mutant too (config: strict).",
)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PERCENT",
    help="Exit 1 if a guideline's mutation score is below PERCENT (mutants not run or undecided count as survivors).",
)
@click.option(
    "--time-budget",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Start no mutant after SECONDS; the rest are reported as not run.",
)
@click.option(
    "--operator",
    "operators",
    multiple=True,
    type=click.Choice(OPERATORS),
    help="Apply only this mutation operator (repeatable; default: all, see docs/mutate.md).",
)
@_with_solver_options
@_import_root_option
@_exclude_option
@_jobs_option("Run mutants")
@click.option("-v", "--verbose", is_flag=True, help="List every mutant, with what killed it.")
@click.option(
    "--output-file",
    type=click.Path(dir_okay=False),
    help="Write the report to this file instead of stdout (stdout then gets the summary line).",
)
@_guard
def mutate(
    paths: tuple[str, ...],
    fmt: str,
    color: bool | None,
    strict: bool | None,
    min_score: float | None,
    time_budget: float | None,
    operators: tuple[Operator, ...],
    timeout_ms: int | None,
    rlimit: int | None,
    allow_unknown: bool | None,
    import_roots: tuple[str, ...],
    exclude: tuple[str, ...],
    jobs: int | None,
    verbose: bool,
    output_file: str | None,
) -> ExitCode:
    """Mutation testing: which mistakes in the specs would no check, property or example notice?

    Applies realistic authoring mistakes one at a time (delete a rule, negate a condition,
    move a threshold, swap an action, a disposition or a next decision...) and verifies each
    mutant in full. A mutant some check fails on is killed; one that passes although some
    patient's recommendation changes survives, and is listed under its rule with that patient.
    Mutants that change no patient's outcome (proved with Z3) are left out of the score.
    See docs/mutate.md.
    """
    from veripath.api import discover
    from veripath.mutate import engine
    from veripath.mutate.render import Settings, render_json, render_report, status, summary_line
    from veripath.render_json import dumps

    config = _config()
    options = _options(
        config,
        timeout_ms=timeout_ms,
        rlimit=rlimit,
        allow_unknown=allow_unknown,
        strict=strict,
        import_roots=import_roots,
    )
    paths, jobs = _targets(config, paths, jobs)
    settings = Settings(
        strict=options.strict,
        min_score=min_score,
        time_budget=time_budget,
        operators=tuple(op for op in OPERATORS if not operators or op in operators),
    )
    t0 = time.perf_counter()
    files, problems = discover(
        list(paths), exclude=(*config.exclude, *exclude), base=config.root, respect_gitignore=config.respect_gitignore
    )
    with _progress("mutating"):
        specs = engine.run(files, options, operators=settings.operators, jobs=jobs, time_budget=time_budget)
    seconds = time.perf_counter() - t0
    code = status(specs, problems, settings)
    use_color = _use_color(color) and output_file is None
    if fmt == "json":
        text = dumps(render_json(specs, problems, settings, seconds, __version__, int(code))) + "\n"
    else:
        text = render_report(specs, problems, settings, seconds, color=use_color, verbose=verbose)
    if output_file is not None:
        _write(output_file, text)
        click.echo(summary_line(specs, settings, seconds))
    else:
        click.echo(text, nl=False, color=use_color)
    return code


@main.command("explain-code")
@click.argument("code", required=False)
@_guard
def explain_code(code: str | None) -> ExitCode:
    """Explain a diagnostic code (e.g. VP301), or list them all."""
    if code is None:
        for c in CODES.values():
            click.echo(f"{c.code}  {c.slug:<26} {c.severity.value:<8} {c.summary}")
        return ExitCode.OK
    found = lookup(code)
    if found is None:
        raise UserError(f"unknown code {code!r}; run 'veripath explain-code' for the list")
    import textwrap

    out = [
        f"{found.code} ({found.slug}): {found.summary}",
        f"severity: {found.severity.value} (default)    stage: {found.stage.value}",
        "",
        textwrap.fill(found.explanation, width=88),
    ]
    if found.example:
        out += ["", "Example (example.vp):", "", textwrap.indent(found.example.rstrip("\n"), "    ")]
    out += ["", textwrap.fill(f"Fix: {found.fix}", width=88)]
    click.echo("\n".join(out))
    return ExitCode.OK
