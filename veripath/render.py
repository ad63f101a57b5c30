"""The report renderers, one module per format; this module names them all.

text (`render_text`), SARIF 2.1.0 (`render_sarif`), JUnit XML (`render_junit`), JSON
(`render_json`) and GitHub Actions annotations (`render_github`). Each takes the run's
findings (`veripath.findings`), so every format shows the same diagnostics, fingerprints,
waivers and baseline marks.
"""

from __future__ import annotations

from veripath.render_github import render_github
from veripath.render_json import render_json
from veripath.render_junit import render_junit
from veripath.render_sarif import render_sarif
from veripath.render_text import render_report, render_text, summary_line

__all__ = [
    "render_github",
    "render_json",
    "render_junit",
    "render_report",
    "render_sarif",
    "render_text",
    "summary_line",
]
