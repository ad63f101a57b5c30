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
from collections.abc import Iterator, Sequence
from typing import Any

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
    """A JSON document as text: indented, non-ASCII kept, lone surrogates escaped as text.

    The text of `json.dumps(json_safe(doc), indent=2, ensure_ascii=False)`, made faster for the
    reports of large runs (one record per proved check): lists and dicts with str keys are laid
    out as `indent=2` lays them out, strings are written by the json module's C string encoder
    and numbers by their `repr` (as the json module writes them), the keys' texts once per shape
    of dict, and anything else is written by `json.dumps` and re-indented (a JSON text has no raw
    newline inside a string, so nesting it only adds indentation after each newline).
    """
    return _dumps(doc, "")


_encode_str = json.encoder.encode_basestring  # what `json.dumps(..., ensure_ascii=False)` writes for a str
_float_str = float.__repr__  # and for a finite float (`floatstr`)
_int_str = int.__repr__


def _plain(v: Any) -> str | None:
    """The JSON text of a str, int, finite float, bool or None (exact types), as the json module
    writes it; None for anything else."""
    kind = type(v)
    if kind is str:
        return _encode_str(_safe_str(v))
    if kind is float:
        return _float_str(v) if v - v == 0.0 else None  # (NaN and infinities: left to the json module)
    if kind is int:
        return _int_str(v)
    if v is None:
        return "null"
    if kind is bool:
        return "true" if v else "false"
    return None


_PREFIXES: dict[tuple[str, tuple[Any, ...]], tuple[str, ...] | None] = {}
_PREFIXES_LIMIT = 4096


def _prefixes(inner: str, keys: tuple[Any, ...]) -> tuple[str, ...] | None:
    """The text before each value of a dict with these keys at this indentation (reports repeat a
    few shapes of dict); None when a key is not a str, or when `json_safe` would merge two keys."""
    hit = _PREFIXES.get((inner, keys), ())
    if hit != ():
        return hit
    out: tuple[str, ...] | None = None
    if all(type(k) is str for k in keys):
        texts = [_encode_str(_safe_str(k)) for k in keys]
        if len(set(texts)) == len(texts):  # (else keys differ only in lone surrogates: merged)
            out = tuple(f"{inner}{t}: " for t in texts)
    if len(_PREFIXES) >= _PREFIXES_LIMIT:
        _PREFIXES.clear()
    _PREFIXES[(inner, keys)] = out
    return out


def _dumps(value: Any, pad: str) -> str:
    kind = type(value)
    if (kind is list or kind is tuple) and value:
        inner = pad + "  "
        return "[\n" + ",\n".join([inner + _dumps(v, inner) for v in value]) + "\n" + pad + "]"
    if kind is dict and value:
        inner = pad + "  "
        prefixes = _prefixes(inner, tuple(value))
        if prefixes is not None:
            items = []
            for prefix, v in zip(prefixes, value.values(), strict=True):
                if type(v) is str and v.isprintable():  # (the common case, inlined: no lone surrogate)
                    items.append(prefix + _encode_str(v))
                    continue
                text = _plain(v)
                items.append(prefix + (_dumps(v, inner) if text is None else text))
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    text = _plain(value)
    if text is not None:
        return text
    if kind is CheckRecords:
        return _dumps(list(value), pad)
    text = json.dumps(json_safe(value), indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + pad) if pad and "\n" in text else text


PIECE_DEPTH = 4
"""`json_pieces` writes the containers above this depth element by element (a report's top
level, its list of files, each file, each file's checks) and each deeper value whole."""


def json_pieces(doc: Any) -> Iterator[str]:
    """`dumps(doc)` in pieces, so that the text of a large report (one record per proved check) is
    written as it is made instead of being held whole: `"".join(json_pieces(doc)) == dumps(doc)`."""
    return _pieces(doc, "", 0)


def _pieces(value: Any, pad: str, depth: int) -> Iterator[str]:
    kind = type(value)
    if depth < PIECE_DEPTH and (kind is list or kind is tuple or kind is CheckRecords) and len(value):
        inner = pad + "  "
        yield "[\n"
        for k, v in enumerate(value):
            yield inner if k == 0 else ",\n" + inner
            yield from _pieces(v, inner, depth + 1)
        yield "\n" + pad + "]"
        return
    if depth < PIECE_DEPTH and kind is dict and value:
        inner = pad + "  "
        prefixes = _prefixes(inner, tuple(value))
        if prefixes is not None:
            yield "{\n"
            for k, (prefix, v) in enumerate(zip(prefixes, value.values(), strict=True)):
                yield prefix if k == 0 else ",\n" + prefix
                yield from _pieces(v, inner, depth + 1)
            yield "\n" + pad + "}"
            return
    yield _dumps(value, pad)


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


class CheckRecords:
    """A file's check results as the report's records (dicts), each made when the report's text
    reaches it (`render_json(..., lazy=True)`, written by `json_pieces`): a run of 50,000 proved
    checks never holds 50,000 dicts."""

    __slots__ = ("guideline", "results")

    def __init__(self, results: Sequence[CheckResult], guideline: str | None) -> None:
        self.results = results
        self.guideline = guideline

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        g = self.guideline
        return (_check_json(c, g) for c in self.results)


def render_json(
    report: Report, found: Sequence[Finding], summary: Summary, version: str, exit_code: int, *, lazy: bool = False
) -> dict[str, Any]:
    """The JSON report as a document of plain values (with `lazy`, each file's checks and examples
    are `CheckRecords`, which only `json_pieces` and `dumps` write)."""
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
                "checks": CheckRecords(f.checks, g) if lazy else [_check_json(c, g) for c in f.checks],
                "examples": CheckRecords(f.examples, g) if lazy else [_check_json(c, g) for c in f.examples],
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
