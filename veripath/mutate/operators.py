"""Mutation operators: realistic authoring mistakes, each applied once to the resolved Model.

A `Mutant` is one small change to a guideline: the decisions it changes as they would be
after the mistake (built with `dataclasses.replace` on the frozen model nodes, so every
node keeps its span), where in the source the change is, and what changed, in words.
`mutants(model, modules)` lists every mutant of a guideline, in a fixed order (decisions in
model order, rules in source order, each rule's condition sites in source order, then its
outcome; then the defines), each with a stable id `DECISION.RULE:OPERATOR:N` (the N-th
mutant of that operator on that rule).

The operators (docs/mutate.md says what each means for a patient):

  drop-rule        delete the rule
  drop-conjunct    delete one operand of an `and`
  negate-conjunct  negate one operand of an `and` (or the whole condition if it is no `and`)
  shift-threshold  move a numeric constant one step down, and one step up (`threshold_step`)
  flip-bound       `<` <-> `<=`, `>` <-> `>=`
  swap-value       replace one value of an enumeration test by another value of its type
  swap-action      replace an ordered action (also one of an option of a choice) by another
                   action of the same kind
  drop-order       delete one item from the order list (an action, a choice), or one option
                   from a choice
  swap-goto        continue with another decision
  swap-end         end in another disposition
  swap-outcomes    exchange the rule's outcome (orders, then/end) with the next rule's

An `otherwise` rule's condition is "no earlier rule matches": it is rebuilt from the mutated
earlier rules, and its own (implicit) condition is never mutated. A named condition
(`define`) used by some rule gets the condition operators once, where it is written; the
mutant reads the new condition at every use (rules, properties, assumptions, other defines),
and its id is `define.NAME:OPERATOR:N`. In a rule, a use of a define is one conjunct.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from compiler.pretty import describe_outcome
from dsl import ast
from dsl import model as m
from dsl.cond import CondVisitor, PathWalker, named
from dsl.ops import Op
from dsl.source import Span
from verify.counterexample import cond_text
from veripath.mutate import OPERATORS, Operator

# A reason for a rule that a mutant sends to an `uncovered` disposition (the language requires one).
MUTANT_REASON = "mutant: no reason given"

_FLIPPED_BOUND = {Op.LT: Op.LE, Op.LE: Op.LT, Op.GT: Op.GE, Op.GE: Op.GT}

# A rule's decision with one rule replaced (the rule's position is fixed by the caller).
_Changed = Callable[[m.Rule], tuple[m.Decision]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Mutant:
    """One mutation of a guideline: the decisions it changes, as they become.

    A mutant of a rule changes the rule's decision. A mutant of a `define` changes the
    define's condition wherever it is used: in the decisions listed, and in the properties,
    assumptions and other defines that use it (`apply`)."""

    id: str  # OWNER:OPERATOR:N
    operator: Operator
    owner: str  # what the change is attributed to: a rule, `DECISION.RULE`, or `define.NAME`
    owner_span: Span  # where that rule or define is
    span: Span  # where the change is in the source
    description: str  # what changed: "size_cm < 10 cm -> size_cm < 11 cm"
    decisions: tuple[m.Decision, ...]  # the decisions it changes, as they become
    define: m.Define | None = None  # a mutant of a define: the define as it becomes

    def apply(self, model: m.Model) -> m.Model:
        """The model with this mutant's changes."""
        changed = {d.name: d for d in self.decisions}
        out = dataclasses.replace(model, decisions=tuple(changed.get(d.name, d) for d in model.decisions))
        if self.define is None:
            return out
        swap = Substitute(self.define)
        return dataclasses.replace(
            out,
            defines=tuple(self.define if d.name == self.define.name else swap.define(d) for d in model.defines),
            properties=tuple(
                dataclasses.replace(p, condition=swap.visit(p.condition)) if p.condition is not None else p
                for p in model.properties
            ),
            assumptions=tuple(dataclasses.replace(a, cond=swap.visit(a.cond)) for a in model.assumptions),
        )

    def changes_assumptions(self, model: m.Model) -> bool:
        """The mutant changes an assumption (a define they use): the patients themselves change."""
        return self.define is not None and any(_uses(a.cond, self.define.name) for a in model.assumptions)


