"""User text cannot forge output: control and bidi characters are escaped by every renderer."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from compiler.export_diagram import to_dot, to_mermaid
from dsl.escape import escape_text
from veripath.api import load_spec
from veripath.cli import main

FORGED = "\nforged.vp:1:1: error: all good [VP000]"
# The import path has a newline escape, a raw form feed and a right-to-left override in it.
IMPORTING = 'guideline g "G" version "1"\nimport "x\\nforged.vp:1:1: error: all good [VP000]\f\u202e.vp" # \u202e\f\n'

GUIDE = """guideline g "G\\nforged line" version "1"
source s "S"
input depth: superficial | deep
disposition ok "Reassure\u202e\\n    n_x --> n_y" reassure
start a
decision a "First\f\u2028decision\\t!" unique
  when depth == superficial end ok unrated "x" cite s
  when depth == deep end ok unrated "x" cite s
"""


def test_escape_text() -> None:
    assert escape_text("é, 日本, plain") == "é, 日本, plain"
    assert escape_text("a\nb\r\t\f\v\x1b\x7f\x85\u202e\u2066\u200b\u2028\u2029\ufeff") == (
        "a\\nb\\r\\t\\f\\v\\x1b\\x7f\\x85\\u202e\\u2066\\u200b\\u2028\\u2029\\ufeff"
    )


def _check(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    spec = tmp_path / "g.vp"
    spec.write_text(IMPORTING, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(spec), *args])
    return result.exit_code, result.stdout, result.stderr


def test_text_diagnostics_escape_messages_and_source_lines(tmp_path: Path) -> None:
    code, stderr, _ = _check(tmp_path)  # findings go to stdout
    assert code == 2
    lines = stderr.splitlines()
    assert not any(line.startswith("forged.vp") for line in lines)
    assert "\u202e" not in stderr and "\f" not in stderr
    head, source, marker = lines[0], lines[1], lines[2]
    assert head.endswith("[VP110]") and "x\\nforged.vp:1:1: error: all good [VP000]\\f\\u202e.vp" in head
    # the caret still sits under the whole (escaped) string
    start = source.index('"x\\n')
    end = source.index('.vp"') + len('.vp"')
    assert marker.index("^") == start and marker.rstrip().endswith("~") and len(marker.rstrip()) == end
    assert source.endswith("# \\u202e\\f")


def test_junit_is_well_formed_xml_and_sarif_is_escaped(tmp_path: Path) -> None:
    code, stdout, _ = _check(tmp_path, "--format", "junit")
    assert code == 2
    suites = ET.fromstring(stdout)  # a raw form feed would make this ill-formed XML
    failure = suites.find("./testsuite/testcase/failure")
    assert failure is not None and "\u202e" not in (failure.get("message") or "")
    assert "\\u202e" in (failure.get("message") or "")
    code, stdout, _ = _check(tmp_path, "--format", "sarif")
    assert code == 2
    (result,) = json.loads(stdout)["runs"][0]["results"]
    assert "\n" not in result["message"]["text"] and "\u202e" not in result["message"]["text"]


def test_diagrams_escape_titles(tmp_path: Path) -> None:
    spec = tmp_path / "g.vp"
    spec.write_text(GUIDE, encoding="utf-8")
    loaded = load_spec(str(spec))
    assert loaded.graph is not None, loaded.diagnostics
    mermaid = to_mermaid(loaded.graph)
    dot = to_dot(loaded.graph)
    for text in (mermaid, dot):
        assert "\u202e" not in text and "\f" not in text and "\u2028" not in text and "\t" not in text
        assert "n_x --> n_y" not in [line.strip() for line in text.splitlines()]
    # one line per node and per edge, plus the header (and for DOT the rankdir line and closing brace)
    graph = loaded.graph.graph
    assert len(mermaid.splitlines()) == 1 + graph.number_of_nodes() + graph.number_of_edges()
    assert len(dot.splitlines()) == 3 + graph.number_of_nodes() + graph.number_of_edges()
    assert "Reassure\\u202e\\n    n_x --#gt; n_y" in mermaid
    assert "First\\f\\u2028decision\\t!" in mermaid and "First\\\\f\\\\u2028decision\\\\t!" in dot
