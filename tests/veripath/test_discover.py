"""veripath.discover's patterns: simple gitignore patterns are matched without pathspec, as pathspec matches them."""

from __future__ import annotations

import subprocess
import sys

import pathspec
from hypothesis import given, settings
from hypothesis import strategies as st

from veripath.discover import DEFAULT_EXCLUDE, _simple, _Spec

NAMES = st.sampled_from(["a", "b", "x.vp", ".venv", "data", "a-b", "c_d", "x.egg-info", "results", "vp"])
SEGMENTS = st.sampled_from(["a", "b", "*.vp", "x*", "*b", ".venv", "data", "a-b", "*.egg-info", "results", "vp", "a*b"])
PATTERNS = st.builds(
    lambda lead, segments, trail: lead + "/".join(segments) + trail,
    st.sampled_from(["", "/"]),
    st.lists(SEGMENTS, min_size=1, max_size=3),
    st.sampled_from(["", "/"]),
)
PATHS = st.builds(
    lambda parts, folder, lead: lead + "/".join(parts) + ("/" if folder else ""),
    st.lists(NAMES, min_size=1, max_size=4),
    st.booleans(),
    st.sampled_from(["", "", "./"]),
)


@settings(max_examples=400)
@given(st.lists(PATTERNS | st.sampled_from(DEFAULT_EXCLUDE) | st.just("# a comment"), max_size=5), PATHS)
def test_simple_patterns_match_as_pathspec_matches_them(lines: list[str], path: str) -> None:
    ours = _Spec(lines)
    assert ours._spec is None  # the simple route
    assert ours.match(path) == pathspec.GitIgnoreSpec.from_lines(lines).check_file(path).include


def test_other_patterns_go_to_pathspec() -> None:
    for line in ("!a.vp", "a/**/b", "*", "*/", "a?", "[ab].vp", "a\\ b", "a ", "./a", "a/../b"):
        assert not _simple(line), line
        assert _Spec(["data/", line])._spec is not None
    spec = _Spec(["*.vp", "!keep.vp"])
    assert spec.match("x.vp") is True and spec.match("keep.vp") is False and spec.match("x.txt") is None


def test_checking_the_shipped_specs_does_not_import_pathspec() -> None:
    code = "import sys\nfrom veripath.api import discover\ndiscover(['specs'])\nprint('pathspec' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "False"
