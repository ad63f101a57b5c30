"""veripath: a declarative decision-table compiler and verifier for clinical guidance."""

from importlib.metadata import PackageNotFoundError, version

from veripath.api import Loaded, SpecError, compile, load, load_spec

try:
    __version__ = version("veripath")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["Loaded", "SpecError", "__version__", "compile", "load", "load_spec"]
