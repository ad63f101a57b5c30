"""Lowering the resolved Model into a decision graph, and exporting it.

The names below are loaded on first use (networkx is imported only by what needs it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dsl.lazy import lazy_names

if TYPE_CHECKING:
    from compiler.graph import DecisionGraph
    from compiler.lower import lower

__all__ = ["DecisionGraph", "lower"]

_HOME = {"DecisionGraph": "compiler.graph", "lower": "compiler.lower"}

__getattr__ = lazy_names(__name__, _HOME)
