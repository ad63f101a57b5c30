"""Lowering the resolved Model into a decision graph, and exporting it."""

from compiler.graph import DecisionGraph
from compiler.lower import lower

__all__ = ["DecisionGraph", "lower"]
