"""SARIF 2.1.0 that GitHub code scanning and Azure DevOps accept.

- columns in UTF-16 code units (`columnKind: utf16CodeUnits`), computed from the source line;
- artifact URIs relative to `%SRCROOT%` (the project root: the folder with `pyproject.toml` or
  `.git` above the working directory), percent-encoded per RFC 3986 from the file name's bytes,
  so a name that is not UTF-8 survives as `%FF`;
- `partialFingerprints` from the finding's identity (`veripath.identity`), never line numbers;
- one rule per registered code, with its explanation, fix and a `helpUri` into docs/codes.md;
- the counterexample path as a `codeFlow`, the other rule of a conflict as a related location;
- a file-level location for a finding with no position in its file;
- waived findings carry a `suppression` with the author's justification; with a baseline, each
  result says whether it is `new` or `unchanged`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from compiler.locations import find_root
from dsl.codes import CODES, Code
from dsl.diagnostics import Diagnostic, Severity
from dsl.escape import escape_text
from dsl.source import SourceFile, Span
from veripath.findings import Finding
from veripath.identity import FINGERPRINT_KEY

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# Where docs/codes.md is published; a rule's helpUri is this plus `#vp301`.
CODES_DOC_URL = "https://github.com/veripath/veripath/blob/main/docs/codes.md"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def _text(s: str) -> str:
    return escape_text(s)


def artifact_uri(path: str, root: str) -> tuple[str, str | None]:
    """The RFC 3986 URI of `path` and its base id: relative to `root` (`SRCROOT`) when inside it,
    else an absolute `file://` URI. Percent-encoded from the file system bytes of the name."""
    full = os.path.abspath(path)
    rel = os.path.relpath(full, root)
    if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir or os.path.isabs(rel):
        encoded = quote(os.fsencode(full.replace(os.sep, "/")), safe="/")
        return "file://" + (encoded if encoded.startswith("/") else "/" + encoded), None
    return quote(os.fsencode(rel.replace(os.sep, "/")), safe="/"), "SRCROOT"


def utf16_column(line: str, column: int) -> int:
    """A 1-based code-point column of `line` as a 1-based UTF-16 code-unit column."""
    prefix = line[: max(0, column - 1)]
    return 1 + len(prefix.encode("utf-16-le", "surrogatepass")) // 2 + max(0, column - 1 - len(prefix))


class _Locator:
    def __init__(self, sources: Mapping[str, SourceFile], root: str) -> None:
        self.sources = sources
        self.root = root

    def artifact(self, file: str) -> dict[str, Any]:
        uri, base = artifact_uri(file, self.root)
        return {"uri": uri, "uriBaseId": base} if base else {"uri": uri}

    def _col(self, span: Span, line: int, column: int) -> int:
        source = self.sources.get(span.file)
        return utf16_column(source.line_text(line), column) if source is not None else column

    def location(self, span: Span, message: str | None = None) -> dict[str, Any]:
        region = {
            "startLine": span.line,
            "startColumn": self._col(span, span.line, span.column),
            "endLine": span.end_line,
            "endColumn": self._col(span, span.end_line, span.end_column),
        }
        out: dict[str, Any] = {"physicalLocation": {"artifactLocation": self.artifact(span.file), "region": region}}
        if message is not None:
            out["message"] = {"text": _text(message)}
        return out

    def file_location(self, file: str) -> dict[str, Any]:
        return {"physicalLocation": {"artifactLocation": self.artifact(file)}}


def _rule(code: Code) -> dict[str, Any]:
    anchor = code.code.lower()
    help_text = f"{code.summary}\n\n{code.explanation}\n\nFix: {code.fix}"
    return {
        "id": code.code,
        "name": code.slug,
        "shortDescription": {"text": code.summary},
        "fullDescription": {"text": code.explanation},
        "help": {"text": help_text, "markdown": f"**{code.summary}**\n\n{code.explanation}\n\n**Fix:** {code.fix}"},
        "helpUri": f"{CODES_DOC_URL}#{anchor}",
        "defaultConfiguration": {"level": _LEVEL[code.severity]},
        "properties": {"tags": [code.stage.value], "slug": code.slug},
    }


def _message(d: Diagnostic) -> str:
    return _text(d.message if not d.hint else f"{d.message} (hint: {d.hint})")


def _code_flow(d: Diagnostic, loc: _Locator) -> list[dict[str, Any]]:
    cex = d.counterexample
    if cex is None or not cex.path:
        return []
    steps = []
    for step in cex.path:
        where = loc.location(step.span, step.text) if step.span else {"message": {"text": _text(step.text)}}
        steps.append({"location": where, "kinds": [step.kind]})
    flow: dict[str, Any] = {"threadFlows": [{"locations": steps}]}
    if cex.patient:
        flow["message"] = {"text": _text("patient: " + cex.patient_text())}
    return [flow]


def _result(x: Finding, rule_index: dict[str, int], loc: _Locator, baseline: bool) -> dict[str, Any]:
    d = x.diagnostic
    result: dict[str, Any] = {
        "ruleId": d.code.code,
        "ruleIndex": rule_index[d.code.code],
        "level": _LEVEL[d.severity],
        "message": {"text": _message(d)},
        "partialFingerprints": {FINGERPRINT_KEY: x.fingerprint},
    }
    if d.span is not None:
        result["locations"] = [loc.location(d.span)]
    elif x.file is not None:
        result["locations"] = [loc.file_location(x.file)]
    related = [loc.location(n.span, n.message) for n in d.notes if n.span is not None]
    if related:
        result["relatedLocations"] = [{"id": i, **r} for i, r in enumerate(related)]
    flows = _code_flow(d, loc)
    if flows:
        result["codeFlows"] = flows
    if x.waived is not None:
        result["suppressions"] = [{"kind": "inSource", "status": "accepted", "justification": _text(x.waived)}]
    if baseline:
        result["baselineState"] = "unchanged" if x.baselined else "new"
    props: dict[str, Any] = d.evidence.to_json() if d.evidence is not None else {}
    props["fingerprint"] = x.fingerprint
    if x.guideline is not None:
        props["guideline"] = x.guideline
    result["properties"] = props
    return result


def render_sarif(
    found: Sequence[Finding],
    sources: Mapping[str, SourceFile],
    version: str,
    *,
    root: str | None = None,
    baseline: bool = False,
    exit_code: int = 0,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log: one run, every registered code as a rule, one result per finding."""
    root = os.path.abspath(root if root is not None else find_root(os.getcwd()))
    loc = _Locator(sources, root)
    codes = sorted(CODES)
    rule_index = {c: i for i, c in enumerate(codes)}
    return {
        "version": "2.1.0",
        "$schema": SARIF_SCHEMA,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "veripath",
                        "version": version,
                        "semanticVersion": version,
                        "informationUri": CODES_DOC_URL.rsplit("/blob/", 1)[0],
                        "rules": [_rule(CODES[c]) for c in codes],
                    }
                },
                "originalUriBaseIds": {
                    "SRCROOT": {"description": {"text": "The project root: the folder with pyproject.toml or .git."}}
                },
                "columnKind": "utf16CodeUnits",
                "invocations": [{"executionSuccessful": exit_code in (0, 1, 2, 4), "exitCode": exit_code}],
                "results": [_result(x, rule_index, loc, baseline) for x in found],
            }
        ],
    }