def threshold_step(value: Fraction, integer: bool) -> Fraction:
    """One step of a threshold: 1 for an integer input; for a real input the last digit of the
    constant as written in the input's unit (10 -> 1, 2.5 -> 0.1, 0.25 -> 0.01), or 1/q for a
    constant with no short decimal form (p/q)."""
    if integer:
        return Fraction(1)
    for digits in range(7):
        if (value * 10**digits).denominator == 1:
            return Fraction(1, 10**digits)
    return Fraction(1, value.denominator)


# -- conditions ---------------------------------------------------------------------------------

Path = tuple[int, ...]  # child positions from the root of a condition (operands; 0 under `not`)


@dataclass(frozen=True, slots=True)
class _Site:
    path: Path
    node: m.Cond
    droppable: bool  # an operand of an `and` with at least two operands


class _Sites(PathWalker):
    """Where a condition can be mutated, in source order (pre-order):

    conjuncts  the operands of every `and`, or the whole condition if it is no `and`;
    atoms      every numeric comparison and enumeration test."""

    def __init__(self, c: m.Cond) -> None:
        super().__init__()
        self.conjuncts: list[_Site] = []
        # (path, atom, whether it is the operand of a `not`: `x != v` is described as such)
        self.atoms: list[tuple[Path, m.Compare | m.EnumIn, bool]] = []
        self._under_not: set[Path] = set()  # the paths of the operands of a `not`
        match c:
            case m.And():
                pass
            case _:
                self.conjuncts.append(_Site((), c, False))
        self.visit(c)

    def visit_const(self, c: m.Const) -> None:
        pass

    def visit_bool_var(self, c: m.BoolVar) -> None:
        pass

    def visit_enum_in(self, c: m.EnumIn) -> None:
        self.atoms.append((self.path, c, self.path in self._under_not))

    def visit_compare(self, c: m.Compare) -> None:
        self.atoms.append((self.path, c, self.path in self._under_not))

    def visit_enum_compare(self, c: m.EnumCompare) -> None:
        pass

    def visit_not(self, c: m.Not) -> None:
        self._under_not.add((*self.path, 0))
        self.child(c.operand, 0)

    def visit_named(self, c: m.Named) -> None:
        pass  # a use of a `define`: negated or deleted as a whole (its body is mutated as the define's)

    def visit_and(self, c: m.And) -> None:
        for k, o in enumerate(c.operands):
            self.conjuncts.append(_Site((*self.path, k), o, len(c.operands) >= 2))
            self.child(o, k)


class _Replace(CondVisitor[m.Cond]):
    """The condition with the node at `path` replaced by `new` (None: the operand dropped from its `and`)."""

    def __init__(self, path: Path, new: m.Cond | None) -> None:
        self.path = path
        self.new = new

    def at(self, c: m.Cond, path: Path) -> m.Cond:
        inner = _Replace(path, self.new)
        return inner.visit(c)

    def _leaf(self, c: m.Cond) -> m.Cond:
        if self.path:
            raise ValueError(f"no child {self.path} in a leaf condition")
        assert self.new is not None
        return self.new

    def visit(self, c: m.Cond) -> m.Cond:
        if not self.path:
            assert self.new is not None
            return self.new
        return super().visit(c)

    def visit_const(self, c: m.Const) -> m.Cond:
        return self._leaf(c)

    def visit_bool_var(self, c: m.BoolVar) -> m.Cond:
        return self._leaf(c)

    def visit_enum_in(self, c: m.EnumIn) -> m.Cond:
        return self._leaf(c)

    def visit_compare(self, c: m.Compare) -> m.Cond:
        return self._leaf(c)

    def visit_enum_compare(self, c: m.EnumCompare) -> m.Cond:
        return self._leaf(c)

    def visit_not(self, c: m.Not) -> m.Cond:
        return dataclasses.replace(c, operand=self.at(c.operand, self.path[1:]))

    def visit_and(self, c: m.And) -> m.Cond:
        k, rest = self.path[0], self.path[1:]
        if not rest and self.new is None:  # drop operand k
            kept = tuple(o for i, o in enumerate(c.operands) if i != k)
            return kept[0] if len(kept) == 1 else dataclasses.replace(c, operands=kept)
        return dataclasses.replace(c, operands=_replaced(c.operands, k, self.at(c.operands[k], rest)))

    def visit_or(self, c: m.Or) -> m.Cond:
        k, rest = self.path[0], self.path[1:]
        return dataclasses.replace(c, operands=_replaced(c.operands, k, self.at(c.operands[k], rest)))

    def visit_named(self, c: m.Named) -> m.Cond:
        return dataclasses.replace(c, body=self.at(c.body, self.path[1:]))


