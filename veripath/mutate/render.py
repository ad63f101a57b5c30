"""The mutation report: compiler-style text, and JSON (schemas/veripath-mutate.schema.json).

Text: for each spec, the original's own findings if it does not pass `check`; then the
surviving mutants, grouped by the rule they change (rules in source order), each with the
mutated source line and a caret, what changed, a patient whose recommendation changes, what
the original and the mutant give them, and the `given` of an example that would kill the
mutant; then the spec's counts and score. `verbose` lists every mutant with its status and
what decided it. The last line sums up the run. Nothing in either format depends on the
number of processes; only the seconds vary between runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import click

from dsl.codes import CODES
from dsl.diagnostics import Diagnostic
from dsl.escape import escape_text
from dsl.evidence import fact_json, format_text
from dsl.model import Model, NumberType, Value, format_fact, gather_facts, split_result
from dsl.source import SourceFile, Span
from veripath.findings import Finding, plural
from veripath.identity import fingerprint
from veripath.mutate import OPERATORS, Operator
from veripath.mutate.engine import STATUSES, MutantResult, SpecResult, Status, score, worst_score
from veripath.mutate.operators import Mutant
from veripath.render_text import caret_lines
from veripath.render_text import render_text as render_diagnostic
from veripath.status import ExitCode, exit_code, worst

FORMAT = "veripath-mutate"
FORMAT_VERSION = 1

_SHOWN_FINDINGS = 3  # findings listed per mutant with --verbose


@dataclass(frozen=True)
class Settings:
    """What the run was asked for (reported, and deciding the exit status)."""

    strict: bool = False
    min_score: float | None = None  # percent
    time_budget: float | None = None
    operators: tuple[Operator, ...] = OPERATORS


def original_findings(spec: SpecResult) -> list[Diagnostic]:
    return spec.original.sorted_diagnostics()


def passes(spec: SpecResult, settings: Settings) -> bool:
    """The spec meets --min-score (mutants without a verdict counted as survivors)."""
    if settings.min_score is None:
        return True
    low = worst_score(spec.counts())
    return low is None or low * 100 >= settings.min_score


def status(specs: Sequence[SpecResult], extra: Sequence[Diagnostic], settings: Settings) -> ExitCode:
    """The exit status: the originals' own findings (as `check` would decide), then --min-score."""
    found = [d for s in specs for d in original_findings(s)]
    code = exit_code([*extra, *found], strict=settings.strict)
    if not all(passes(s, settings) for s in specs):
        code = worst(code, ExitCode.FINDINGS)
    return code


def _total(specs: Sequence[SpecResult]) -> dict[Status, int]:
    out: dict[Status, int] = dict.fromkeys(STATUSES, 0)
    for s in specs:
        for k, v in s.counts().items():
            out[k] += v
    return out


def _counts_text(counts: Mapping[Status, int], mutants: int) -> str:
    parts = [f"{counts[s]} {s.replace('-', ' ')}" for s in STATUSES if counts[s]]
    return f"{plural(mutants, 'mutant')}" + (": " + ", ".join(parts) if parts else "")


def _score_text(counts: Mapping[Status, int]) -> str:
    value = score(dict(counts))
    if value is None:
        return "no score (no mutant killed or survived)"
    text = f"score {value * 100:.1f}% ({counts['killed']} of {counts['killed'] + counts['survived']})"
    low = worst_score(dict(counts))
    if low is not None and low != value:
        text += f", {low * 100:.1f}% counting those without a verdict as survivors"
    return text


def _facts(model: Model, facts: Sequence[tuple[str, Value]]) -> str:
    """As an example's `given` writes them: a finding's several results `us_result = a then b`."""
    return ", ".join(
        f"{k} = {format_fact(v, partial(format_text, unit=_unit(model, k)))}"
        for k, v in gather_facts(dict(facts)).items()
    )


def _unit(model: Model, name: str) -> str | None:
    t = model.variable(split_result(name)[0]).type
    return t.unit if isinstance(t, NumberType) else None


_COLORS: dict[Status, str] = {
    "killed": "green",
    "survived": "red",
    "equivalent": "cyan",
    "invalid": "cyan",
    "unknown": "yellow",
    "not-run": "yellow",
}


