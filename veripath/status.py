"""The exit policy: the one place that turns what happened into the process's exit status.

    0  clean
    1  findings in the specs: failed checks, failed examples, undecided checks
    2  the specs could not be compiled (syntax, names, types), or a usage error
    3  internal error (a bug in veripath)
    4  an output could not be written
  130  interrupted (Ctrl-C)

A diagnostic's status comes from the stage its code is registered under
(`dsl.codes`), never from the code's text. Exceptions have two roots: `UserError`
(bad input the CLI reports, exit 2) and `dsl.diagnostics.VeripathError` (internal, exit 3).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING

from dsl.codes import Severity, Stage

if TYPE_CHECKING:  # the exit policy is imported by `veripath --help`: no model, no parser
    from dsl.diagnostics import Diagnostic


class ExitCode(enum.IntEnum):
    OK = 0
    FINDINGS = 1
    BAD_INPUT = 2
    INTERNAL = 3
    EXPORT_FAILED = 4
    INTERRUPTED = 130


class UserError(Exception):
    """Root of the errors that are the user's to fix (bad input, bad usage): exit 2, no traceback."""


# When several things went wrong, the status reports the most fundamental one.
_RANK = {
    ExitCode.OK: 0,
    ExitCode.FINDINGS: 1,
    ExitCode.EXPORT_FAILED: 2,
    ExitCode.BAD_INPUT: 3,
    ExitCode.INTERNAL: 4,
    ExitCode.INTERRUPTED: 5,
}

_BY_STAGE = {
    Stage.READ: ExitCode.BAD_INPUT,
    Stage.SEMANTICS: ExitCode.BAD_INPUT,
    Stage.VERIFY: ExitCode.FINDINGS,
    Stage.EXPORT: ExitCode.EXPORT_FAILED,
}


def stage_of(d: Diagnostic) -> Stage:
    """The pipeline stage of a diagnostic's code, as registered."""
    return d.code.stage


def worst(*codes: ExitCode) -> ExitCode:
    return max(codes, key=_RANK.__getitem__, default=ExitCode.OK)


def exit_code(
    diagnostics: Iterable[Diagnostic] = (),
    *,
    strict: bool = False,
    exception: BaseException | None = None,
) -> ExitCode:
    """The exit status of a run that reported `diagnostics` and, if it stopped early, raised `exception`.

    strict: warnings are findings too. A waived finding (`Diagnostic.waived`) never counts:
    the spec accepted it, with a reason, and it stays visible in every report.
    """
    status = ExitCode.OK
    for d in diagnostics:
        if d.waived is not None:
            continue
        if d.severity is Severity.ERROR:
            status = worst(status, _BY_STAGE[stage_of(d)])
        elif d.severity is Severity.WARNING and strict:
            status = worst(status, ExitCode.FINDINGS)
    if exception is not None:
        status = worst(status, _exception_status(exception))
    return status


def _exception_status(exc: BaseException) -> ExitCode:
    from dsl.diagnostics import VeripathError

    if isinstance(exc, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(exc, UserError):
        return ExitCode.BAD_INPUT
    if isinstance(exc, VeripathError):
        return ExitCode.INTERNAL
    return ExitCode.INTERNAL  # any other exception is a bug
