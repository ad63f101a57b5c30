"""The pipeline, as data: named passes in one tuple, run over every file of a run.

    read → resolve → lower → wellformed → verify-tables → verify-paths → examples → coverage
         → waive → export

Each command runs a selection of `PASSES`, in the tuple's order: `check` everything but
`coverage` (only with `--coverage`) and `export`, `test` the front end and the examples,
`build` everything but `coverage`, `graph` and `veripath.load` the front end; `mutate` runs
a mutated Model through the passes from `lower` on. A pass is a `Pass(name, run, ready)`:
`ready(file)` says whether the file has what the pass needs (a pass whose input is missing, because an earlier
pass found errors or did not run, is skipped), `run(file, report)` does the work and adds
to the file's diagnostics. `run_pass` runs one pass on one file and records its wall time
in `FileResult.timings[name]`; `Report.timings()` sums them per pass over the files.

The passes run pass by pass over all files, so that `export` sees the whole run: it writes
nothing unless every file is clean (or, with `Options.unverified`, free of compile errors),
and each exporter of `Options.exporters` receives a `Stamp` saying whether the file's
pathway was verified. An exporter is `(graph, out_dir, stamp) -> written paths`; it raises
OSError when it cannot write, which becomes VP401 (exit 4).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from compiler import outputs
from dsl.codes import EXPORT_FAILED, OUTPUT_CLASH, STALE_BUILD, UNKNOWN_RESULT, Stage
from dsl.diagnostics import Diagnostic, Severity, error
from dsl.reader import ReadResult, display_path, read_guideline
from dsl.resolve import resolve
from dsl.waivers import apply_waivers
from verify.results import DEFAULT_OPTIONS, CheckResult, SolverOptions, Verdict
from veripath import entry
from veripath.status import ExitCode, exit_code, stage_of

# Each pass imports what only it needs when it first runs: networkx with `lower`, Z3 with the
# verifier, the exporters with `export`. `check` loads none of the exporters, and a spec with
# a syntax or type error is reported without loading networkx or Z3.
PASS_MODULES = ("compiler.lower", "compiler.wellformed", "verify.pathway", "verify.examples")
"""What the passes of `check` import when they first run (a pool's fork server imports them once)."""

if TYPE_CHECKING:
    from compiler.graph import DecisionGraph
    from compiler.stamp import Stamp
    from dsl.model import Model
    from dsl.source import SourceFile
    from verify.pathway import PathwayVerifier

# An exporter renders one guideline's graph into {file name: text}; `build` writes them as a group.
Exporter = outputs.Exporter
EXPORTERS = outputs.EXPORTERS


@dataclass(frozen=True, kw_only=True)
class Options:
    """What a run may do.

    solver: the limits of every Z3 query.
    allow_unknown: a check the solver cannot decide is a warning, not a finding.
    strict: warnings are findings (exit 1).
    out_dir: where `export` writes.
    unverified: `export` writes even when the specs have findings, each output marked.
    exporters: what `export` runs, in order (None: `EXPORTERS`, looked up when the pass runs).
    check_outputs: `export` writes nothing; it reports outputs that differ from the files in
      `out_dir` (VP402), as `veripath build --check` does.
    root: the folder generated files name their sources relative to (None: the project root
      found from each spec, see `compiler.outputs.project_root`).
    import_roots: folders outside a spec's own folder tree that its imports may read.
    keep_syntax: keep each file's syntax trees (`FileResult.read.modules`) after `resolve`, for
      callers that read them (`veripath.load_spec`, mutation testing); otherwise they are
      released once the Model is built, so that a large table's tree is not held beside its
      Model, graph and report.
    """

    solver: SolverOptions = DEFAULT_OPTIONS
    allow_unknown: bool = False
    strict: bool = False
    out_dir: str = "build"
    unverified: bool = False
    exporters: tuple[Exporter, ...] | None = None
    check_outputs: bool = False
    root: str | None = None
    import_roots: tuple[str, ...] = ()
    keep_syntax: bool = False


@dataclass(eq=False)
class FileResult:
    """Everything the pipeline learnt about one spec file."""

    path: str  # as diagnostics show it
    source_path: str = ""  # as given (what `read` opens); defaults to `path`
    model: Model | None = None
    graph: DecisionGraph | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    checks: list[CheckResult] = field(default_factory=list)  # verification checks, every verdict
    examples: list[CheckResult] = field(default_factory=list)  # one per example
    outputs: list[str] = field(default_factory=list)  # files written by `export`
    timings: dict[str, float] = field(default_factory=dict)  # pass name -> seconds
    # The guideline's name once resolved; kept when model and graph are dropped (cache, -j workers),
    # because finding identities (fingerprints) are keyed by it.
    guideline: str | None = None
    read: ReadResult | None = field(default=None, repr=False)
    verifier: PathwayVerifier | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.source_path:
            self.source_path = self.path

    @classmethod
    def for_path(cls, path: str) -> FileResult:
        return cls(path=display_path(path), source_path=path)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    @property
    def proved(self) -> list[CheckResult]:
        return [c for c in self.checks if c.verdict is Verdict.PROVED]

    def sorted_diagnostics(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=Diagnostic.sort_key)

    def stamp(self) -> Stamp:
        """Whether this file's pathway is verified: every check proved, every example passed."""
        from compiler.stamp import Stamp

        results = [*self.checks, *self.examples]
        if any(r.verdict is Verdict.REFUTED and r.diagnostic is not None and r.diagnostic.is_error for r in results):
            return Stamp(verdict="refuted")
        if any(r.verdict is Verdict.UNKNOWN for r in results):
            return Stamp(verdict="unknown")
        if not all(name in self.timings for name in ("verify-tables", "verify-paths", "examples")):
            return Stamp(verdict="skipped")
        return Stamp(verdict="verified")


@dataclass
class Report:
    """The result of one run: one FileResult per file, plus problems with no file (missing paths)."""

    files: list[FileResult] = field(default_factory=list)
    extra: list[Diagnostic] = field(default_factory=list)
    options: Options = field(default_factory=Options)
    passes: tuple[str, ...] = ()  # the names of the passes this run selected
    seconds: float = 0.0  # wall time of the whole run

    def diagnostics(self) -> list[Diagnostic]:
        """Every diagnostic: the run's own, then each file's sorted by location."""
        out = list(self.extra)
        for f in self.files:
            out.extend(f.sorted_diagnostics())
        return out

    def exit_code(self) -> ExitCode:
        return exit_code(self.diagnostics(), strict=self.options.strict)

    @property
    def ok(self) -> bool:
        return self.exit_code() is ExitCode.OK

    def timings(self) -> dict[str, float]:
        """Seconds per pass, summed over the files, in pipeline order."""
        out: dict[str, float] = {}
        for p in PASSES:
            spent = [f.timings[p.name] for f in self.files if p.name in f.timings]
            if spent:
                out[p.name] = sum(spent)
        return out


@dataclass(frozen=True)
class Pass:
    name: str
    run: Callable[[FileResult, Report], None]
    ready: Callable[[FileResult], bool]


# -- the passes ---------------------------------------------------------------------------------


def _read(f: FileResult, report: Report) -> None:
    read = read_guideline(f.source_path, extra_roots=report.options.import_roots)
    f.read = read
    f.sources.update(read.sources)
    f.diagnostics.extend(read.diagnostics)


def _resolve(f: FileResult, report: Report) -> None:
    assert f.read is not None
    model, diags = resolve(f.read.modules, f.read.imports)
    if not report.options.keep_syntax:
        f.read.release_syntax()
    f.diagnostics.extend(diags)
    if not any(d.is_error for d in diags):
        f.model = model
        f.guideline = model.name


def _lower(f: FileResult, report: Report) -> None:
    from compiler.lower import lower_checked

    assert f.model is not None
    f.graph, problems = lower_checked(f.model)
    f.diagnostics.extend(problems)


def _wellformed(f: FileResult, report: Report) -> None:
    from compiler import wellformed

    assert f.graph is not None
    problems = wellformed.check(f.graph)
    f.diagnostics.extend(problems)
    if any(d.is_error for d in problems):
        f.graph = None  # not a pathway the later passes can work on


def _verifier(f: FileResult, report: Report) -> PathwayVerifier:
    if f.verifier is None:
        from verify.pathway import PathwayVerifier

        assert f.graph is not None
        f.verifier = PathwayVerifier(f.graph, report.options.solver)
    return f.verifier


def _found(f: FileResult, results: Iterable[CheckResult], options: Options) -> list[CheckResult]:
    """Record `results` in `f`: their diagnostics join the file's (undecided ones as warnings if allowed)."""
    out = []
    for r in results:
        if options.allow_unknown and r.diagnostic is not None:
            r = dataclasses.replace(r, diagnostic=downgrade_unknown(r.diagnostic))
        if r.diagnostic is not None:
            f.diagnostics.append(r.diagnostic)
        out.append(r)
    return out


def _verify_tables(f: FileResult, report: Report) -> None:
    f.checks.extend(_found(f, _verifier(f, report).verify_tables().results, report.options))


def _verify_paths(f: FileResult, report: Report) -> None:
    f.checks.extend(_found(f, _verifier(f, report).verify_paths().results, report.options))


def _examples(f: FileResult, report: Report) -> None:
    from verify import run_examples

    assert f.graph is not None
    f.examples.extend(_found(f, run_examples(f.graph).results, report.options))


def _coverage(f: FileResult, report: Report) -> None:
    """Coverage hints (`check --coverage`): rules no example takes, threshold sides no example is on.
    Rules and decisions the verifier found dead, masked or unreachable are left out."""
    assert f.graph is not None
    from verify.coverage import coverage

    skip: set[str] = set()
    for r in f.checks:
        kind, _, rest = r.check.partition(":")
        if r.verdict is Verdict.REFUTED and kind in ("dead", "masked"):
            decision, _, rule = rest.partition(":")
            skip.add(f"{decision}.{rule}")
        elif r.verdict is Verdict.REFUTED and kind == "unreachable" and rest.startswith("decision:"):
            skip.add(rest.partition(":")[2])
    f.diagnostics.extend(coverage(f.graph, skip))


def _waive(f: FileResult, report: Report) -> None:
    """Mark the findings the spec's `waive` declarations accept; a waiver that accepts none is VP311.

    Unused waivers are reported only where the verifier ran both its passes and decided every
    check: otherwise the finding a waiver names may exist unseen.
    """
    assert f.model is not None
    verified = all(name in f.timings for name in ("verify-tables", "verify-paths"))
    decided = not any(r.verdict is Verdict.UNKNOWN for r in f.checks)
    f.diagnostics, unused = apply_waivers(f.model.waivers, f.diagnostics, report_unused=verified and decided)
    f.diagnostics.extend(unused)
    waived = {(d.code, d.evidence.check): d for d in f.diagnostics if d.waived is not None and d.evidence}
    for i, r in enumerate(f.checks):  # the check results carry the same (now waived) diagnostics
        if r.diagnostic is not None and r.diagnostic.evidence is not None:
            d = waived.get((r.diagnostic.code, r.diagnostic.evidence.check))
            if d is not None:
                f.checks[i] = dataclasses.replace(r, diagnostic=d)


def _export(f: FileResult, report: Report) -> None:
    from compiler.export_dmn import ExportError
    from compiler.locations import find_root
    from verify.stamp import proved_properties, settings_of

    assert f.graph is not None and f.model is not None
    if not export_allowed(report):
        return
    name = f.model.name
    clash = [o.path for o in report.files if o is not f and o.graph is not None and o.graph.model.name == name]
    if clash:
        f.diagnostics.append(
            error(
                OUTPUT_CLASH,
                f"guideline '{name}' is also declared by {', '.join(clash)}: their outputs would overwrite each other",
                None,
                hint="give each guideline its own name, or build them separately",
            )
        )
        return
    options = report.options
    stamp = f.stamp()
    if stamp.verdict != "skipped":  # the verifier ran: its limits and what it proved go in the headers
        stamp = dataclasses.replace(
            stamp, solver=settings_of(options.solver), proved=proved_properties(f.graph, f.checks)
        )
    root = options.root if options.root is not None else find_root(f.source_path)
    exporters = EXPORTERS if options.exporters is None else options.exporters
    files: dict[str, str] = {}
    try:
        for exporter in exporters:
            files.update(exporter(f.graph, stamp, root))
    except ExportError as exc:  # a construct a format cannot express: nothing is written
        f.diagnostics.extend(exc.diagnostics)
        return
    if options.check_outputs:
        for path in outputs.stale(options.out_dir, files):
            f.diagnostics.append(
                error(
                    STALE_BUILD,
                    f"{display_path(path)} is not what {f.path} generates now",
                    None,
                    hint=f"run: veripath build {f.path} --out {options.out_dir}",
                )
            )
        return
    try:
        f.outputs.extend(outputs.write_group(options.out_dir, files))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = exc.filename or options.out_dir
        f.diagnostics.append(error(EXPORT_FAILED, f"cannot write {where}: {reason}", None, hint="check the folder"))


def export_allowed(report: Report) -> bool:
    """Build only what is verified: no problem in any file, or only findings with `--unverified`."""
    before = [d for d in report.diagnostics() if stage_of(d) is not Stage.EXPORT]
    status = exit_code(before, strict=report.options.strict)
    return status is ExitCode.OK or (status is ExitCode.FINDINGS and report.options.unverified)


def downgrade_unknown(d: Diagnostic) -> Diagnostic:
    """--allow-unknown: an undecided check is still reported, as a warning."""
    if d.code != UNKNOWN_RESULT or not d.is_error:
        return d
    return d.with_severity(Severity.WARNING)


def _has_graph(f: FileResult) -> bool:
    return f.graph is not None


PASSES: tuple[Pass, ...] = (
    Pass("read", _read, lambda f: f.read is None),
    # resolve names, check types and units: the typed Model
    Pass("resolve", _resolve, lambda f: f.read is not None and bool(f.read.modules) and not f.read.diagnostics),
    # a guideline (not a catalogue) becomes its decision graph
    Pass("lower", _lower, lambda f: f.model is not None and f.model.kind == "guideline" and f.model.start is not None),
    Pass("wellformed", _wellformed, _has_graph),
    Pass("verify-tables", _verify_tables, _has_graph),
    Pass("verify-paths", _verify_paths, _has_graph),
    Pass("examples", _examples, _has_graph),
    # `check --coverage` only: routes and threshold sides no example exercises
    Pass("coverage", _coverage, _has_graph),
    # accept the findings the spec waives (after every pass that reports findings)
    Pass("waive", _waive, lambda f: f.model is not None and bool(f.model.waivers)),
    Pass("export", _export, _has_graph),
)

BY_NAME: dict[str, Pass] = {p.name: p for p in PASSES}


def select(*, skip: Iterable[str] = (), until: str | None = None) -> tuple[Pass, ...]:
    """The passes of `PASSES` up to and including `until`, without those named in `skip`."""
    skipped = set(skip)
    unknown = (skipped | ({until} if until else set())) - set(BY_NAME)
    if unknown:
        raise ValueError(f"no such pass: {', '.join(sorted(unknown))}")
    end = [p.name for p in PASSES].index(until) + 1 if until else len(PASSES)
    return tuple(p for p in PASSES[:end] if p.name not in skipped)


FRONT_END = select(until="wellformed")  # `graph`, `veripath.load`
CHECK = select(skip=["coverage", "export"])  # `check`, `veripath.check`
CHECK_COVERAGE = select(skip=["export"])  # `check --coverage`
TEST = select(
    skip=["verify-tables", "verify-paths", "coverage", "export"]
)  # `test`: the examples, no solver (no VP311)
BUILD = select(skip=["coverage"])  # `build`: verified first, then the exporters


def run_pass(p: Pass, f: FileResult, report: Report) -> bool:
    """Run pass `p` on file `f` if it is ready for it (timed); whether it ran."""
    if not p.ready(f):
        return False
    t0 = time.perf_counter()
    try:
        with entry.collector(p.name):  # the `veripath` command's garbage-collector settings; else nothing
            p.run(f, report)
    finally:
        f.timings[p.name] = f.timings.get(p.name, 0.0) + time.perf_counter() - t0
    return True


def run(
    files: Sequence[str],
    options: Options | None = None,
    passes: Sequence[Pass] = CHECK,
    *,
    extra: Sequence[Diagnostic] = (),
) -> Report:
    """Run `passes` (in `PASSES` order) over `files`, pass by pass."""
    t0 = time.perf_counter()
    order = {p.name: i for i, p in enumerate(PASSES)}
    chosen = sorted(passes, key=lambda p: order[p.name])
    report = Report(
        files=[FileResult.for_path(path) for path in files],
        extra=list(extra),
        options=options or Options(),
        passes=tuple(p.name for p in chosen),
    )
    for p in chosen:
        for f in report.files:
            run_pass(p, f, report)
    report.seconds = time.perf_counter() - t0
    return report
