"""Lowering the resolved Model into a decision graph, and exporting it.

The names below are loaded on first use (networkx is imported only by what needs it).
"""

from __future__ import annotations

import importlib
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
