"""Diagnostics as compiler-style text (the source line and a caret), and the summary of a run.

`render_text` shows one diagnostic; `render_report` a whole run: each finding (waived and
baselined ones marked as such), then with `verbose` each proof, then the summary line, which
says what was proved: `ok: 3 files; 9 decisions complete and consistent; 12 properties proved;
24 examples passed (0.4 s)`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import click

from dsl.diagnostics import Diagnostic, Severity
from dsl.escape import escape_text
from dsl.evidence import Evidence
from dsl.source import SourceFile, Span
from veripath.findings import Finding, Summary, plural
from veripath.identity import check_name

_MAX_SHOWN = 160
_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def caret_lines(span: Span, source: SourceFile | None, color: bool = False) -> list[str]:
    """The source line of `span` with a `^~~~` marker under it (nothing if the line is not known)."""
    if source is None:
        return []
    text = source.line_text(span.line).expandtabs(1)
    if not text and span.line > source.text.count("\n") + 1:
        return []
    column = span.column
    width = span.end_column - span.column if span.end_line == span.line else len(text) - span.column + 1
    if len(text) > _MAX_SHOWN:  # show a window around the column, not a megabyte of source
        start = max(0, column - 1 - _MAX_SHOWN // 2)
        shown = text[start : start + _MAX_SHOWN]
        prefix = "..." if start else ""
        text = prefix + shown + ("..." if start + _MAX_SHOWN < len(text) else "")
        column = column - start + len(prefix)
    width = max(1, min(width, len(text) - column + 1))
    # Escape control and bidi characters (a form feed, U+202E) and keep the marker under its text.
    before, marked = escape_text(text[: column - 1]), escape_text(text[column - 1 : column - 1 + width])
    text, column, width = before + marked + escape_text(text[column - 1 + width :]), len(before) + 1, len(marked)
    marker = "^" + "~" * (width - 1)
    gutter = f"{span.line:>5} | "
    styled = click.style(marker, fg="green", bold=True) if color else marker
    marker_line = " " * (len(gutter) - 2) + "| " + " " * (column - 1) + styled
    return [gutter + text, marker_line]


def render_text(
    diagnostic: Diagnostic,
    sources: Mapping[str, SourceFile],
    *,
    color: bool = False,
    baselined: bool = False,
) -> str:
    sev = diagnostic.severity.value
    where = f"{escape_text(str(diagnostic.span))}: " if diagnostic.span else ""
    head_sev = click.style(sev, fg=_COLORS[diagnostic.severity], bold=True) if color else sev
    code = f"[{diagnostic.code.code}]"
    waived = f" (waived: {escape_text(diagnostic.waived)})" if diagnostic.waived is not None else ""
    lines = [f"{where}{head_sev}: {escape_text(diagnostic.message)} {code}{waived}"]
    if diagnostic.span is not None:
        lines.extend(caret_lines(diagnostic.span, sources.get(diagnostic.span.file), color))
    for extra in _evidence_lines(diagnostic.evidence):
        lines.append(f"  {escape_text(extra)}")
    for note in diagnostic.notes:
        where_note = f"{note.span}: " if note.span else ""
        lines.append(f"  {escape_text(where_note)}note: {escape_text(note.message)}")
    if diagnostic.hint:
        lines.append(f"  hint: {escape_text(diagnostic.hint)}")
    if baselined:
        lines.append("  baseline: listed in the baseline; does not fail the run")
    return "\n".join(lines)


def _evidence_lines(evidence: Evidence | None) -> list[str]:
    """The counterexample (patient, region, path), a failed example's outcomes, the solver's reason."""
    if evidence is None:
        return []
    out: list[str] = []
    cex = evidence.counterexample
    if cex is not None:
        if cex.patient:
            out.append("patient: " + cex.patient_text())
        if cex.region is not None:
            out.append(f"uncovered region: {cex.region.text()}")
        if cex.path:
            out.append("path:")
            for step in cex.path:
                loc = f"  ({step.location})" if step.location else ""
                arrow = "     " if step.kind == "define" else "  -> "  # a define explains the step before
                out.append(f"{arrow}{step.text}{loc}")
    if evidence.expected is not None:
        out.append(f"expected: {evidence.expected}")
    if evidence.actual is not None:
        out.append(f"actual:   {evidence.actual}")
    if evidence.reason:
        out.append(f"solver: {evidence.reason}")
    return out


def summary_line(s: Summary, *, timing: bool = True) -> str:
    """One line: the problems (or `ok`), what was proved, undecided checks, and the time."""
    head = f"ok: {plural(s.files, 'file')}"
    if s.errors or s.warnings:
        head = f"{plural(s.errors, 'error')}, {plural(s.warnings, 'warning')} in {plural(s.files, 'file')}"
    parts = [head]
    if s.decisions:
        parts.append(_of(s.decisions_proved, s.decisions, "decision") + " complete and consistent")
    if s.properties:
        parts.append(_of(s.properties_proved, s.properties, "property", "properties") + " proved")
    if s.examples:
        parts.append(_of(s.examples_passed, s.examples, "example") + " passed")
    if s.undecided:
        parts.append(plural(s.undecided, "check") + " undecided")
    if s.waived:
        parts.append(f"{plural(s.waived, 'finding')} waived")
    if s.baselined:
        parts.append(f"{plural(s.baselined, 'finding')} in the baseline")
    out = "; ".join(parts)
    return f"{out} ({s.seconds:.1f} s)" if timing else out


def _of(done: int, total: int, word: str, words: str | None = None) -> str:
    return plural(total, word, words) if done == total else f"{done} of {plural(total, word, words)}"


def proof_lines(s: Summary, guidelines: Mapping[str, str | None]) -> list[str]:
    """`-v`: one line per proof, named by its stable identity, with its time."""
    out = []
    for file, check, seconds in s.proofs:
        name, what = check_name(check, guidelines.get(file))
        out.append(f"{escape_text(file)}: proved: {escape_text(name)}: {escape_text(what)} ({seconds:.2f} s)")
    return out


def render_report(
    found: Sequence[Finding],
    summary: Summary,
    sources: Mapping[str, SourceFile],
    guidelines: Mapping[str, str | None],
    *,
    color: bool = False,
    verbose: bool = False,
    quiet: bool = False,
) -> str:
    """The text report of a run: findings, proofs (`verbose`), then the summary line (not when `quiet`).

    `quiet` shows only the problems: findings that fail the run.
    """
    chunks = [
        render_text(x.diagnostic, sources, color=color, baselined=x.baselined)
        for x in found
        if not quiet or not x.accepted
    ]
    if verbose:
        chunks.extend(proof_lines(summary, guidelines))
    if not quiet:
        chunks.append(summary_line(summary))
    return "".join(c + "\n" for c in chunks)
