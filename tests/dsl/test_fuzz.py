"""Fuzzing the front end: random text, random bytes and random mutations of real specs.

Whatever the input, reading, parsing, resolving, lowering and drawing never raise: every
problem is a Diagnostic with a registered code, and its position lies inside the file.
The default profile is quick; `--runslow` runs the heavier variants.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.export_diagram import graph_json, to_dot, to_mermaid
from dsl.codes import BAD_ENUMERATION, CODES, NOT_APPROPRIATE_ORDER, ORDER_NOT_IN_VARIANT, Stage
from dsl.parser import parse_text
from tests.cli.support import assert_no_traceback
from tests.dsl.support import DATA, ROOT, SPECS, span_inside
from veripath.api import load_spec

FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
HEAVY = settings(max_examples=3000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

SEED_ROOTS = [DATA / "dsl", DATA / "cli", DATA / "compiler", DATA / "malformed", SPECS]


def _seed_files() -> list[Path]:
    files = [p for root in SEED_ROOTS if root.is_dir() for p in sorted(root.rglob("*.vp"))]
    return [p for p in files if b"\x00" not in p.read_bytes()]


SEEDS = _seed_files()
SEED_TEXTS = [p.read_bytes().decode("utf-8", errors="replace") for p in SEEDS]

_TOKEN = re.compile(r'\s+|"(?:[^"\\\n]|\\.)*"|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)?|==|!=|<=|>=|.', re.S)
_WORDS = """
    guideline catalogue version import source url input bool number integer in assume action modality
    contrast cross_sectional radiation pediatric within imaging procedure referral routine urgent
    very_urgent emergency finding from disposition reassure follow_up refer uncovered discharge start
    decision unique first priority any at most visits rule when otherwise order then end because rated
    unrated cite note disagreement variant ordered implies or and not true false property never before always
    eventually ends no repeated orders except steps example given expect mm cm m kg years
    ( ) [ ] { } , : | = == != < <= > >= # " \\
"""
KEYWORDS = sorted({*_WORDS.split(), "\n", "\t"})
POOL = sorted({t for text in SEED_TEXTS for t in _TOKEN.findall(text) if not t.isspace()} | set(KEYWORDS))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _normalised(data: bytes) -> str:
    """The text as the reader sees it (positions of decode errors use the same counting)."""
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def assert_clean_parse(text: str) -> None:
    module, diags = parse_text("fuzz.vp", text)
    if module is not None:
        assert diags == []
        return
    # one syntax error stops the file; a file that parses may instead have several malformed
    # enumerations, each reported after the parse (VP118)
    assert len(diags) == 1 or all(d.code is BAD_ENUMERATION for d in diags), diags
    for d in diags:
        assert CODES[d.code.code] is d.code and d.code.stage is Stage.READ
        assert d.span is not None and d.span.file == "fuzz.vp"
        assert span_inside(d.span, text), (d, text)


def assert_clean_load(path: Path) -> None:
    """load_spec never raises; every diagnostic is registered and points inside its file."""
    loaded = load_spec(str(path))
    own = _normalised(path.read_bytes())
    for d in loaded.diagnostics:
        assert CODES[d.code.code] is d.code, d
        if d.code in (NOT_APPROPRIATE_ORDER, ORDER_NOT_IN_VARIANT):
            # the ratings warnings: checked while loading, a finding about content (verify stage)
            assert not d.is_error, d
        else:
            assert d.code.stage in (Stage.READ, Stage.SEMANTICS), d
            assert d.is_error
        assert d.message
        if d.span is None:
            continue
        if Path(d.span.file).resolve() == path.resolve():
            text = own
        elif d.span.file in loaded.sources:
            text = loaded.sources[d.span.file].text
        else:
            continue  # a file that could not be decoded, or a folder
        assert span_inside(d.span, text), d
        for note in d.notes:
            if note.span is not None and note.span.file in loaded.sources:
                assert span_inside(note.span, loaded.sources[note.span.file].text), note
    if loaded.ok:
        assert loaded.model is not None
    if loaded.graph is not None:
        to_mermaid(loaded.graph)
        to_dot(loaded.graph)
        graph_json(loaded.graph)


# -- mutations ------------------------------------------------------------------------------


@st.composite
def mutated_spec(draw: st.DrawFn) -> tuple[int, str]:
    """A real spec with a few random token or character edits: (seed index, text)."""
    index = draw(st.integers(0, len(SEEDS) - 1))
    toks = tokens(SEED_TEXTS[index])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "replace", "chars", "truncate"]))
        n = len(toks)
        if op == "truncate" and n:
            text = "".join(toks)
            toks = tokens(text[: draw(st.integers(0, len(text)))])
            continue
        if op == "chars":
            text = "".join(toks)
            at = draw(st.integers(0, len(text)))
            cut = draw(st.integers(0, 5))
            toks = tokens(text[:at] + draw(st.text(max_size=6)) + text[at + cut :])
            continue
        if n == 0:
            toks = [draw(st.sampled_from(POOL))]
            continue
        i = draw(st.integers(0, n - 1))
        if op == "delete":
            del toks[i]
        elif op == "insert":
            toks.insert(i, draw(st.sampled_from(POOL)) + draw(st.sampled_from(["", " ", "\n"])))
        elif op == "duplicate":
            j = draw(st.integers(i, min(n, i + 30)))
            toks[i:i] = toks[i:j]
        elif op == "swap":
            j = draw(st.integers(0, n - 1))
            toks[i], toks[j] = toks[j], toks[i]
        else:
            toks[i] = draw(st.sampled_from(POOL))
    return index, "".join(toks)


keyword_soup = st.lists(st.sampled_from(POOL), max_size=60).map(" ".join)
random_text = st.one_of(st.text(max_size=300), keyword_soup)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the seed folders, so a mutated file can sit beside (and import) its neighbours."""
    root = tmp_path_factory.mktemp("fuzz")
    for seed_root in SEED_ROOTS:
        if seed_root.is_dir():
            dest = root / seed_root.relative_to(ROOT)
            shutil.copytree(seed_root, dest, ignore=shutil.ignore_patterns("*.expected*"))
    return root


