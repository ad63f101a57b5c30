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
`rename` rebuilds a condition reading other variables.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import replace
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


class IgnoreLeaves(CondWalker):
    """For collectors interested in a few kinds of node (here and in verify/): every leaf does nothing."""

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


class _Compares(IgnoreLeaves):
    def __init__(self) -> None:
        self.found: list[m.Compare] = []

    def visit_compare(self, c: m.Compare) -> None:
        self.found.append(c)


class _Names(IgnoreLeaves):
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


# -- three-valued conditions ------------------------------------------------------------------
def _const(value: bool, span: Span) -> m.Const:
    return m.Const(value=value, span=span)


def _junction(parts: list[m.Cond], span: Span, *, is_or: bool) -> m.Cond:
    """`and` (`or` if `is_or`) of the parts, folded: a constant that decides it (false for `and`,
    true for `or`) is the result, and the other constant is dropped."""
    kept: list[m.Cond] = []
    for p in parts:
        match p:
            case m.Const(value=value):
                if value == is_or:
                    return p
            case _:
                kept.append(p)
    if not kept:
        return _const(not is_or, span)
    if len(kept) == 1:
        return kept[0]
    return m.Or(operands=tuple(kept), span=span) if is_or else m.And(operands=tuple(kept), span=span)


class _Kleene(CondVisitor[tuple[m.Cond, m.Cond]]):
    """(definitely true, definitely false) of a condition as two-valued conditions, where every
    atom that reads an `unknown` variable is unknown (Kleene's strong three-valued logic)."""

    def __init__(self, unknown: frozenset[str]) -> None:
        self.unknown = unknown

    def _atom(self, c: m.Cond) -> tuple[m.Cond, m.Cond]:
        if any(var in self.unknown for var, _ in reads(c)):
            return _const(False, c.span), _const(False, c.span)
        return c, m.Not(operand=c, span=c.span)

    def visit_const(self, c: m.Const) -> tuple[m.Cond, m.Cond]:
        return c, _const(not c.value, c.span)

    def visit_bool_var(self, c: m.BoolVar) -> tuple[m.Cond, m.Cond]:
        return self._atom(c)

    def visit_enum_in(self, c: m.EnumIn) -> tuple[m.Cond, m.Cond]:
        return self._atom(c)

    def visit_compare(self, c: m.Compare) -> tuple[m.Cond, m.Cond]:
        return self._atom(c)

    def visit_enum_compare(self, c: m.EnumCompare) -> tuple[m.Cond, m.Cond]:
        return self._atom(c)

    def visit_not(self, c: m.Not) -> tuple[m.Cond, m.Cond]:
        true, false = self.visit(c.operand)
        return false, true

    def _both(self, operands: tuple[m.Cond, ...], span: Span, *, is_or: bool) -> tuple[m.Cond, m.Cond]:
        parts = [self.visit(o) for o in operands]
        true = _junction([t for t, _ in parts], span, is_or=is_or)
        return true, _junction([f for _, f in parts], span, is_or=not is_or)

    def visit_and(self, c: m.And) -> tuple[m.Cond, m.Cond]:
        return self._both(c.operands, c.span, is_or=False)

    def visit_or(self, c: m.Or) -> tuple[m.Cond, m.Cond]:
        return self._both(c.operands, c.span, is_or=True)

    def visit_named(self, c: m.Named) -> tuple[m.Cond, m.Cond]:
        if not any(var in self.unknown for var, _ in reads(c.body)):
            return c, m.Not(operand=c, span=c.span)  # known: keep the name
        return self.visit(c.body)


def is_false(cond: m.Cond) -> bool:
    """Is the condition the constant false (as `definitely` folds a condition that can never be known to hold)?"""
    match cond:
        case m.Const(value=False):
            return True
        case _:
            return False


def definitely(cond: m.Cond, unknown: frozenset[str]) -> m.Cond:
    """The two-valued condition "`cond` is definitely true" when the variables in `unknown` are not known.

    Three-valued (Kleene) semantics: an atom that reads an unknown variable is unknown; `not`
    swaps true and false; `and` is true when every operand is true and false when one is;
    `or` the other way round. The result reads no unknown variable, and where it holds `cond`
    holds whatever values the unknown variables take (not conversely: Kleene logic leaves
    `f or not f` unknown while `f` is). Constants are folded, so a condition that can never be
    known to hold becomes `Const(False)`. With no unknown variable it is `cond` itself.
    """
    if not unknown:
        return cond
    return _Kleene(unknown).visit(cond)[0]


class _Rename(CondVisitor["m.Cond"]):
    """The same condition with some variables renamed (new nodes only where something changes)."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names

    def _var(self, name: str) -> str:
        return self.names.get(name, name)

    def _side(self, e: m.Linear) -> m.Linear:
        if not any(v in self.names for v, _ in e.terms):
            return e
        return replace(e, terms=tuple((self._var(v), k) for v, k in e.terms))

    def visit_const(self, c: m.Const) -> m.Cond:
        return c

    def visit_bool_var(self, c: m.BoolVar) -> m.Cond:
        return replace(c, var=self._var(c.var)) if c.var in self.names else c

    def visit_enum_in(self, c: m.EnumIn) -> m.Cond:
        return replace(c, var=self._var(c.var)) if c.var in self.names else c

    def visit_compare(self, c: m.Compare) -> m.Cond:
        left, right = self._side(c.left), self._side(c.right)
        return c if left is c.left and right is c.right else replace(c, left=left, right=right)

    def visit_enum_compare(self, c: m.EnumCompare) -> m.Cond:
        if c.left not in self.names and c.right not in self.names:
            return c
        return replace(c, left=self._var(c.left), right=self._var(c.right))

    def visit_not(self, c: m.Not) -> m.Cond:
        inner = self.visit(c.operand)
        return c if inner is c.operand else replace(c, operand=inner)

    def visit_and(self, c: m.And) -> m.Cond:
        ops = tuple(self.visit(o) for o in c.operands)
        return c if all(a is b for a, b in zip(ops, c.operands, strict=True)) else replace(c, operands=ops)

    def visit_or(self, c: m.Or) -> m.Cond:
        ops = tuple(self.visit(o) for o in c.operands)
        return c if all(a is b for a, b in zip(ops, c.operands, strict=True)) else replace(c, operands=ops)

    def visit_named(self, c: m.Named) -> m.Cond:
        body = self.visit(c.body)  # still shown by its name; its meaning reads the renamed variables
        return c if body is c.body else replace(c, body=body)


def rename(cond: m.Cond, names: Mapping[str, str]) -> m.Cond:
    """`cond` reading `names[v]` wherever it reads a variable `v` that `names` maps (the same
    object when it reads none of them): a decision reading the latest result of a repeated study."""
    if not names:
        return cond
    return _Rename(names).visit(cond)