def _replaced(items: tuple[m.Cond, ...], k: int, new: m.Cond) -> tuple[m.Cond, ...]:
    return (*items[:k], new, *items[k + 1 :])


def replace_at(cond: m.Cond, path: Path, new: m.Cond | None) -> m.Cond:
    """`cond` with the node at `path` replaced by `new`, or (None) dropped from its `and`."""
    if not path and new is None:
        raise ValueError("only an operand of an 'and' can be dropped")
    return _Replace(path, new).visit(cond)


def negation(c: m.Cond) -> m.Cond:
    """The negation of a condition, as an author would write it: `not x` for x, x for `not x`,
    `>=` for `<`."""
    match c:
        case m.Not():
            return c.operand
        case m.Compare():
            return dataclasses.replace(c, op=c.op.negate())
        case _:
            return m.Not(operand=c, span=c.span)


# -- describing a change ----------------------------------------------------------------------------


class Substitute(CondVisitor[m.Cond]):
    """A condition with every use of one define (directly, or inside other defines) reading its new
    condition; nodes with nothing to change are kept (the same objects)."""

    def __init__(self, define: m.Define) -> None:
        self.name = define.name
        self.body = define.cond
        self._done: dict[int, tuple[m.Cond, m.Cond]] = {}  # id(node) -> (node, as it becomes)

    def define(self, d: m.Define) -> m.Define:
        cond = self.visit(d.cond)
        return d if cond is d.cond else dataclasses.replace(d, cond=cond)

    def visit(self, c: m.Cond) -> m.Cond:
        hit = self._done.get(id(c))
        if hit is not None and hit[0] is c:
            return hit[1]
        out = super().visit(c)
        self._done[id(c)] = (c, out)
        return out

    def visit_const(self, c: m.Const) -> m.Cond:
        return c

    def visit_bool_var(self, c: m.BoolVar) -> m.Cond:
        return c

    def visit_enum_in(self, c: m.EnumIn) -> m.Cond:
        return c

    def visit_compare(self, c: m.Compare) -> m.Cond:
        return c

    def visit_enum_compare(self, c: m.EnumCompare) -> m.Cond:
        return c

    def visit_not(self, c: m.Not) -> m.Cond:
        operand = self.visit(c.operand)
        return c if operand is c.operand else dataclasses.replace(c, operand=operand)

    def visit_and(self, c: m.And) -> m.Cond:
        operands = tuple(self.visit(o) for o in c.operands)
        return (
            c
            if all(a is b for a, b in zip(operands, c.operands, strict=True))
            else dataclasses.replace(c, operands=operands)
        )

    def visit_or(self, c: m.Or) -> m.Cond:
        operands = tuple(self.visit(o) for o in c.operands)
        return (
            c
            if all(a is b for a, b in zip(operands, c.operands, strict=True))
            else dataclasses.replace(c, operands=operands)
        )

    def visit_named(self, c: m.Named) -> m.Cond:
        body = self.body if c.name == self.name else self.visit(c.body)
        return c if body is c.body else dataclasses.replace(c, body=body)


def _uses(cond: m.Cond, define: str) -> bool:
    return any(n.name == define for n in named(cond))


# -- where things are in the source ------------------------------------------------------------------


