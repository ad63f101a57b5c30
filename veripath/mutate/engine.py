"""Running the mutants: each through the pipeline from `lower` on, classified, in processes, on a budget.

A `Subject` is one guideline file under mutation: its original, checked with the pipeline's
`CHECK` passes, and its mutants (`operators.mutants`). `Subject.run(mutant)` builds the
mutated Model and runs the pipeline's own passes on it, from `lower` on (the text is never
parsed again), cheapest first: lower, wellformed, examples, verify-tables, verify-paths,
waive; it stops at the first pass that reports an error. The mutant is then

  invalid     the front end rejects it (VP2xx: a decision tests a finding no path has
              revealed, an unreachable decision, a loop): not a spec an author could ship,
              so it is left out of the score;
  killed      a check, property or example fails (VP3xx errors); with `strict`, also a
              warning the original does not have (a finding is identified as in baselines:
              `veripath.identity`), unless the mutant is equivalent;
  unknown     only undecided checks (VP309): neither killed nor survived;
  equivalent  it passes, and Z3 proves that no patient's outcome changes
              (`verify.equivalence`): left out of the score;
  survived    it passes, and some patient's outcome changes: the result names one;
  not-run     the time budget ran out first.

`run` runs the mutants of several files in this process or in `jobs` worker processes
(each loads and checks a file once); the results are the same, in the same order, whatever
the number of jobs. Mutants never start after the deadline; one that started finishes.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from compiler.graph import DecisionGraph
from dsl import model as m
from dsl.codes import UNKNOWN_RESULT, Stage
from dsl.diagnostics import Diagnostic
from dsl.model import Value
from verify.evaluate import evaluate3
from verify.examples import unread_facts
from verify.results import Verdict
from verify.simulate import Trace, simulate
from veripath import pipeline
from veripath.identity import identity
from veripath.mutate import OPERATORS, Operator
from veripath.mutate.operators import Mutant, mutants
from veripath.pipeline import FileResult, Options, Report

Status = Literal["killed", "survived", "equivalent", "invalid", "unknown", "not-run"]
STATUSES: tuple[Status, ...] = get_args(Status)

# The passes a mutant goes through, cheapest first (the examples need no solver).
MUTANT_PASSES = ("lower", "wellformed", "examples", "verify-tables", "verify-paths", "waive")


@dataclass(frozen=True)
class Found:
    """A finding of a mutant's verification, as plain data."""

    code: str
    check: str | None  # the verifier's check id (`example:TITLE`, `gap:d`, ...), None for front-end ones
    message: str

    @staticmethod
    def of(d: Diagnostic) -> Found:
        return Found(d.code.code, d.evidence.check if d.evidence is not None else None, d.message)


@dataclass(frozen=True)
class MutantResult:
    id: str
    status: Status
    # killed, invalid, unknown: the findings that decided it; survived, equivalent: the new warnings
    found: tuple[Found, ...] = ()
    # survived: a patient whose outcome changes (the facts the two paths read), and what each gives them
    patient: tuple[tuple[str, Value], ...] = ()
    before: str | None = None
    after: str | None = None
    ends_alike: bool = False  # the patient's outcome changes at the decision, yet the path ends alike
    example: tuple[tuple[str, Value], ...] = ()  # the fewest of those facts an example needs to pin the original
    expect: str | None = None  # and what that example expects
    reason: str | None = None  # the solver's reason when equivalence or a check was undecided


def outcome_of(t: Trace) -> str:
    """A traced path's outcome, as an example's `expect` says it (a choice as `one of {...}`)."""
    orders = "no orders" if not t.orders else "orders " + m.orders_text(t.orders)
    tail = f"end {t.end}" if t.end is not None else f"stops: {t.error}"
    return f"{orders} then {tail}"


def expect_of(t: Trace) -> str:
    """What an example that takes this path expects (of a choice, the first option: an example
    names the option taken, and any option passes)."""
    taken = m.expand_orders(t.orders)[0]
    orders = "no orders" if not taken else "orders " + ", ".join(taken)
    return f"{orders} then end {t.end}"


