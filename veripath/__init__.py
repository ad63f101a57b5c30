"""veripath: a declarative decision-table compiler and verifier for clinical guidance.

The API is loaded on first use (`veripath.check`, `veripath.load`, ...): importing the
package, as the command line does for `--help`, imports neither Z3, networkx nor Lark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dsl.lazy import lazy_names
from veripath._version import __version__

if TYPE_CHECKING:
    from veripath.api import Loaded, SpecError, build, check, compile, load, load_spec
    from veripath.pipeline import FileResult, Options, Report
    from veripath.status import ExitCode, UserError

__all__ = [
    "ExitCode",
    "FileResult",
    "Loaded",
    "Options",
    "Report",
    "SpecError",
    "UserError",
    "__version__",
    "build",
    "check",
    "compile",
    "load",
    "load_spec",
]

_HOME = {
    **dict.fromkeys(["Loaded", "SpecError", "build", "check", "compile", "load", "load_spec"], "veripath.api"),
    **dict.fromkeys(["FileResult", "Options", "Report"], "veripath.pipeline"),
    **dict.fromkeys(["ExitCode", "UserError"], "veripath.status"),
}

__getattr__ = lazy_names(__name__, _HOME)
