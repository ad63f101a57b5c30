"""The registry of diagnostic codes: every code is a typed constant, used, tested and explained."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from dsl import codes
from dsl.codes import CODES, GAP, Code, Severity, Stage, lookup
from dsl.diagnostics import Diagnostic, diagnostic, error
from dsl.source import Span

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("dsl", "compiler", "verify", "veripath")
REGISTRY = ROOT / "dsl" / "codes.py"
CODE_TEXT = re.compile(r"VP\d{3}")

CONSTANTS: dict[str, Code] = {name: v for name, v in vars(codes).items() if isinstance(v, Code)}

# The codes whose example cannot be one standalone spec, and why (each explanation says so too).
NO_EXAMPLE = {
    "VP101": "the problem is in the file's bytes (not UTF-8), which cannot be printed as text",
    "VP105": "it takes a condition nested more than 100 levels deep",
    "VP106": "it takes a NUL byte or a control character, which cannot be printed",
    "VP112": "it takes two files: a guideline that imports another guideline",
    "VP114": "it takes a chain of more than 50 imported files",
    "VP247": "it takes two files: a catalogue and a file it does not import",
    "VP224": "it takes several large loops through each other, and seconds to reach the limit",
    "VP309": "whether the solver decides a check depends on the limits and the machine",
    "VP401": "the cause is the output folder of `veripath build`, not a spec",
    "VP402": "the cause is the committed build folder, not a spec",
    "VP404": "it takes two specs with the same guideline name in one build",
    "VP403": "`veripath check` accepts the spec; only an exporter (e.g. DMN) rejects it at build time",
}


def _sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if p != REGISTRY)


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the string constants that are docstrings (they may mention codes in prose)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def _code_strings(tree: ast.AST) -> list[tuple[int, str]]:
    """The string constants (f-string parts included, docstrings excluded) that contain a code."""
    docs = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
        if CODE_TEXT.search(node.value)
    ]


def test_constants_are_the_registry() -> None:
    assert sorted(CONSTANTS.values(), key=lambda c: c.code) == list(CODES.values())
    assert all(CODES[c.code] is c for c in CONSTANTS.values())
    assert len({c.slug for c in CODES.values()}) == len(CODES)
    for name, c in CONSTANTS.items():
        assert re.fullmatch(r"VP[1-4]\d\d", c.code), c
        assert name == c.slug.upper().replace("-", "_"), (name, c.slug)
        assert c.summary.endswith(".") and c.fix and len(c.explanation.split()) >= 20, c.code
        assert c.severity in (Severity.ERROR, Severity.WARNING), c.code
        assert str(c) == c.code


def test_default_severities() -> None:
    warnings = {c.code for c in CODES.values() if c.severity is Severity.WARNING}
    # redundant overlaps, masked and dead rules and unreachable parts are warnings, and so are a
    # waiver that matches none of them, an example fact its path never reads, a named condition
    # nothing uses, the coverage hints, and orders against a variant's table (usually not appropriate, or
    # not rated) without a cited reason; every other finding fails
    assert warnings == {
        "VP246",
        "VP303",
        "VP304",
        "VP305",
        "VP306",
        "VP311",
        "VP319",
        "VP320",
        "VP321",
        "VP322",
        "VP323",
    }
    assert {c.stage for c in CODES.values()} == set(Stage)
    assert GAP.stage is Stage.VERIFY and codes.UNEXPECTED_TOKEN.stage is Stage.READ


def test_lookup_by_string() -> None:
    assert lookup("VP301") is GAP and lookup(" vp301 ") is GAP
    assert lookup("VP999") is None and lookup("gap") is None


def test_diagnostics_take_a_registered_code() -> None:
    span = Span.point("x.vp", 1, 1)
    d = diagnostic(GAP, "a gap", span)
    assert d.code is GAP and d.severity is Severity.ERROR and d.to_json()["code"] == "VP301"
    assert diagnostic(codes.DEAD_RULE, "dead", None).severity is Severity.WARNING
    override = diagnostic(codes.UNKNOWN_RESULT, "undecided", None, severity=Severity.WARNING)
    assert override.severity is Severity.WARNING and not override.is_error
    assert diagnostic(codes.UNKNOWN_RESULT, "undecided", None).with_severity(Severity.WARNING) == override
    assert error(codes.DEAD_RULE, "forced", None).is_error
    impostor = dataclasses.replace(GAP, slug="not-the-gap")
    with pytest.raises(ValueError, match="unregistered"):
        Diagnostic(code=impostor, severity=Severity.ERROR, message="x", span=None)
    with pytest.raises(ValueError, match="unregistered"):
        Diagnostic(code="VP301", severity=Severity.ERROR, message="x", span=None)  # type: ignore[arg-type]


def test_every_code_is_emitted_somewhere() -> None:
    """Each constant is referenced by some non-test source other than the registry."""
    used: set[str] = set()
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.ImportFrom) and node.module == "dsl.codes":
                used.update(a.name for a in node.names)
    assert set(CONSTANTS) - used == set()


def test_no_code_is_written_as_a_string() -> None:
    """Outside the registry a code is a constant, never its text. Docstrings may name codes in prose."""
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in _sources()
        for line, text in _code_strings(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == []


def test_the_string_scan_sees_a_code() -> None:
    """The scan above is not vacuous: it finds a code in an ordinary string and skips a docstring."""
    tree = ast.parse('"""Emits VP301."""\ndef f() -> str:\n    """VP303 too."""\n    return f"[{y}] VP302"\n')
    assert _code_strings(tree) == [(4, "] VP302")]


def test_every_code_is_expected_by_some_test() -> None:
    """Each code is asserted by some test or test case (as its text, or as its constant's name), or
    its explanation's example is checked by tests/cli/test_code_examples.py."""
    own = {Path(__file__).resolve(), ROOT / "tests" / "cli" / "test_code_examples.py"}
    text = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in sorted((ROOT / "tests").rglob("*"))
        if p.is_file() and p.suffix in (".py", ".vp") and p.resolve() not in own
    )
    words = set(re.findall(r"\w+", text))
    named = {c.code for name, c in CONSTANTS.items() if c.code in words or name in words}
    missing = {c.code for c in CODES.values() if not c.example} - named
    assert missing == set()


def test_examples_exist_unless_listed() -> None:
    without = {c.code for c in CODES.values() if not c.example}
    assert without == set(NO_EXAMPLE)
    for code in NO_EXAMPLE:
        assert "No example is shown" in CODES[code].explanation, code