class Locator:
    """Spans of the parts of a rule that the model keeps as names only (orders, then, end)."""

    def __init__(self, modules: Sequence[ast.Module]) -> None:
        self._rules: dict[tuple[str, int], ast.Rule] = {}
        for module in modules:
            for decl in module.decls:
                if isinstance(decl, ast.DecisionDecl):
                    for k, r in enumerate(decl.rules, start=1):
                        self._rules.setdefault((decl.name.text, k), r)

    def order(self, rule: m.Rule, k: int, option: int | None = None, j: int | None = None) -> Span:
        """Item `k` of the rule's order list; in a choice, option `option` (action `j` of it)."""
        r = self._rules.get((rule.decision, rule.index))
        if r is None or k >= len(r.orders):
            return rule.span
        item = r.orders[k]
        if option is None or not isinstance(item, ast.Choice) or option >= len(item.options):
            return item.span
        actions = item.options[option].actions
        return actions[j].span if j is not None and j < len(actions) else item.options[option].span

    def outcome(self, rule: m.Rule) -> Span:
        """The `then D` or `end X` target."""
        r = self._rules.get((rule.decision, rule.index))
        if r is not None and r.goto is not None:
            return r.goto.span
        if r is not None and r.finish is not None:
            return r.finish.disposition.span
        return rule.span


# -- the mutants of a guideline ---------------------------------------------------------------------


def with_rules(decision: m.Decision, rules: Sequence[m.Rule]) -> m.Decision:
    """The decision with these rules; a last `otherwise` rule is rebuilt as "no earlier rule matches"."""
    out = list(rules)
    if out and out[-1].is_otherwise:
        last = out[-1]
        cond = m.Not(operand=m.Or(operands=tuple(r.cond for r in out[:-1]), span=last.span), span=last.span)
        out[-1] = dataclasses.replace(last, cond=cond)
    return dataclasses.replace(decision, rules=tuple(out))