class Subject:
    """One spec file under mutation: the original, checked, and its mutants."""

    def __init__(self, path: str, options: Options, operators: Sequence[Operator] = OPERATORS) -> None:
        self.options = options
        report = pipeline.run([path], dataclasses.replace(options, keep_syntax=True), pipeline.CHECK)
        self.original: FileResult = report.files[0]
        f = self.original
        self.mutants: list[Mutant] = []
        self.by_id: dict[str, Mutant] = {}
        # the warnings the original already has (a mutant is not killed by those)
        self.known = {identity(d, f.guideline) for d in f.diagnostics}
        if f.ok and f.model is not None and f.graph is not None and f.read is not None:
            self.mutants = mutants(f.model, f.read.modules, operators)
            self.by_id = {mu.id: mu for mu in self.mutants}

    @property
    def runnable(self) -> bool:
        """The original compiles and verifies (no errors), so its mutants mean something."""
        return self.original.ok and self.original.graph is not None

    def run(self, mutant: Mutant) -> MutantResult:
        """Verify one mutant and classify it (see the module docstring)."""
        original = self.original
        assert original.model is not None and original.graph is not None
        f = FileResult(
            path=original.path,
            source_path=original.source_path,
            model=mutant.apply(original.model),
            sources=original.sources,
            guideline=original.guideline,
        )
        report = Report(files=[f], options=self.options)
        for name in MUTANT_PASSES:
            pipeline.run_pass(pipeline.BY_NAME[name], f, report)
            if not f.ok:
                break
        errors = [d for d in f.diagnostics if d.is_error and d.waived is None]
        if errors:
            front = [d for d in errors if d.code.stage in (Stage.READ, Stage.SEMANTICS)]
            if front:
                return MutantResult(mutant.id, "invalid", _found(front))
            decided = [d for d in errors if d.code != UNKNOWN_RESULT]
            if not decided:
                reason = next((d.evidence.reason for d in errors if d.evidence and d.evidence.reason), None)
                return MutantResult(mutant.id, "unknown", _found(errors), reason=reason)
            return MutantResult(mutant.id, "killed", _found(decided))
        new = [
            d
            for d in f.diagnostics
            if d.waived is None and not d.is_error and identity(d, f.guideline) not in self.known
        ]
        assert f.graph is not None
        from verify.equivalence import Difference, compare_decisions

        if mutant.changes_assumptions(original.model):
            reason = "a define the assumptions use changes: the patients themselves change"
            diff = Difference(Verdict.UNKNOWN, reason=reason)
        else:
            diff = compare_decisions(original.graph, mutant.decisions, f.graph, self.options.solver)
        if diff.verdict is Verdict.PROVED:
            return MutantResult(mutant.id, "equivalent", _found(new))
        if self.options.strict and new:
            return MutantResult(mutant.id, "killed", _found(new))
        if diff.verdict is Verdict.UNKNOWN or diff.patient is None or diff.before is None or diff.after is None:
            return MutantResult(mutant.id, "survived", _found(new), reason=diff.reason or "unknown")
        shown = _read_on(self, f.graph, diff.before, diff.after, diff.patient)
        return MutantResult(
            mutant.id,
            "survived",
            _found(new),
            patient=shown,
            before=outcome_of(diff.before),
            after=outcome_of(diff.after),
            ends_alike=diff.ends_alike,
            example=_pin(self, f, shown, diff.before),
            expect=expect_of(diff.before),
        )


def _found(ds: Sequence[Diagnostic]) -> tuple[Found, ...]:
    """The findings as plain data, in location order, each (code, check, message) once."""
    out: list[Found] = []
    for d in sorted(ds, key=Diagnostic.sort_key):
        x = Found.of(d)
        if x not in out:
            out.append(x)
    return tuple(out)


def _read_on(
    subject: Subject, edited: DecisionGraph, before: Trace, after: Trace, patient: dict[str, Value]
) -> tuple[tuple[str, Value], ...]:
    """The patient's facts that the decisions on either path read, in declaration order (a later
    result of a repeated study under its key, `us_result#2`, where a decision reads it)."""
    from dsl.cond import reads

    graph = subject.original.graph
    assert graph is not None
    names: set[str] = set()
    for g, t in ((graph, before), (edited, after)):
        for step in t.steps:
            if step.kind == "decision" and step.rule is not None:
                decision = g.fresh_model.decision(g.table_key(step.node))  # as it reads the latest results
                names.update(v for r in decision.rules for v, _ in reads(r.cond))
    model = graph.fresh_model
    return tuple((v.name, patient[v.name]) for v in model.variables if v.name in names and v.name in patient)


def _pin(
    subject: Subject, mutant: FileResult, facts: tuple[tuple[str, Value], ...], expected: Trace
) -> tuple[tuple[str, Value], ...]:
    """The `given` of an example that the original passes (with `expected`) and the mutant fails.

    Only facts the original's path reads are given (an example giving others is warned about,
    VP319). Of those, the fewest (dropping one at a time, in order) with which the original still
    gives `expected` and the mutant another outcome: preferably one it reaches too (the example
    then catches the mistake by what the mutant recommends), else one where it stops for a
    value the example leaves out (which fails the example as well)."""
    graph, edited = subject.original.graph, mutant.graph
    assert graph is not None and edited is not None
    assumptions = graph.fresh_model.assumptions  # for every result of a repeated study
    want = outcome_of(expected)
    unread = set(unread_facts(graph, (k for k, _ in facts), expected))
    given = tuple((k, v) for k, v in facts if k not in unread)

    def pins(p: dict[str, Value], reached: bool) -> bool:
        if any(evaluate3(a.cond, p) is False for a in assumptions):
            return False
        mine, theirs = simulate(graph, p), simulate(edited, p)
        if mine.error is not None or outcome_of(mine) != want:
            return False
        return outcome_of(theirs) != want and (theirs.error is None or not reached)

    for reached in (True, False):
        kept = dict(given)
        if not pins(kept, reached):
            continue
        for name, _ in given:
            trial = {k: v for k, v in kept.items() if k != name}
            if pins(trial, reached):
                kept = trial
        return tuple((k, v) for k, v in given if k in kept)
    return given


