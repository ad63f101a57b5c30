"""The process entry point of the `veripath` command (and `python -m veripath`).

Two process-wide settings that only the command may make, never the library or CliRunner
tests (measured in benchmarks/REPORT.md, "End to end"):

* the garbage collector's first threshold is raised, as mypy does: a 50,000-rule spec is
  millions of acyclic objects (AST, model, graph), and with the default threshold (700) the
  collector rescans them over and over while they are built;
* the process leaves with `os._exit` once stdout and stderr are flushed (mypy's
  `util.hard_exit`): tearing down those objects one by one takes seconds and shows the
  user nothing.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import NoReturn

GC_THRESHOLDS = (200_000, 30, 30)  # mypy's: gc.set_threshold(200 * 1000, 30, 30)


def exit_status(code: object) -> int:
    """The status `sys.exit(code)` would give the process (None 0, an int itself, else 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    return 1


def hard_exit(status: int) -> NoReturn:
    """Flush what the user is waiting for, then leave without tearing the heap down."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`veripath ... | head`)
            stream.flush()
    os._exit(status)


def main() -> NoReturn:
    """Run the click group with the collector tuned, and leave quickly with its exit status."""
    gc.set_threshold(*GC_THRESHOLDS)
    from veripath.cli import main as cli

    gc.freeze()  # the modules imported so far (click, the CLI): never garbage, never scanned again

    try:
        cli.main(prog_name="veripath")
    except SystemExit as exc:
        if not isinstance(exc.code, int) and exc.code is not None:
            print(exc.code, file=sys.stderr)  # what the interpreter would print for sys.exit("...")
        hard_exit(exit_status(exc.code))
    hard_exit(0)
