"""The version of veripath: the one place it is written (pyproject.toml reads it, via hatch)."""

__version__ = "0.1.0"