def _mutant_head(mutant: Mutant, status: Status, color: bool = False) -> str:
    word = click.style(status, fg=_COLORS[status], bold=True) if color else status
    where, what = escape_text(str(mutant.span)), escape_text(mutant.description)
    return f"{where}: {word}: {mutant.operator}: {what} [{mutant.id}]"


def _survivor(
    mutant: Mutant, r: MutantResult, model: Model, sources: Mapping[str, SourceFile], color: bool
) -> list[str]:
    lines = [_mutant_head(mutant, r.status, color), *caret_lines(mutant.span, sources.get(mutant.span.file), color)]
    if r.patient:
        lines.append(f"  patient:  {escape_text(_facts(model, r.patient))}")
    if r.before is not None and r.after is not None:
        lines.append(f"  original: {escape_text(r.before)}")
        lines.append(f"  mutant:   {escape_text(r.after)}")
    if r.ends_alike:
        lines.append("  note: the outcome at this decision changes, but this patient's path ends alike")
    if r.example and r.expect is not None:
        lines.append(f"  pin it:   given {escape_text(_facts(model, r.example))}")
        lines.append(f"            expect {escape_text(r.expect)}")
    if r.reason is not None:
        lines.append(f"  note: whether any patient's outcome changes is undecided (solver: {escape_text(r.reason)})")
    for x in r.found:
        slug = CODES[x.code].slug
        lines.append(f"  warning only: {escape_text(x.message)} [{x.code} {slug}]; --strict kills this mutant")
    return lines


def _rule_head(span: Span, owner: str, survived: int, total: int) -> str:
    """The heading of a rule's (or a define's) survivors: `x.vp:12:3: rule d.r: 2 of 9 mutants survive`."""
    verb = "survives" if survived == 1 else "survive"
    what = f"define {owner.removeprefix('define.')}" if owner.startswith("define.") else f"rule {owner}"
    return f"{escape_text(str(span))}: {what}: {survived} of {plural(total, 'mutant')} {verb}"


def render_report(
    specs: Sequence[SpecResult],
    extra: Sequence[Diagnostic],
    settings: Settings,
    seconds: float,
    *,
    color: bool = False,
    verbose: bool = False,
) -> str:
    out: list[str] = []
    for d in extra:
        out.append(render_diagnostic(d, {}, color=color))
    for spec in specs:
        out.extend(_spec_text(spec, settings, color=color, verbose=verbose))
    out.append(summary_line(specs, settings, seconds))
    return "".join(line + "\n" for line in out)


def _spec_text(spec: SpecResult, settings: Settings, *, color: bool, verbose: bool) -> list[str]:
    f = spec.original
    sources = f.sources
    out: list[str] = []
    failing = exit_code(original_findings(spec), strict=settings.strict) is not ExitCode.OK
    if failing:
        out.extend(render_diagnostic(d, sources, color=color) for d in original_findings(spec))
    model = f.model
    if model is None or not spec.mutated:
        if not f.ok:
            out.append(f"{escape_text(spec.path)}: not mutated: the spec does not pass `veripath check`")
        elif verbose:
            out.append(f"{escape_text(spec.path)}: a catalogue: no pathway to mutate")
        return out
    by_rule: dict[str, list[Mutant]] = {}
    for mu in spec.mutants:
        by_rule.setdefault(mu.owner, []).append(mu)
    for rule_id, group in by_rule.items():
        survivors = [mu for mu in group if spec.results.get(mu.id, _NOT_RUN).status == "survived"]
        if verbose:
            for mu in group:
                r = spec.results.get(mu.id)
                if r is not None and r.status != "survived":
                    out.append(_mutant_head(mu, r.status, color) + _decided_by(r))
        if not survivors:
            continue
        out.append(_rule_head(group[0].owner_span, rule_id, len(survivors), len(group)))
        for mu in survivors:
            out.extend(_survivor(mu, spec.results[mu.id], model, sources, color))
    counts = spec.counts()
    line = f"{escape_text(spec.path)}: {_counts_text(counts, len(spec.mutants))}; {_score_text(counts)}"
    if settings.min_score is not None and not passes(spec, settings):
        line += f"; below --min-score {settings.min_score:g}%"
    out.append(line)
    return out


_NOT_RUN = MutantResult("", "not-run")


