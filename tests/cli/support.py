"""Running the CLI in-process and reading its diagnostics."""

from __future__ import annotations

import re
from dataclasses import dataclass

from click.testing import CliRunner, Result

from veripath.cli import main

# file:line:col: error: message [VPxxx]
DIAGNOSTIC = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.+) \[(?P<code>VP\d{3})\]$", re.M
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Shown:
    file: str
    line: int
    column: int
    message: str
    code: str


def run(*args: str, env: dict[str, str] | None = None, terminal: bool = False) -> Result:
    """Invoke `veripath ARGS`; stdout and stderr are kept apart (click >= 8.2).

    `terminal=True` lets ANSI codes through, as a colour terminal would (click strips them otherwise).
    """
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=True, color=terminal)


def shown(stderr: str) -> list[Shown]:
    return [
        Shown(m["file"], int(m["line"]), int(m["col"]), m["message"], m["code"]) for m in DIAGNOSTIC.finditer(stderr)
    ]


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


TIME = re.compile(r" \(\d+\.\d s\)$")


def summary_of(stdout: str) -> str:
    """The summary line of a text report (its last line), without the time."""
    lines = stdout.splitlines()
    return TIME.sub("", lines[-1]) if lines else ""


def plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else word + 's'}"


def untimed(text: str) -> str:
    """`text` with the summary's time `(0.4 s)` written as `(N s)`, for comparing two runs."""
    return re.sub(r"\(\d+\.\d s\)$", "(N s)", text, flags=re.M)
