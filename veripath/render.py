"""Diagnostics as text (compiler style, with the source line and a caret) or JSON."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

import click

from dsl.codes import CODES
from dsl.diagnostics import Diagnostic, Severity
from dsl.escape import escape_text
from dsl.evidence import Evidence
from dsl.source import SourceFile, Span

_MAX_SHOWN = 160
_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "cyan"}


def _caret(span: Span, source: SourceFile | None, color: bool) -> list[str]:
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


def render_text(diagnostic: Diagnostic, sources: Mapping[str, SourceFile], *, color: bool = False) -> str:
    sev = diagnostic.severity.value
    where = f"{escape_text(str(diagnostic.span))}: " if diagnostic.span else ""
    head_sev = click.style(sev, fg=_COLORS[diagnostic.severity], bold=True) if color else sev
    code = f"[{diagnostic.code.code}]"
    waived = f" (waived: {escape_text(diagnostic.waived)})" if diagnostic.waived is not None else ""
    lines = [f"{where}{head_sev}: {escape_text(diagnostic.message)} {code}{waived}"]
    if diagnostic.span is not None:
        lines.extend(_caret(diagnostic.span, sources.get(diagnostic.span.file), color))
    for extra in _evidence_lines(diagnostic.evidence):
        lines.append(f"  {escape_text(extra)}")
    for note in diagnostic.notes:
        where_note = f"{note.span}: " if note.span else ""
        lines.append(f"  {escape_text(where_note)}note: {escape_text(note.message)}")
    if diagnostic.hint:
        lines.append(f"  hint: {escape_text(diagnostic.hint)}")
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
                out.append(f"  -> {step.text}{loc}")
    if evidence.expected is not None:
        out.append(f"expected: {evidence.expected}")
    if evidence.actual is not None:
        out.append(f"actual:   {evidence.actual}")
    if evidence.reason:
        out.append(f"solver: {evidence.reason}")
    return out


def summary_line(files: int, errors: int, warnings: int) -> str:
    if errors == 0 and warnings == 0:
        return f"ok: {files} file(s) checked, no problems"
    return f"{errors} error(s), {warnings} warning(s) in {files} file(s)"


def _location(span: Span) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": span.file.replace(os.sep, "/")},
            "region": {
                "startLine": span.line,
                "startColumn": span.column,
                "endLine": span.end_line,
                "endColumn": span.end_column,
            },
        }
    }


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def render_sarif(diagnostics: list[Diagnostic], version: str) -> dict[str, Any]:
    """A SARIF 2.1.0 log: one run, one rule per registered code, one result per diagnostic."""
    used = sorted({d.code.code for d in diagnostics})
    rules = [
        {
            "id": code,
            "name": CODES[code].slug,
            "shortDescription": {"text": CODES[code].summary},
        }
        for code in used
    ]
    results = []
    for d in diagnostics:
        text = escape_text(d.message if not d.hint else f"{d.message} (hint: {d.hint})")
        result: dict[str, Any] = {
            "ruleId": d.code.code,
            "ruleIndex": used.index(d.code.code),
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": text},
        }
        if d.span is not None:
            result["locations"] = [_location(d.span)]
        related = [
            {"id": i, **_location(n.span), "message": {"text": escape_text(n.message)}}
            for i, n in enumerate(d.notes)
            if n.span is not None
        ]
        if related:
            result["relatedLocations"] = related
        if d.evidence is not None:
            result["properties"] = d.evidence.to_json()
        results.append(result)
    return {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [
            {
                "tool": {"driver": {"name": "veripath", "version": version, "rules": rules}},
                "results": results,
            }
        ],
    }


def render_junit(files: list[tuple[str, list[Diagnostic]]]) -> str:
    """JUnit XML: one test suite per spec, one failing test case per error, one passing case if clean."""
    suites = ET.Element("testsuites", name="veripath")
    for shown_path, diags in files:
        path = escape_text(shown_path)  # XML 1.0 cannot carry most control characters at all
        errors = [d for d in diags if d.is_error]
        suite = ET.SubElement(suites, "testsuite", name=path, tests=str(max(1, len(errors))), failures=str(len(errors)))
        if not errors:
            ET.SubElement(suite, "testcase", classname=path, name="check")
        for d in errors:
            where = escape_text(str(d.span)) if d.span else path
            case = ET.SubElement(suite, "testcase", classname=path, name=f"{d.code.code} {where}")
            failure = ET.SubElement(case, "failure", type=d.code.code, message=escape_text(d.message))
            failure.text = render_text(d, {})
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
