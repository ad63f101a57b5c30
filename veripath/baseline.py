"""Baselines: accept the findings a project already has, and fail only on new ones.

`veripath check --write-baseline FILE` records the fingerprint (`veripath.identity`) of every
finding; `veripath check --baseline FILE` still reports the findings it lists, marked as in
the baseline, but they do not fail the run. Only verification findings and warnings can be
baselined: a spec that does not compile (syntax, names, types) always fails.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from dsl.codes import Stage
from dsl.diagnostics import Diagnostic, Severity
from veripath.status import UserError

FORMAT = "veripath-baseline"
VERSION = 1


def can_baseline(d: Diagnostic) -> bool:
    """Whether a baseline can accept `d`: verification findings and warnings, never compile errors."""
    return d.code.stage is Stage.VERIFY or d.severity is not Severity.ERROR


def render_baseline(entries: Iterable[tuple[str, Diagnostic, str | None]]) -> str:
    """The baseline file for (fingerprint, diagnostic, guideline) entries, sorted, one JSON document."""
    seen: dict[str, dict[str, Any]] = {}
    for fp, d, guideline in entries:
        if can_baseline(d) and fp not in seen:
            seen[fp] = {"fingerprint": fp, "code": d.code.code, "guideline": guideline, "message": d.message}
    doc = {"format": FORMAT, "version": VERSION, "findings": [seen[k] for k in sorted(seen)]}
    return json.dumps(doc, indent=2, ensure_ascii=True) + "\n"


def load_baseline(path: str) -> frozenset[str]:
    """The fingerprints recorded in the baseline file at `path` (a UserError if it is not one)."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise UserError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"baseline {path} is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("findings"), list):
        raise UserError(f"{path} is not a veripath baseline (write one with --write-baseline)")
    if doc.get("version") != VERSION:
        raise UserError(f"baseline {path} has version {doc.get('version')!r}; this veripath reads version {VERSION}")
    out = set()
    for item in doc["findings"]:
        fp = item.get("fingerprint") if isinstance(item, dict) else None
        if not isinstance(fp, str):
            raise UserError(f"baseline {path}: every finding needs a 'fingerprint'")
        out.add(fp)
    return frozenset(out)


def write_file(path: str, text: str) -> None:
    """Write `text` to `path` through a temporary file renamed over it."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    os.replace(tmp, path)
