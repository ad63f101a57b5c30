"""Malformed specs of every kind give a diagnostic and exit code 2, never a traceback.

The corpus is the committed files in tests/data/malformed/ plus inputs generated here
(truncations of real specs at many points, other encodings, binary data, 10 MB files,
absurd nesting, very long lines), each run through `veripath check` with CliRunner.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from dsl.codes import CODES, Severity
from dsl.reader import MAX_BYTES
from tests.cli.support import DIAGNOSTIC, assert_no_traceback, plural, run, shown, summary_of
from tests.dsl.support import DATA, expectations

MALFORMED = sorted((DATA / "malformed").glob("*.vp"))
SMALL = DATA / "cli" / "small.vp"
EVERYTHING = DATA / "dsl" / "everything.vp"
HEADER = 'guideline g "Generated" version "1"\nsource s "S"\ninput a: bool\ndisposition d "D" reassure\nstart x\n'


def assert_bad_input(path: Path, *codes: str) -> None:
    """`veripath check PATH` exits 2 with compiler-style diagnostics for PATH and no traceback."""
    result = run("check", "--no-color", str(path))
    assert_no_traceback(result)
    assert result.exit_code == 2, result.stdout
    found = shown(result.stdout)
    assert found, f"no 'file:line:col: error: ... [VPxxx]' line in:\n{result.stdout[:2000]}"
    assert all(s.code[:3] in ("VP1", "VP2") for s in found)
    assert Path(found[0].file).resolve() == path.resolve()
    assert found[0].line >= 1 and found[0].column >= 1
    if codes:
        assert found[0].code in codes, found[0]
    assert result.stderr == ""


def test_the_corpus_is_large_enough() -> None:
    assert len(MALFORMED) >= 30


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.stem)
def test_committed_malformed_inputs(path: Path) -> None:
    assert_bad_input(path)


# -- truncations of real specs ---------------------------------------------------------------

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*|\S')
# After these words the grammar always needs more, so a file cut just after one is incomplete.
_NEEDS_MORE = """
    guideline catalogue version import source url input assume action finding from disposition
    start decision rule when order then end because rated unrated cite note given expect in
    property never always eventually before modality contrast radiation follow_up example
    : , | == != < <= > >= ( [ {
"""
NEEDS_MORE = set(_NEEDS_MORE.split())


def _cut_points(text: str) -> list[int]:
    cuts = []
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok in NEEDS_MORE:
            cuts.append(m.end())
        elif tok.startswith('"') and len(tok) > 4:
            cuts.append(m.start() + 3)  # inside a string
    return cuts


TRUNCATIONS = [(spec, cut) for spec in (SMALL, EVERYTHING) for cut in _cut_points(spec.read_text(encoding="utf-8"))]


def test_there_are_many_truncations() -> None:
    assert len(TRUNCATIONS) >= 100


@pytest.mark.parametrize(("spec", "cut"), TRUNCATIONS, ids=[f"{s.stem}@{c}" for s, c in TRUNCATIONS])
def test_truncated_specs(tmp_path: Path, spec: Path, cut: int) -> None:
    for sibling in spec.parent.rglob("*.vp"):  # keep imports resolvable
        target = tmp_path / sibling.relative_to(spec.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(sibling.read_bytes())
    path = tmp_path / spec.name
    path.write_bytes(spec.read_bytes()[:cut])
    # VP118: a file cut just after the '|' of an enumeration is complete but for the next value
    assert_bad_input(path, "VP102", "VP104", "VP118")


# -- generated inputs ---------------------------------------------------------------------------

TEXT = SMALL.read_text(encoding="utf-8")


def _nonsense(size: int) -> bytes:
    chunk = b'lorem ipsum (dolor] sit {amet == > 42 cm | # consectetur\n adipiscing "elit" sed do '
    return (chunk * (size // len(chunk) + 1))[:size]


GENERATED: dict[str, tuple[Callable[[], bytes], tuple[str, ...]]] = {
    "utf16-le": (lambda: TEXT.encode("utf-16"), ("VP101",)),
    "utf16-be": (lambda: b"\xfe\xff" + TEXT.encode("utf-16-be"), ("VP101",)),
    "utf16-no-bom": (lambda: TEXT.encode("utf-16-le"), ("VP106",)),
    "utf32": (lambda: TEXT.encode("utf-32"), ("VP101",)),
    "latin1": (lambda: TEXT.replace("US,", "Échographie,").encode("latin-1"), ("VP101",)),
    "truncated-utf8-sequence": (lambda: TEXT.encode()[:200] + "é".encode()[:1], ("VP101",)),
    "nul-bytes": (lambda: TEXT.encode().replace(b"\n", b"\n\x00", 3), ("VP106",)),
    "random-binary-small": (lambda: random.Random(1).randbytes(64), ()),
    "random-binary-4k": (lambda: random.Random(2).randbytes(4096), ()),
    "random-binary-no-nul": (lambda: bytes(b or 1 for b in random.Random(3).randbytes(4096)), ()),
    "random-printable": (
        lambda: "".join(random.Random(4).choices('abc xyz()[]{}<>=!,:|"#\n\t-0123456789.', k=20_000)).encode(),
        (),
    ),
    "nonsense-over-the-limit": (lambda: _nonsense(MAX_BYTES + 10), ("VP105",)),
    "just-over-the-limit": (lambda: (TEXT.encode() + b"\n# " + b"x" * MAX_BYTES)[: MAX_BYTES + 1], ("VP105",)),
    "5000-parentheses": (lambda: (HEADER + "assume: " + "(" * 5000 + "a" + ")" * 5000 + "\n").encode(), ("VP105",)),
    "5000-unclosed-parentheses": (lambda: (HEADER + "assume: " + "(" * 5000 + "\n").encode(), ("VP105",)),
    "5000-braces-in-a-set": (lambda: (HEADER + "assume: a in " + "{" * 5000 + "\n").encode(), ("VP105",)),
    "5000-nots": (lambda: (HEADER + "assume: " + "not " * 5000 + "a\n").encode(), ("VP105",)),
    "50000-nots": (lambda: (HEADER + "assume: " + "not " * 50_000 + "a\n").encode(), ("VP105",)),
    "nots-and-parentheses": (lambda: (HEADER + "assume: " + "not (" * 90 + "a" + ")" * 90 + "\n").encode(), ()),
    "1MB-name": (lambda: b"x" * 1_000_000, ("VP103",)),
    "1MB-line": (lambda: (HEADER + "input e: " + "v | " * 250_000 + "?\n").encode(), ("VP102",)),
    "1MB-unterminated-string": (lambda: (HEADER + 'source t "' + "y" * 1_000_000).encode(), ("VP102",)),
    "100k-lines-of-blank": (lambda: b"\n" * 100_000 + b"oops", ("VP103",)),
    "escape-sequences": (lambda: TEXT.replace('\\"', "\\q").encode(), ("VP107",)),
    "control-characters": (lambda: TEXT.replace("radiation none", "radiation\x1bnone").encode(), ("VP106",)),
    "delete-character": (lambda: TEXT.replace("cite acr", "cite\x7facr", 1).encode(), ("VP106",)),
    "vertical-tab": (lambda: TEXT.replace("start initial", "start\vinitial").encode(), ("VP102",)),
    "form-feed-in-a-name": (lambda: TEXT.replace("us_plain", "us\x0cplain", 1).encode(), ()),
    "line-separator": (lambda: TEXT.replace("start initial", "start\u2028initial").encode(), ("VP102",)),
    "emoji": (lambda: TEXT.replace("start initial", "start 🚑").encode(), ("VP102",)),
    "rtl-override": (lambda: TEXT.replace("start initial", "start \u202einitial").encode(), ("VP102",)),
    "zero-width-space": (lambda: TEXT.replace("start initial", "start\u200binitial").encode(), ("VP102",)),
    "fullwidth-letters": (lambda: TEXT.replace("start initial", "ｓｔａｒｔ initial").encode(), ("VP102",)),
    "doubled-spec": (lambda: (TEXT + TEXT).encode(), ("VP103",)),
    "catalogue-with-version": (lambda: TEXT.replace("guideline small", "catalogue small").encode(), ("VP103",)),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_malformed_inputs(tmp_path: Path, name: str) -> None:
    make, codes = GENERATED[name]
    path = tmp_path / f"{name}.vp"
    path.write_bytes(make())
    assert_bad_input(path, *codes)


# -- layout variants that must be fine -----------------------------------------------------------

FINE: dict[str, Callable[[str], bytes]] = {
    "crlf": lambda t: t.replace("\n", "\r\n").encode(),
    "lone-cr": lambda t: t.replace("\n", "\r").encode(),
    "utf8-bom": lambda t: b"\xef\xbb\xbf" + t.encode(),
    "tabs": lambda t: t.replace("  ", "\t").encode(),
    "no-final-newline": lambda t: t.rstrip("\n").encode(),
    "trailing-whitespace": lambda t: t.replace("\n", " \t \n").encode(),
    "blank-lines": lambda t: t.replace("\n", "\n\n\n").encode(),
    "one-line": lambda t: " ".join(line for line in t.splitlines() if not line.startswith("#")).encode(),
    "form-feeds": lambda t: t.replace("\n\n", "\n\x0c\n").encode(),
    "comments-everywhere": lambda t: t.replace("\n", '  # a comment (with [brackets] and "quotes\n').encode(),
}


@pytest.mark.parametrize("name", sorted(FINE))
def test_layout_variants_are_fine(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.vp"
    path.write_bytes(FINE[name](TEXT))
    result = run("check", "--no-color", str(path))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("ok: 1 file;")
    assert not DIAGNOSTIC.search(result.stdout)


# -- every diagnostic case of tests/data/dsl/errors is bad input for the CLI too --------------------

ERROR_CASES = sorted((DATA / "dsl" / "errors").glob("*.vp"))


@pytest.mark.parametrize("path", ERROR_CASES, ids=lambda p: p.stem)
def test_diagnostic_cases_through_the_cli(path: Path) -> None:
    expected = expectations(path)
    if all(CODES[e.code].severity is Severity.WARNING for e in expected):
        # VP246, the front end's one warning: the spec compiles, and only --strict fails the run
        result = run("check", "--no-color", "--strict", str(path))
        assert_no_traceback(result)
        assert result.exit_code == 1
        assert summary_of(result.stdout).startswith(f"0 errors, {plural(len(expected), 'warning')} in 1 file")
        return
    result = run("check", "--no-color", str(path))
    assert_no_traceback(result)
    assert result.exit_code == 2
    found = shown(result.stdout)
    assert found
    assert path.stem.split("_")[0] in {s.code for s in found}
    errors = len(found)
    assert summary_of(result.stdout) == f"{plural(errors, 'error')}, 0 warnings in 1 file"