def _decided_by(r: MutantResult) -> str:
    if not r.found:
        return ""
    shown = "; ".join(f"{x.code} {x.message}" for x in r.found[:_SHOWN_FINDINGS])
    more = f"; and {len(r.found) - _SHOWN_FINDINGS} more" if len(r.found) > _SHOWN_FINDINGS else ""
    return f" (by {escape_text(shown)}{more})"


def summary_line(specs: Sequence[SpecResult], settings: Settings, seconds: float) -> str:
    guidelines = [s for s in specs if s.mutated]
    counts = _total(specs)
    mutants = sum(len(s.mutants) for s in specs)
    head = f"mutate: {plural(len(specs), 'file')}, {plural(len(guidelines), 'guideline')} mutated"
    parts = [head, _counts_text(counts, mutants), _score_text(counts)]
    if settings.min_score is not None:
        below = [s.path for s in specs if not passes(s, settings)]
        parts.append(
            f"--min-score {settings.min_score:g}% met"
            if not below
            else f"below --min-score {settings.min_score:g}% in {', '.join(below)}"
        )
    return "; ".join(parts) + f" ({seconds:.1f} s)"


# -- JSON -------------------------------------------------------------------------------------------


def _counts_json(counts: Mapping[Status, int]) -> dict[str, Any]:
    out: dict[str, Any] = {s.replace("-", "_"): counts[s] for s in STATUSES}
    value, low = score(dict(counts)), worst_score(dict(counts))
    out["score"] = None if value is None else round(value * 100, 2)
    out["worst_score"] = None if low is None else round(low * 100, 2)
    return out


def _facts_json(model: Model, facts: Sequence[tuple[str, Value]]) -> dict[str, Any]:
    """By name; a finding's several results as a list, in order."""
    return {k: fact_json(v, _unit(model, k)) for k, v in gather_facts(dict(facts)).items()}


def _mutant_json(mu: Mutant, r: MutantResult | None, model: Model) -> dict[str, Any]:
    r = r or _NOT_RUN
    out: dict[str, Any] = {
        "id": mu.id,
        "operator": mu.operator,
        "decision": None if mu.define is not None else mu.owner.partition(".")[0],
        "rule": None if mu.define is not None else mu.owner,
        "define": mu.define.name if mu.define is not None else None,
        "location": mu.span.to_json(),
        "description": mu.description,
        "status": r.status,
        "found": [{"code": x.code, "check": x.check, "message": x.message} for x in r.found],
        "patient": _facts_json(model, r.patient) if r.patient else None,
        "original": r.before,
        "mutant": r.after,
        "ends_alike": r.ends_alike,
        "example": (
            {"given": _facts_json(model, r.example), "expect": r.expect} if r.example and r.expect is not None else None
        ),
        "reason": r.reason,
    }
    return out


def _diagnostic_json(d: Diagnostic, guideline: str | None, file: str | None) -> dict[str, Any]:
    from veripath.render_json import diagnostic_json

    return diagnostic_json(Finding(d, file, guideline, fingerprint(d, guideline)))


def render_json(
    specs: Sequence[SpecResult],
    extra: Sequence[Diagnostic],
    settings: Settings,
    seconds: float,
    version: str,
    code: int,
) -> dict[str, Any]:
    files = []
    for spec in specs:
        f = spec.original
        model = f.model
        files.append(
            {
                "path": spec.path,
                "guideline": f.guideline,
                "mutated": spec.mutated,
                "diagnostics": [_diagnostic_json(d, f.guideline, spec.path) for d in original_findings(spec)],
                "counts": _counts_json(spec.counts()),
                "passed": passes(spec, settings),
                "mutants": [_mutant_json(mu, spec.results.get(mu.id), model) for mu in spec.mutants]
                if model is not None
                else [],
            }
        )
    total = _total(specs)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "version": version,
        "options": {
            "strict": settings.strict,
            "min_score": settings.min_score,
            "time_budget": settings.time_budget,
            "operators": list(settings.operators),
        },
        "files": files,
        "diagnostics": [_diagnostic_json(d, None, None) for d in extra],
        "summary": {
            "files": len(specs),
            "mutants": sum(len(s.mutants) for s in specs),
            **_counts_json(total),
            "seconds": round(seconds, 3),
            "exit_code": code,
        },
    }
