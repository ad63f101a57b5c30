"""The stable identity of a finding and of a check: what survives unrelated edits to a spec.

A finding is identified by what it is about, never by where it is printed: its code, the
guideline, and the verifier's check id (`"conflict:triage:r1:r2"`, `"property:p"`,
`"gap:d"`), plus, for a gap, the uncovered region. Inserting lines above it, or renaming
another rule, leaves its fingerprint unchanged. A front-end diagnostic (syntax, names,
types), which has no check id, is identified by its code, its file and its message with
line and column numbers taken out.

The fingerprint keys SARIF `partialFingerprints` and the baseline (`veripath.baseline`);
`check_name` names JUnit test cases and the proofs listed by `veripath check -v`.
"""

from __future__ import annotations

import hashlib
import re

from dsl.diagnostics import Diagnostic

# "x.vp:12:5", "line 12", "12:5" in a message: positions, which move when lines are inserted.
_POSITIONS = re.compile(r"(:\d+(?::\d+)?\b)|(\bline \d+\b)|(\bcolumn \d+\b)")
# A gap's ordinal or remainder suffix ("gap:d:2", "gap:d:rest"): the region says which gap it is.
_GAP_SUFFIX = re.compile(r"^(gap:[^:]+):(?:\d+|rest)$")

FINGERPRINT_KEY = "veripath/v1"  # the key in SARIF partialFingerprints; bump if the recipe changes


def identity(diagnostic: Diagnostic, guideline: str | None) -> tuple[str, ...]:
    """The parts a finding's fingerprint is computed from (see the module docstring)."""
    code = diagnostic.code.code
    ev = diagnostic.evidence
    if ev is not None:
        check = _GAP_SUFFIX.sub(r"\1", ev.check)
        region = ev.counterexample.region.text() if ev.counterexample and ev.counterexample.region else ""
        return (code, guideline or "", check, region)
    file = diagnostic.span.file.replace("\\", "/") if diagnostic.span is not None else ""
    return (code, guideline or "", file, _POSITIONS.sub("", diagnostic.message))


def fingerprint(diagnostic: Diagnostic, guideline: str | None) -> str:
    """A SHA-256 (hex) over the finding's identity: stable across unrelated edits to the spec."""
    parts = identity(diagnostic, guideline)
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def check_name(check: str, guideline: str | None) -> tuple[str, str]:
    """The stable test-case name of a verifier check id, and what it shows.

    `gap:triage` → `g.triage.completeness`; `conflicts:triage`, `conflict:triage:a:b` and
    `redundant:triage:a:b` → `g.triage.consistency`; `dead:triage:r` and `masked:triage:r` →
    `g.triage.rules`; `unreachable:decision:triage` → `g.triage.reachability`;
    `unreachable:action:a` → `g.action.a.reachability`; `property:p` → `g.property.p`;
    `example:T` → `g.example.T`. The second value says in words what a pass means.
    """
    g = guideline or "spec"
    kind, _, rest = check.partition(":")
    head = rest.split(":", 1)[0]
    if kind == "gap":
        return f"{g}.{head}.completeness", f"decision '{head}' is complete"
    if kind in ("conflicts", "conflict", "redundant"):
        return f"{g}.{head}.consistency", f"decision '{head}' is consistent"
    if kind in ("dead", "masked"):
        return f"{g}.{head}.rules", f"every rule of decision '{head}' can apply"
    if kind == "unreachable":
        what, _, name = rest.partition(":")
        if what == "decision":
            return f"{g}.{name}.reachability", f"decision '{name}' is reachable"
        return f"{g}.{what}.{name}.reachability", f"{what} '{name}' is reachable"
    if kind == "property":
        return f"{g}.property.{rest}", f"property '{rest}' holds"
    if kind == "example":
        return f"{g}.example.{rest}", f"example '{rest}' passes"
    if kind == "assumptions":
        return f"{g}.assumptions", "the assumptions are consistent"
    return f"{g}.{check.replace(':', '.')}", check
