"""Reading and parsing: encodings, line endings, limits, positions, and the shape of the AST."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsl import ast
from dsl.codes import BAD_ENCODING, BAD_STRING, BINARY_FILE, TOO_LARGE, UNEXPECTED_EOF, UNREADABLE_FILE
from dsl.parser import MAX_NESTING, parse_text
from dsl.reader import MAX_BYTES, decode, read_file, read_guideline
from dsl.source import Span
from tests.dsl.dump import dump
from tests.dsl.support import DATA, span_inside
from veripath.api import load_spec

GOLDEN = DATA / "dsl"
PIECES = GOLDEN / "everything.vp"  # imports catalogue.vp, which imports lib/base.vp


def _copy_tree(dest: Path, transform: Callable[[bytes], bytes]) -> None:
    for src in GOLDEN.rglob("*.vp"):
        rel = src.relative_to(GOLDEN)
        if rel.parts[0] == "errors":
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(transform(src.read_bytes()))


def _model_dump(path: Path, base: Path) -> str:
    loaded = load_spec(str(path))
    assert loaded.diagnostics == []
    assert loaded.model is not None
    return dump(loaded.model, base=str(base))


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda b: b.replace(b"\n", b"\r"), id="lone-cr"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="utf8-bom"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n"), id="bom-and-crlf"),
    ],
)
def test_line_endings_and_bom_give_the_same_model(tmp_path: Path, transform: Callable[[bytes], bytes]) -> None:
    _copy_tree(tmp_path, transform)
    for case in sorted(GOLDEN.glob("*.vp")):
        assert _model_dump(tmp_path / case.name, tmp_path) == _model_dump(case, GOLDEN), case.name


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-16", "UTF-16"), ("utf-16-be", None), ("utf-32", "UTF-32"), ("latin-1", None)],
)
def test_other_encodings_are_reported(tmp_path: Path, encoding: str, name: str | None) -> None:
    spec = tmp_path / "spec.vp"
    text = PIECES.read_text(encoding="utf-8").replace("Imaging", "Imagerie échographique")
    spec.write_bytes(("\ufeff" if encoding == "utf-16-be" else "").encode(encoding) + text.encode(encoding))
    source, module, diags = read_file(str(spec))
    assert source is None and module is None
    (d,) = diags
    assert d.code == BAD_ENCODING
    if name is not None:
        assert d.message == f"the file is {name} text, not UTF-8"
    assert d.hint == "save the file as UTF-8"


def test_invalid_utf8_position_counts_characters() -> None:
    text, problem = decode("x.vp", 'guideline g "é€" version "1"\nsource s "ok" url "\u00e9'.encode() + b"\xff")
    assert text is None and problem is not None and problem.span is not None
    assert problem.code == BAD_ENCODING and problem.message == "byte 0xff is not valid UTF-8"
    assert (problem.span.line, problem.span.column) == (2, 21)


def test_nul_position_counts_characters_after_a_bom() -> None:
    _, problem = decode("x.vp", b"\xef\xbb\xbf" + "é€é\x00".encode())
    assert problem is not None and problem.span is not None
    assert (problem.code, problem.span.line, problem.span.column) == (BINARY_FILE, 1, 4)


def test_control_character_line_counts_only_newlines() -> None:
    # U+2028 and U+0085 are line breaks for str.splitlines(), but not for the lexer.
    _, problem = decode("x.vp", '# a\u2028b\x85c\n"x\x01'.encode())
    assert problem is not None and problem.span is not None
    assert (problem.code, problem.span.line, problem.span.column) == (BINARY_FILE, 2, 3)
    assert problem.message == "control character U+0001 in file"


def test_too_large_file_reports_its_real_size(tmp_path: Path) -> None:
    spec = tmp_path / "huge.vp"
    size = MAX_BYTES + 12345
    spec.write_bytes(b"# " + b"x" * (size - 2))
    _, _, diags = read_file(str(spec))
    (d,) = diags
    assert d.code == TOO_LARGE
    assert d.message == f"file is {size:,} bytes; the limit is {MAX_BYTES:,}"


def test_reading_a_directory_or_a_missing_file(tmp_path: Path) -> None:
    (d,) = read_file(str(tmp_path))[2]
    assert (d.code, d.message) == (UNREADABLE_FILE, "is a directory, not a file")
    result = read_guideline(str(tmp_path / "missing.vp"))
    (d,) = result.diagnostics
    assert d.code == UNREADABLE_FILE and d.message.startswith("cannot read file: ")
    assert result.modules == []


def test_an_import_is_read_once(tmp_path: Path) -> None:
    # a diamond: both catalogues import the same base; it is loaded once.
    shutil.copy(GOLDEN / "lib" / "base.vp", tmp_path / "base.vp")
    (tmp_path / "a.vp").write_text('catalogue a "A"\nimport "base.vp"\n', encoding="utf-8")
    (tmp_path / "b.vp").write_text('catalogue b "B"\nimport "base.vp"\n', encoding="utf-8")
    (tmp_path / "g.vp").write_text('catalogue g "G"\nimport "a.vp"\nimport "b.vp"\n', encoding="utf-8")
    loaded = load_spec(str(tmp_path / "g.vp"))
    assert loaded.diagnostics == []
    assert loaded.model is not None
    assert [Path(f).name for f in loaded.model.files] == ["g.vp", "a.vp", "base.vp", "b.vp"]


# -- parsing ---------------------------------------------------------------------------------

HEAD = 'guideline g "G" version "1"\ninput a: bool\n'


def _expr(condition: str) -> ast.Expr:
    module, diags = parse_text("x.vp", HEAD + f"assume: {condition}\n")
    assert diags == [], diags
    assert module is not None
    decl = module.decls[-1]
    assert isinstance(decl, ast.AssumeDecl)
    return decl.expr


@pytest.mark.parametrize(("text", "value"), [("true", True), ("false", False)])
def test_bool_literals_on_the_right_of_a_comparison(text: str, value: bool) -> None:
    expr = _expr(f"a == {text}")
    assert isinstance(expr, ast.Compare)
    assert isinstance(expr.left, ast.NameRef) and expr.left.name.text == "a"
    assert isinstance(expr.right, ast.BoolLit) and expr.right.value is value


def test_precedence_not_and_or_implies() -> None:
    expr = _expr("not a and a or a implies a")
    assert isinstance(expr, ast.Implies)
    assert isinstance(expr.left, ast.Or)
    first = expr.left.operands[0]
    assert isinstance(first, ast.And)
    assert isinstance(first.operands[0], ast.Not)


def test_chains_are_flat() -> None:
    expr = _expr(" and ".join(["a"] * 50))
    assert isinstance(expr, ast.And) and len(expr.operands) == 50


def test_nesting_limit() -> None:
    ok = "(" * MAX_NESTING + "a" + ")" * MAX_NESTING
    _expr(ok)
    module, diags = parse_text("x.vp", HEAD + "assume: (" + ok + ")\n")
    assert module is None
    (d,) = diags
    assert (d.code, d.span) == (TOO_LARGE, Span.point("x.vp", 3, 9 + MAX_NESTING))


def test_brackets_in_strings_and_comments_do_not_count() -> None:
    deep = "(" * (MAX_NESTING + 5)
    module, diags = parse_text("x.vp", f'guideline g "{deep}" version "1" # {deep}\nsource s "\\"{deep}"\n')
    assert diags == [] and module is not None
    # a string that ends in an escaped backslash is over: the next string is a string again
    module, diags = parse_text("x.vp", f'guideline g "a\\\\" version "{deep}"\n')
    assert diags == [] and module is not None


@pytest.mark.parametrize("depth", [2_000, 5_000, 50_000])
def test_long_not_chains_are_a_diagnostic(depth: int) -> None:
    module, diags = parse_text("x.vp", HEAD + "assume: " + "not " * depth + "a\n")
    assert module is None
    (d,) = diags
    assert d.code == TOO_LARGE and d.message == "expression nested too deeply"


def test_bad_escape_points_at_the_string() -> None:
    module, diags = parse_text("x.vp", 'guideline g "a\\qb" version "1"\n')
    assert module is None
    (d,) = diags
    assert (d.code, d.message, d.span) == (BAD_STRING, "invalid escape '\\q' in string", Span.point("x.vp", 1, 13, 6))


def test_escapes_are_decoded() -> None:
    module, _ = parse_text("x.vp", 'guideline g "q\\"b\\\\n\\nt\\t" version "1"\n')
    assert module is not None
    assert module.header.title.value == 'q"b\\n\nt\t'


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("guideline g", 1, 12),
        ("guideline g\n", 1, 12),
        ("guideline g\r\n\r\n", 1, 12),
        ('guideline g "G" version "1"\ninput a:\n\n\n', 2, 9),
        ("", 1, 1),
        ("# only a comment", 1, 1),
    ],
)
def test_end_of_file_position(text: str, line: int, column: int) -> None:
    _, diags = parse_text("x.vp", text)
    (d,) = diags
    assert d.code == UNEXPECTED_EOF
    assert d.span is not None and (d.span.line, d.span.column) == (line, column)


def _nodes(node: object) -> Iterator[ast.Node]:
    if isinstance(node, ast.Node):
        yield node
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            yield from _nodes(getattr(node, f.name))
    elif isinstance(node, tuple):
        for item in node:
            yield from _nodes(item)


def _within(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (inner.end_line, inner.end_column) <= (
        outer.end_line,
        outer.end_column,
    )


def _children(node: ast.Node) -> Iterator[ast.Node]:
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            if isinstance(item, ast.Node):
                yield item


@pytest.mark.parametrize("case", sorted(GOLDEN.glob("*.vp")), ids=lambda p: p.stem)
def test_every_node_span_is_inside_the_file_and_its_parent(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    module, diags = parse_text(str(case), text)
    assert diags == [] and module is not None
    for node in _nodes(module):
        assert node.span.file == str(case)
        assert span_inside(node.span, text), node
        assert (node.span.line, node.span.column) < (node.span.end_line, node.span.end_column), node
        if node is not module:
            for child in _children(node):
                assert _within(child.span, node.span), (node, child)


def test_parenthesised_operand_keeps_its_span_and_the_parent_takes_in_the_brackets() -> None:
    # the AST is built during the parse; spans must be those of propagate_positions on the tree
    expr = _expr("(a or a) and a")
    assert isinstance(expr, ast.And)
    inner = expr.operands[0]
    assert isinstance(inner, ast.Or)
    assert (expr.span.line, expr.span.column, expr.span.end_column) == (3, 9, 23)
    assert (inner.span.column, inner.span.end_column) == (10, 16)


@pytest.mark.parametrize(("depth", "ok"), [(MAX_NESTING, True), (MAX_NESTING + 1, False)])
def test_not_chains_have_the_bracket_limit(depth: int, ok: bool) -> None:
    module, diags = parse_text("x.vp", HEAD + "assume: " + "not " * depth + "a\n")
    assert (module is not None) is ok
    assert [d.code for d in diags] == ([] if ok else [TOO_LARGE])


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet='([{)]}"#\\\nab ', max_size=60))
def test_bracket_depth_counts_as_the_scan_does(text: str) -> None:
    """The C-loop depth of `_nesting_problem`'s first look agrees with its bracket scan."""
    from dsl.parser import _BRACKETS, _OPEN, _deepest

    depth = deepest = 0
    for found in _BRACKETS.finditer(text):
        ch = found.group()
        if ch in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif len(ch) == 1 and ch in ")]}":
            depth = max(0, depth - 1)
    assert _deepest(text) == deepest
