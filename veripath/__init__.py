"""veripath: a declarative decision-table compiler and verifier for clinical guidance."""

from importlib.metadata import PackageNotFoundError, version

from veripath.api import Loaded, SpecError, build, check, compile, load, load_spec
from veripath.pipeline import FileResult, Options, Report
from veripath.status import ExitCode, UserError

try:
    __version__ = version("veripath")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

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
