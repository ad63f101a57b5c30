"""GitHub Actions workflow commands (`--format github`): each finding an annotation on its line.

    ::error file=specs/x.vp,line=12,col=5,endLine=12,endColumn=9,title=VP301 gap::decision ... (hint: ...)

Errors are `::error`, warnings `::warning`, notes and accepted findings (waived, or in the
baseline) `::notice`. Values are escaped as the runner expects (`%`, CR, LF; in properties also
`:` and `,`), and control or bidi characters are written as visible escapes.
"""

from __future__ import annotations

from collections.abc import Sequence

from dsl.diagnostics import Severity
from dsl.escape import escape_text
from veripath.findings import Finding, posix

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(x: Finding) -> str:
    d = x.diagnostic
    command = "notice" if x.accepted else _COMMAND[d.severity]
    props: list[tuple[str, str]] = []
    file = d.span.file if d.span is not None else x.file
    if file is not None:
        props.append(("file", posix(file)))
    if d.span is not None:
        props += [("line", str(d.span.line)), ("col", str(d.span.column))]
        props += [("endLine", str(d.span.end_line)), ("endColumn", str(d.span.end_column))]
    props.append(("title", f"{d.code.code} {d.code.slug}"))
    lines = [d.message]
    cex = d.counterexample
    if cex is not None and cex.patient:
        lines.append("patient: " + cex.patient_text())
    if cex is not None and cex.path:
        lines.append("path: " + " -> ".join(step.text for step in cex.path))
    if d.hint:
        lines.append(f"hint: {d.hint}")
    if x.waived is not None:
        lines.append(f"waived: {x.waived}")
    if x.baselined:
        lines.append("in the baseline: does not fail the run")
    message = "\n".join(escape_text(line) for line in lines)
    head = ",".join(f"{k}={_prop(escape_text(v))}" for k, v in props)
    return f"::{command} {head}::{_data(message)}"


def render_github(found: Sequence[Finding]) -> str:
    return "".join(annotation(x) + "\n" for x in found)