class _Builder:
    def __init__(self, model: m.Model, locator: Locator, operators: frozenset[Operator]) -> None:
        self.model = model
        self.locator = locator
        self.operators = operators
        self.out: list[Mutant] = []
        self._count: dict[tuple[str, Operator], int] = {}

    def add(
        self,
        op: Operator,
        owner: tuple[str, Span],
        span: Span,
        what: str,
        decisions: tuple[m.Decision, ...],
        define: m.Define | None = None,
    ) -> None:
        if op not in self.operators:
            return
        name, where = owner
        n = self._count[(name, op)] = self._count.get((name, op), 0) + 1
        self.out.append(
            Mutant(
                id=f"{name}:{op}:{n}",
                operator=op,
                owner=name,
                owner_span=where,
                span=span,
                description=what,
                decisions=decisions,
                define=define,
            )
        )

    def decision(self, d: m.Decision) -> None:
        for i, rule in enumerate(d.rules):
            self.rule(d, i, rule)

    def rule(self, d: m.Decision, i: int, rule: m.Rule) -> None:
        rules = list(d.rules)
        owner = (rule.id, rule.span)

        def changed(new: m.Rule) -> tuple[m.Decision]:
            return (with_rules(d, [*rules[:i], new, *rules[i + 1 :]]),)

        name = rule.label or f"r{rule.index}"
        self.add("drop-rule", owner, rule.span, f"rule {name} deleted", (with_rules(d, rules[:i] + rules[i + 1 :]),))
        if not rule.is_otherwise:
            for op, span, what, cond in self.condition(rule.cond):
                self.add(op, owner, span, what, changed(dataclasses.replace(rule, cond=cond)))
        self.outcome(d, i, rule, changed)

    def define(self, define: m.Define) -> None:
        """The mutants of a define's condition, each applied wherever the define is used."""
        owner = (f"define.{define.name}", define.span)
        for op, span, what, cond in self.condition(define.cond):
            after = dataclasses.replace(define, cond=cond)
            swap = Substitute(after)
            decisions = []
            for d in self.model.decisions:
                rules = [dataclasses.replace(r, cond=swap.visit(r.cond)) for r in d.rules if not r.is_otherwise]
                if any(new.cond is not old.cond for new, old in zip(rules, d.rules, strict=False)):
                    decisions.append(with_rules(d, [*rules, *d.rules[len(rules) :]]))
            self.add(op, owner, span, what, tuple(decisions), after)

    def condition(self, cond: m.Cond) -> Iterator[tuple[Operator, Span, str, m.Cond]]:
        """The mutants of a condition: (operator, where, what changed, the condition as it becomes)."""
        model = self.model
        sites = _Sites(cond)
        for site in sites.conjuncts:
            neg = negation(site.node)
            text = cond_text(site.node, model)
            yield (
                "negate-conjunct",
                site.node.span,
                f"{text} -> {cond_text(neg, model)}",
                replace_at(cond, site.path, neg),
            )
            if site.droppable:
                yield "drop-conjunct", site.node.span, f"'{text}' deleted", replace_at(cond, site.path, None)
        for path, atom, negated in sites.atoms:

            def shown(c: m.Cond, negated: bool = negated) -> str:
                return cond_text(m.Not(operand=c, span=c.span) if negated else c, model)

            match atom:
                case m.Compare():
                    for new in self.thresholds(atom):
                        op: Operator = "flip-bound" if new.op is not atom.op else "shift-threshold"
                        yield op, atom.span, f"{shown(atom)} -> {shown(new)}", replace_at(cond, path, new)
                case m.EnumIn():
                    ty = model.variable(atom.var).type
                    assert isinstance(ty, m.EnumType)
                    for k, old in enumerate(atom.values):
                        for value in ty.values:
                            if value in atom.values:
                                continue
                            new_atom = dataclasses.replace(
                                atom, values=(*atom.values[:k], value, *atom.values[k + 1 :])
                            )
                            what = f"{old} -> {value} in '{shown(atom)}'"
                            yield "swap-value", atom.span, what, replace_at(cond, path, new_atom)

    def thresholds(self, c: m.Compare) -> Iterator[m.Compare]:
        """The comparison with its constant one step down and one step up (within the input's
        range), then with its bound flipped."""
        var, const, side = _var_const(c)
        if var is not None and const is not None:
            ty = self.model.variable(var).type
            assert isinstance(ty, m.NumberType)
            step = threshold_step(const, ty.integer)
            for moved in (const - step, const + step):
                if ty.low <= moved <= ty.high:
                    term = m.Linear.of_const(moved)
                    yield dataclasses.replace(c, right=term) if side == "right" else dataclasses.replace(c, left=term)
        flipped = _FLIPPED_BOUND.get(c.op)
        if flipped is not None:
            yield dataclasses.replace(c, op=flipped)

    def outcome(self, d: m.Decision, i: int, rule: m.Rule, changed: _Changed) -> None:
        model = self.model
        owner = (rule.id, rule.span)
        before = describe_outcome(rule.orders, rule.goto, rule.end)
        for k, opt, pos, name in _slots(rule.orders):
            kind = model.action(name).kind
            for other in model.actions:
                if other.name == name or other.kind != kind:
                    continue
                orders = _swapped(rule.orders, k, opt, pos, other.name)
                if orders is None:
                    continue
                where = self.locator.order(rule, k, opt, pos)
                what = f"order {name} -> order {other.name}"
                item = rule.orders[k]
                if isinstance(item, m.Choice) and opt is not None:
                    what += f" in option {m.option_text(item.options[opt])} of {item.describe()}"
                self.add("swap-action", owner, where, what, changed(dataclasses.replace(rule, orders=orders)))
        for k, item in enumerate(rule.orders):
            orders = rule.orders[:k] + rule.orders[k + 1 :]
            where = self.locator.order(rule, k)
            what = f"order {m.orders_text((item,))} deleted"
            self.add("drop-order", owner, where, what, changed(dataclasses.replace(rule, orders=orders)))
            if isinstance(item, m.Choice):
                for opt, option in enumerate(item.options):
                    rest = item.options[:opt] + item.options[opt + 1 :]
                    # one option left is no choice: its actions are ordered plainly
                    kept: tuple[m.OrderItem, ...] = (
                        rest[0] if len(rest) == 1 else (dataclasses.replace(item, options=rest),)
                    )
                    orders = (*rule.orders[:k], *kept, *rule.orders[k + 1 :])
                    where = self.locator.order(rule, k, opt)
                    what = f"option {m.option_text(option)} deleted from {item.describe()}"
                    self.add("drop-order", owner, where, what, changed(dataclasses.replace(rule, orders=orders)))
        target = self.locator.outcome(rule)
        if rule.goto is not None:
            for other_d in model.decisions:
                if other_d.name in (rule.goto, rule.decision):
                    continue
                what = f"then {rule.goto} -> then {other_d.name}"
                self.add("swap-goto", owner, target, what, changed(dataclasses.replace(rule, goto=other_d.name)))
        if rule.end is not None:
            for disp in model.dispositions:
                if disp.name == rule.end:
                    continue
                reason = (rule.reason or MUTANT_REASON) if disp.kind == "uncovered" else None
                new = dataclasses.replace(rule, end=disp.name, reason=reason)
                self.add("swap-end", owner, target, f"end {rule.end} -> end {disp.name}", changed(new))
        if i + 1 < len(d.rules):
            nxt = d.rules[i + 1]
            if nxt.outcome != rule.outcome:
                rules = list(d.rules)
                rules[i] = _with_outcome(rule, nxt)
                rules[i + 1] = _with_outcome(nxt, rule)
                after = describe_outcome(nxt.orders, nxt.goto, nxt.end)
                what = f"{before} <-> {after} (rule {nxt.label or f'r{nxt.index}'})"
                self.add("swap-outcomes", owner, target, what, (with_rules(d, rules),))


