"""Lowering the resolved Model into a decision graph, and exporting it.

The names below are loaded on first use (networkx is imported only by what needs it).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compiler.graph import DecisionGraph
    from compiler.lower import lower

__all__ = ["DecisionGraph", "lower"]

_HOME = {"DecisionGraph": "compiler.graph", "lower": "compiler.lower"}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'compiler' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """Keeps a function that shares its name with its submodule (`compiler.lower`) the
    package's attribute when the submodule is imported later, as the eager imports used to."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in _HOME and name == _HOME[name].rpartition(".")[2]:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
