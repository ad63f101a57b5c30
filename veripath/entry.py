"""The process entry point of the `veripath` command (and `python -m veripath`).

Process-wide settings that only the command may make, never the library or CliRunner tests
(measured in benchmarks/REPORT.md, "End to end"):

* the garbage collector's first threshold is raised, as mypy does: a 50,000-rule spec is
  millions of acyclic objects (AST, model, graph), and with the default threshold (700) the
  collector rescans them over and over while they are built;
* the collector is off while a front-end pass (read, resolve, lower, wellformed) runs, and
  what the pass built is then frozen (`gc.freeze()`): it lives until the process ends, so
  scanning it is wasted work (even with mypy's threshold, the young-generation scans of
  what the parser allocates were about a tenth of a 10,000-rule check). Frozen objects are
  still freed by reference counting (the syntax tree is, once `resolve` has built the
  Model), but a reference cycle among them never is: a front-end pass must leave none that
  holds much (tests/veripath/test_pipeline.py checks the tree). The verifier runs
  with the collector on, so cyclic garbage made while verifying is still collected;
  `collector(pass_name)` is how the pipeline asks, and it does nothing outside the command;
* the process leaves with `os._exit` once stdout and stderr are flushed (mypy's
  `util.hard_exit`): tearing down those objects one by one takes seconds and shows the
  user nothing. Every file the command writes (outputs, reports, baselines, cache entries)
  is written to a temporary file, closed and renamed before the command returns, so
  nothing is left half written.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from typing import NoReturn

GC_THRESHOLDS = (200_000, 30, 30)  # mypy's: gc.set_threshold(200 * 1000, 30, 30)

# The passes that build what lives until the process ends: the collector is off while they run.
FRONT_END_PASSES = frozenset({"read", "resolve", "lower", "wellformed"})

_command = False  # whether this process is the command's own (`start`); the library leaves the collector alone


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


def start() -> None:
    """Make this process the command's own: mypy's collector thresholds, and `collector` active.
    Called first by `main`, by the batch runner's worker processes and by the benchmarks' stage worker."""
    global _command
    _command = True
    gc.set_threshold(*GC_THRESHOLDS)


@contextlib.contextmanager
def collector(pass_name: str) -> Iterator[None]:
    """Around one pass of the pipeline: in the command's process, a front-end pass runs with the
    collector off and what it built is frozen afterwards (with whatever was imported before it);
    elsewhere, and around the other passes, nothing changes."""
    if not _command or pass_name not in FRONT_END_PASSES or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def main() -> NoReturn:
    """Run the click group with the collector tuned, and leave quickly with its exit status."""
    start()
    from veripath.cli import main as cli

    gc.freeze()  # the modules imported so far (click, the CLI): never garbage, never scanned again

    try:
        cli.main(prog_name="veripath")
    except SystemExit as exc:
        if not isinstance(exc.code, int) and exc.code is not None:
            print(exc.code, file=sys.stderr)  # what the interpreter would print for sys.exit("...")
        hard_exit(exit_status(exc.code))
    hard_exit(0)
