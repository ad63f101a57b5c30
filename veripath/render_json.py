"""The JSON report (`--format json`): versioned, described by schemas/veripath-report.schema.json.

Format version 1: `{"format": "veripath-report", "format_version": 1, "version": <veripath>,
"files": [...], "diagnostics": [...], "summary": {...}}`. Each file lists its diagnostics (with
their fingerprint, and whether they are waived or in the baseline), every check the verifier
ran with its verdict, stable name and time, its examples and the outputs written. Path steps are
structured (`kind`, `text`, `location` and its parts). Text that cannot be encoded as Unicode (a
file name that is not UTF-8, held as lone surrogates) is written as escapes (`\\udcff` as text),
never as raw bytes.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any

import orjson

from dsl.diagnostics import Diagnostic
from verify.results import CheckResult
from veripath.findings import Finding, Summary, guideline_of
from veripath.identity import check_name
from veripath.pipeline import Report

FORMAT = "veripath-report"
FORMAT_VERSION = 1


def _safe_str(s: str) -> str:
    if s.isprintable() or not any(unicodedata.category(ch) == "Cs" for ch in s):
        return s
    return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) == "Cs" else ch for ch in s)


def json_safe(value: Any) -> Any:
    """`value` with every lone surrogate in its strings (keys too) written as a `\\udcXX` escape."""
    if isinstance(value, str):
        return _safe_str(value)
    if isinstance(value, dict):
        return {_safe_str(k) if isinstance(k, str) else k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def dumps(doc: Any) -> str:
    """A JSON document as text: indented by two spaces, non-ASCII kept, lone surrogates escaped as text.

    Written by orjson (the report of a large table holds one record per proved check, and the json
    module's indenting encoder is pure Python: ~17x slower on a 1,000-rule report). The layout is
    `json.dumps(..., indent=2, ensure_ascii=False)`'s; a float is written in its shortest form
    without an exponent below 1e16 (`0.000012`, where the json module wrote `1.2e-05`; only the
    timings are floats). A document orjson declines (an integer beyond 64 bits) goes to the json module.
    """
    safe = json_safe(doc)
    try:
        return orjson.dumps(safe, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(safe, indent=2, ensure_ascii=False)


def diagnostic_json(x: Finding) -> dict[str, Any]:
    d: Diagnostic = x.diagnostic
    out = d.to_json()
    data = out.get("data")
    cex = d.counterexample
    if isinstance(data, dict) and cex is not None and cex.path:
        data["path"] = [
            {
                "kind": s.kind,
                "text": s.text,
                "location": s.location,
                "span": s.span.to_json() if s.span is not None else None,
            }
            for s in cex.path
        ]
    out["fingerprint"] = x.fingerprint
    out["waived"] = x.waived
    out["baselined"] = x.baselined
    return out


def _check_json(c: CheckResult, guideline: str | None) -> dict[str, Any]:
    name, what = check_name(c.check, guideline)
    return {"id": c.check, "name": name, "claim": what, "verdict": c.verdict.value, "seconds": round(c.seconds, 6)}


def render_json(
    report: Report, found: Sequence[Finding], summary: Summary, version: str, exit_code: int
) -> dict[str, Any]:
    by_file: dict[str | None, list[Finding]] = {}
    for x in found:
        by_file.setdefault(x.file, []).append(x)
    files = []
    for f in report.files:
        g = guideline_of(f)
        files.append(
            {
                "path": f.path,
                "guideline": g,
                "diagnostics": [diagnostic_json(x) for x in by_file.get(f.path, [])],
                "checks": [_check_json(c, g) for c in f.checks],
                "examples": [_check_json(c, g) for c in f.examples],
                "outputs": list(f.outputs),
            }
        )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "version": version,
        "files": files,
        "diagnostics": [diagnostic_json(x) for x in by_file.get(None, [])],
        "summary": {**summary.to_json(), "seconds": round(summary.seconds, 3), "exit_code": exit_code},
    }
