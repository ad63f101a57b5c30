"""The one way to walk a condition: `CondVisitor[T]`.

`model.Cond` is a closed union of node classes. `CondVisitor.visit` dispatches over it
with `match` and ends in `assert_never`, and every node kind has an abstract method, so
adding a node kind is a type error in `visit` and an abstract-method error in every
visitor that does not handle it. No other module tests the class of a condition node.

    class Size(CondVisitor[int]):
        def visit_not(self, c: m.Not) -> int:
            return 1 + self.visit(c.operand)
        ...

`CondWalker` is a visitor that does nothing but descend, for passes that collect
something from a few node kinds; `reads` and `compares` are built on it. `PathWalker`
descends too, and knows where it is (for passes that rewrite one node, e.g. mutants).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, TypeVar, assert_never

from dsl import model as m
from dsl.source import Span

T = TypeVar("T")


class CondVisitor(ABC, Generic[T]):
    """One method per node kind; `visit` picks the method for a node."""

    def visit(self, c: m.Cond) -> T:
        match c:
            case m.And():
                return self.visit_and(c)
            case m.Or():
                return self.visit_or(c)
            case m.Not():
                return self.visit_not(c)
            case m.EnumIn():
                return self.visit_enum_in(c)
            case m.Compare():
                return self.visit_compare(c)
            case m.BoolVar():
                return self.visit_bool_var(c)
            case m.Const():
                return self.visit_const(c)
            case m.EnumCompare():
                return self.visit_enum_compare(c)
            case m.Named():
                return self.visit_named(c)
            case _:
                assert_never(c)

    @abstractmethod
    def visit_const(self, c: m.Const) -> T: ...

    @abstractmethod
    def visit_bool_var(self, c: m.BoolVar) -> T: ...

    @abstractmethod
    def visit_enum_in(self, c: m.EnumIn) -> T: ...

    @abstractmethod
    def visit_compare(self, c: m.Compare) -> T: ...

    @abstractmethod
    def visit_enum_compare(self, c: m.EnumCompare) -> T: ...

    @abstractmethod
    def visit_not(self, c: m.Not) -> T: ...

    @abstractmethod
    def visit_and(self, c: m.And) -> T: ...

    @abstractmethod
    def visit_or(self, c: m.Or) -> T: ...

    @abstractmethod
    def visit_named(self, c: m.Named) -> T:
        """A named condition: passes about meaning visit `c.body`; printers show `c.name`."""


class CondWalker(CondVisitor[None]):
    """Visits every node in source order (pre-order); override the kinds you care about.

    The leaves are abstract on purpose: a walker decides for each kind of leaf whether it
    matters, so a new leaf kind is an error in every walker until it does."""

    def visit_not(self, c: m.Not) -> None:
        self.visit(c.operand)

    def visit_and(self, c: m.And) -> None:
        for o in c.operands:
            self.visit(o)

    def visit_or(self, c: m.Or) -> None:
        for o in c.operands:
            self.visit(o)

    def visit_named(self, c: m.Named) -> None:
        self.visit(c.body)


class PathWalker(CondVisitor[None]):
    """Like `CondWalker`, with `self.path` the position of the node being visited: the child
    positions from the root (an operand's index under `and`/`or`, 0 under `not`)."""

    def __init__(self) -> None:
        self.path: tuple[int, ...] = ()

    def child(self, c: m.Cond, k: int) -> None:
        """Visit child `k` of the current node."""
        saved = self.path
        self.path = (*saved, k)
        try:
            self.visit(c)
        finally:
            self.path = saved

    def visit_not(self, c: m.Not) -> None:
        self.child(c.operand, 0)

    def visit_and(self, c: m.And) -> None:
        for k, o in enumerate(c.operands):
            self.child(o, k)

    def visit_or(self, c: m.Or) -> None:
        for k, o in enumerate(c.operands):
            self.child(o, k)

    def visit_named(self, c: m.Named) -> None:
        self.child(c.body, 0)


class _Reads(CondWalker):
    def __init__(self) -> None:
        self.found: list[tuple[str, Span]] = []
        self.use: Span | None = None  # inside a named condition: where the outermost one is used

    def at(self, span: Span) -> Span:
        return self.use or span

    def visit_const(self, c: m.Const) -> None:
        pass

    def visit_bool_var(self, c: m.BoolVar) -> None:
        self.found.append((c.var, self.at(c.span)))

    def visit_enum_in(self, c: m.EnumIn) -> None:
        self.found.append((c.var, self.at(c.span)))

    def visit_compare(self, c: m.Compare) -> None:
        self.found.extend((v, self.at(c.span)) for t in (c.left, c.right) for v in t.vars)

    def visit_enum_compare(self, c: m.EnumCompare) -> None:
        self.found.extend([(c.left, self.at(c.span)), (c.right, self.at(c.span))])

    def visit_named(self, c: m.Named) -> None:
        outer = self.use
        self.use = outer or c.span
        self.visit(c.body)
        self.use = outer


def reads(cond: m.Cond) -> list[tuple[str, Span]]:
    """(variable, span) for every variable a condition reads, in source order (repeats kept).

    Inside a named condition the span is where it is used (its outermost use in `cond`), so
    that a problem with what a rule reads is reported at the rule, not at the `define`."""
    walker = _Reads()
    walker.visit(cond)
    return walker.found


class _IgnoreLeaves(CondWalker):
    """For the collectors below, each interested in one kind of node: every leaf does nothing."""

    def visit_const(self, c: m.Const) -> None:
        pass

    def visit_bool_var(self, c: m.BoolVar) -> None:
        pass

    def visit_enum_in(self, c: m.EnumIn) -> None:
        pass

    def visit_compare(self, c: m.Compare) -> None:
        pass

    def visit_enum_compare(self, c: m.EnumCompare) -> None:
        pass


class _Compares(_IgnoreLeaves):
    def __init__(self) -> None:
        self.found: list[m.Compare] = []

    def visit_compare(self, c: m.Compare) -> None:
        self.found.append(c)


class _Names(_IgnoreLeaves):
    def __init__(self) -> None:
        self.found: list[m.Named] = []

    def visit_named(self, c: m.Named) -> None:
        if all(n.name != c.name for n in self.found):
            self.found.append(c)
        self.visit(c.body)


def named(cond: m.Cond) -> list[m.Named]:
    """The named conditions a condition uses, directly or inside another, in source order, each once."""
    walker = _Names()
    walker.visit(cond)
    return walker.found


def compares(cond: m.Cond) -> list[m.Compare]:
    """The numeric comparisons in a condition, in source order."""
    walker = _Compares()
    walker.visit(cond)
    return walker.found