def _slots(orders: tuple[m.OrderItem, ...]) -> Iterator[tuple[int, int | None, int | None, str]]:
    """Every action of an order list: (item, option, position in the option, action); the option
    and the position are None for a plain action."""
    for k, item in enumerate(orders):
        if isinstance(item, str):
            yield k, None, None, item
        else:
            for i, option in enumerate(item.options):
                for j, name in enumerate(option):
                    yield k, i, j, name


def _swapped(
    orders: tuple[m.OrderItem, ...], k: int, i: int | None, j: int | None, name: str
) -> tuple[m.OrderItem, ...] | None:
    """The order list with the action at (k, i, j) replaced by `name`; None where that makes an
    option of a choice the same as another (no longer a choice between different options)."""
    item = orders[k]
    if isinstance(item, str) or i is None or j is None:
        return (*orders[:k], name, *orders[k + 1 :])
    option = item.options[i]
    new = (*option[:j], name, *option[j + 1 :])
    if new in item.options:
        return None
    choice = dataclasses.replace(item, options=(*item.options[:i], new, *item.options[i + 1 :]))
    return (*orders[:k], choice, *orders[k + 1 :])


def _with_outcome(rule: m.Rule, source: m.Rule) -> m.Rule:
    return dataclasses.replace(rule, orders=source.orders, goto=source.goto, end=source.end, reason=source.reason)


def _var_const(c: m.Compare) -> tuple[str | None, Fraction | None, str]:
    """The (first) variable and the constant of a comparison `expr op const` (or `const op expr`:
    `size_cm > 5`, `score + 1/2 >= 4`), and the field holding the constant."""
    if c.right.constant is not None and c.left.vars:
        return c.left.vars[0], c.right.constant, "right"
    if c.left.constant is not None and c.right.vars:
        return c.right.vars[0], c.left.constant, "left"
    return None, None, "right"


def mutants(model: m.Model, modules: Sequence[ast.Module], operators: Sequence[Operator] = OPERATORS) -> list[Mutant]:
    """Every mutant of a guideline, in a fixed order (see the module docstring)."""
    builder = _Builder(model, Locator(modules), frozenset(operators))
    for d in model.decisions:
        builder.decision(d)
    used = {n.name for d in model.decisions for r in d.rules if not r.is_otherwise for n in named(r.cond)}
    for define in model.defines:
        if define.name in used:
            builder.define(define)
    return builder.out