def _mutant_path(workdir: Path, index: int) -> Path:
    seed = SEEDS[index]
    return workdir / seed.parent.relative_to(ROOT) / f"mutant_{seed.name}"


def test_there_are_seeds() -> None:
    assert len(SEEDS) >= 10


@FAST
@given(random_text)
def test_random_text_parses_or_gives_one_diagnostic(text: str) -> None:
    assert_clean_parse(text)


@FAST
@given(mutated_spec())
def test_mutated_specs_parse_or_give_one_diagnostic(case: tuple[int, str]) -> None:
    assert_clean_parse(case[1])


@FAST
@given(case=mutated_spec())
def test_mutated_specs_load_cleanly(workdir: Path, case: tuple[int, str]) -> None:
    index, text = case
    path = _mutant_path(workdir, index)
    path.write_text(text, encoding="utf-8", newline="")
    assert_clean_load(path)


@FAST
@given(data=st.binary(max_size=400), prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"guideline g "]))
def test_random_bytes_load_cleanly(workdir: Path, data: bytes, prefix: bytes) -> None:
    path = workdir / "bytes.vp"
    path.write_bytes(prefix + data)
    assert_clean_load(path)


@FAST
@given(case=mutated_spec(), encoding=st.sampled_from(["utf-16", "latin-1", "cp1252"]), crlf=st.booleans())
def test_reencoded_mutants_load_cleanly(workdir: Path, case: tuple[int, str], encoding: str, crlf: bool) -> None:
    index, text = case
    path = _mutant_path(workdir, index)
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes(text.encode(encoding, errors="replace"))
    assert_clean_load(path)


# -- heavier variants (--runslow) ------------------------------------------------------------


def _heavy(test: Callable[..., None]) -> Callable[..., None]:
    heavy: Callable[..., None] = pytest.mark.slow(HEAVY(test))
    return heavy


@_heavy
@given(random_text)
def test_heavy_random_text(text: str) -> None:
    assert_clean_parse(text)


@_heavy
@given(case=mutated_spec())
def test_heavy_mutated_specs_load_cleanly(workdir: Path, case: tuple[int, str]) -> None:
    index, text = case
    path = _mutant_path(workdir, index)
    path.write_text(text, encoding="utf-8", newline="")
    assert_clean_load(path)


@_heavy
@given(case=mutated_spec())
def test_heavy_mutants_through_the_cli(workdir: Path, case: tuple[int, str]) -> None:
    from click.testing import CliRunner

    from veripath.cli import main

    index, text = case
    path = _mutant_path(workdir, index)
    path.write_text(text, encoding="utf-8", newline="")
    result = CliRunner().invoke(main, ["check", "--no-color", str(path)])
    # Random input may be clean, have findings or be broken (0, 1, 2); never an internal error (3).
    assert_no_traceback(result)
    assert "internal error" not in result.stderr
    assert result.exit_code in (0, 1, 2), result.output
    # ... and which of them is decided: bad input exactly when the front end reports an error.
    assert (result.exit_code == 2) == (not load_spec(str(path)).ok), result.output