# -- several files, in processes, on a budget ------------------------------------------------------


@dataclass
class SpecResult:
    """The mutation results of one spec file."""

    original: FileResult  # the original's check (its diagnostics, guideline, sources)
    mutants: list[Mutant] = field(default_factory=list)
    results: dict[str, MutantResult] = field(default_factory=dict)  # by mutant id

    @property
    def path(self) -> str:
        return self.original.path

    @property
    def mutated(self) -> bool:
        """A guideline that passes `check` (no errors), so its mutants were made."""
        return self.original.ok and self.original.graph is not None

    def counts(self) -> dict[Status, int]:
        out: dict[Status, int] = dict.fromkeys(STATUSES, 0)
        for r in self.results.values():
            out[r.status] += 1
        return out


def score(counts: dict[Status, int]) -> float | None:
    """Killed among the mutants that ran to a verdict and are not equivalent (None: there are none)."""
    total = counts["killed"] + counts["survived"]
    return counts["killed"] / total if total else None


def worst_score(counts: dict[Status, int]) -> float | None:
    """The score if every mutant without a verdict (not run, undecided) had survived."""
    total = counts["killed"] + counts["survived"] + counts["not-run"] + counts["unknown"]
    return counts["killed"] / total if total else None


# A worker's subjects (a worker lives as long as one run's pool, so a file cannot change under it).
_SUBJECTS: dict[tuple[str, Options, tuple[Operator, ...]], Subject] = {}


def _subject(path: str, options: Options, operators: tuple[Operator, ...]) -> Subject:
    """The subject of a file, loaded once per worker process."""
    key = (path, options, operators)
    hit = _SUBJECTS.get(key)
    if hit is None:
        hit = _SUBJECTS[key] = Subject(path, options, operators)
    return hit


def _run_ids(subject: Subject, ids: Sequence[str], deadline: float | None) -> list[MutantResult]:
    """Run the given mutants; none starts after `deadline` (a `time.time()`)."""
    out = []
    for mutant_id in ids:
        if deadline is not None and time.time() >= deadline:
            out.append(MutantResult(mutant_id, "not-run"))
        else:
            out.append(subject.run(subject.by_id[mutant_id]))
    return out


def run_chunk(
    path: str, options: Options, operators: tuple[Operator, ...], ids: Sequence[str], deadline: float | None
) -> list[MutantResult]:
    """Run the given mutants of one file in a worker process (which checks each file once)."""
    return _run_ids(_subject(path, options, operators), ids, deadline)


def run(
    files: Sequence[str],
    options: Options,
    *,
    operators: Sequence[Operator] = OPERATORS,
    jobs: int = 1,
    time_budget: float | None = None,
) -> list[SpecResult]:
    """Mutate every guideline of `files`; the results are in file order, mutants in `mutants` order."""
    ops = tuple(op for op in OPERATORS if op in operators)
    deadline = time.time() + time_budget if time_budget is not None else None
    subjects = [Subject(path, options, ops) for path in files]
    specs = [SpecResult(s.original, list(s.mutants)) for s in subjects]
    work = [(k, mu.id) for k, s in enumerate(subjects) if s.runnable for mu in s.mutants]
    if jobs <= 1 or len(work) < 2:
        for k, mutant_id in work:
            (r,) = _run_ids(subjects[k], [mutant_id], deadline)
            specs[k].results[r.id] = r
        return specs
    size = max(1, min(25, math.ceil(len(work) / (jobs * 4))))
    chunks: list[tuple[int, list[str]]] = []
    for k, mutant_id in work:
        if not chunks or chunks[-1][0] != k or len(chunks[-1][1]) >= size:
            chunks.append((k, []))
        chunks[-1][1].append(mutant_id)
    from veripath.batch import worker_pool

    with worker_pool(jobs, "veripath.mutate.engine") as pool:
        futures = [(k, pool.submit(run_chunk, files[k], options, ops, ids, deadline)) for k, ids in chunks]
        for k, future in futures:
            for r in future.result():
                specs[k].results[r.id] = r
    for spec in specs:  # the order of the mutants, whichever process ran them
        spec.results = {mu.id: spec.results[mu.id] for mu in spec.mutants if mu.id in spec.results}
    return specs
