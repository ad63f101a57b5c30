"""The abstract syntax tree: one frozen dataclass per node (`@node`, see dsl/frozen.py), each with its span.

Children are tuples so nodes are hashable. Nothing here knows about Lark.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal, TypeAlias, get_args

from dsl.frozen import node
from dsl.model import DispositionKind, DispositionSetKind, HitPolicy, ModelKind, PropertyKind, WaiverTargetKind
from dsl.ops import Op
from dsl.source import Span, maker


@node
class Node:
    span: Span


@node
class Name(Node):
    text: str


@node
class Text(Node):
    """A string literal, unescaped."""

    value: str


# ---- expressions ------------------------------------------------------------


@node
class Expr(Node):
    pass


@node
class NameRef(Expr):
    name: Name


@node
class BoolLit(Expr):
    value: bool


@node
class NumberLit(Expr):
    value: Fraction
    unit: Name | None


@node
class Compare(Expr):
    op: Op
    left: Expression
    right: Expression


ArithOp = Literal["+", "-", "*", "/"]
ARITH_OPS: tuple[ArithOp, ...] = get_args(ArithOp)


@node
class Arith(Expr):
    """`left + right`, `left - right`, `left * right`, `left / right` (numbers only)."""

    op: ArithOp
    left: Expression
    right: Expression


@node
class Neg(Expr):
    """`-operand` (a number)."""

    operand: Expression


@node
class Member(Expr):
    name: Name
    values: tuple[Name, ...]
    negated: bool


@node
class InRange(Expr):
    name: Name
    low: Expression
    high: Expression
    low_closed: bool
    high_closed: bool
    unit: Name | None = None  # `age in [30, 40) years`: the unit of bounds that give none


@node
class Not(Expr):
    operand: Expression


@node
class And(Expr):
    operands: tuple[Expression, ...]


@node
class Or(Expr):
    operands: tuple[Expression, ...]


@node
class Implies(Expr):
    left: Expression
    right: Expression


# The closed set of expression nodes (walked with `match` and `assert_never`).
Expression: TypeAlias = (
    NameRef | BoolLit | NumberLit | Arith | Neg | Compare | Member | InRange | Not | And | Or | Implies
)


# ---- types ------------------------------------------------------------------


@node
class BoolTypeSpec(Node):
    pass


@node
class NumberTypeSpec(Node):
    integer: bool
    low: Fraction
    high: Fraction
    unit: Name | None


@node
class EnumTypeSpec(Node):
    values: tuple[Name, ...]


TypeSpec = BoolTypeSpec | NumberTypeSpec | EnumTypeSpec


# ---- declarations -------------------------------------------------------------


@node
class Header(Node):
    kind: ModelKind
    name: Name
    title: Text
    version: Text | None


@node
class Decl(Node):
    pass


@node
class ImportDecl(Decl):
    path: Text


@node
class SourceDecl(Decl):
    name: Name
    title: Text
    url: Text | None


@node
class InputDecl(Decl):
    name: Name
    title: Text | None
    type: TypeSpec


@node
class AssumeDecl(Decl):
    title: Text | None
    expr: Expression


@node
class DefineDecl(Decl):
    """`define NAME ["title"]: expr`: a named condition."""

    name: Name
    title: Text | None
    expr: Expression


@node
class ActionAttr(Node):
    key: str  # kind, modality, contrast, cross_sectional, radiation, pediatric_radiation, within, urgency
    value: str | None
    amount: Fraction | None = None


@node
class ActionDecl(Decl):
    name: Name
    title: Text
    attrs: tuple[ActionAttr, ...]


@node
class FindingDecl(Decl):
    name: Name
    title: Text | None
    action: Name
    type: NumberTypeSpec | EnumTypeSpec


@node
class DispositionDecl(Decl):
    name: Name
    title: Text
    kind: DispositionKind
    amount: Fraction | None
    unit: Name | None


@node
class StartDecl(Decl):
    decision: Name


@node
class Rating(Node):
    """`rated [ACTION] CATEGORY [SCORE] [disagreement]`, or one item of `also rated`."""

    action: Name | None  # the action rated (an option of the rule's choice, or an `also rated` procedure)
    category: Name
    score: int | None  # None: the category alone (the source publishes no score)
    disagreement: bool


@node
class Option(Node):
    """One option of a choice: an action, or a sequence of actions `(a, b)`."""

    actions: tuple[Name, ...]


@node
class Choice(Node):
    """`one of {a, (b, c)}` in an order list: the clinician takes exactly one option."""

    options: tuple[Option, ...]

    @property
    def actions(self) -> tuple[Name, ...]:
        return tuple(a for o in self.options for a in o.actions)


OrderItem = Name | Choice


@node
class Citation(Node):
    source: Name
    locator: Text | None


@node
class Finish(Node):
    disposition: Name
    reason: Text | None


@node
class OrderReason(Node):
    """`ordered ACTION because "why" cite SOURCE ["where"]`: why the rule orders an action its
    variant rates usually not appropriate (or does not rate)."""

    action: Name
    reason: Text
    citation: Citation


@node
class Rule(Node):
    label: Name | None
    condition: Expression | None  # None means 'otherwise'
    orders: tuple[OrderItem, ...]
    goto: Name | None
    finish: Finish | None
    ratings: tuple[Rating, ...]
    also_rated: tuple[Rating, ...]
    unrated: tuple[Text, ...]
    citations: tuple[Citation, ...]
    notes: tuple[Text, ...]
    variants: tuple[Name, ...] = ()  # `in variant NAME` (more than one is an error)
    reasons: tuple[OrderReason, ...] = ()  # `ordered A because "why" cite S`


@node
class DecisionDecl(Decl):
    name: Name
    title: Text
    hit_policy: HitPolicy
    max_visits: int | None
    rules: tuple[Rule, ...]


@node
class VariantDecl(Decl):
    """`variant NAME "title" cite S ... rated A CATEGORY [SCORE] [disagreement] ...`: one published table."""

    name: Name
    title: Text
    ratings: tuple[Rating, ...]  # each names its action
    citations: tuple[Citation, ...]
    notes: tuple[Text, ...]


@node
class ActionSet(Node):
    kind: str  # action | attribute | modality | list
    names: tuple[Name, ...]


@node
class DispositionSet(Node):
    """`reassure`, `{reassure, discharged}` or `any reassure` (every disposition of a kind)."""

    kind: DispositionSetKind
    names: tuple[Name, ...]


@node
class PropertyBody(Node):
    kind: PropertyKind
    condition: Expression | None = None
    target: ActionSet | None = None
    other: ActionSet | None = None
    ends: DispositionSet | None = None
    exceptions: tuple[Name, ...] = ()
    bound: int | None = None


@node
class PropertyDecl(Decl):
    name: Name
    title: Text | None
    body: PropertyBody


@node
class Value(Node):
    kind: str  # name | bool | number
    name: Name | None = None
    flag: bool | None = None
    number: Fraction | None = None
    unit: Name | None = None


@node
class Assignment(Node):
    name: Name
    value: Value
    # `us_result = nondiagnostic then benign`: the results of later orders of the study, in order
    later: tuple[Value, ...] = ()


@node
class ExampleDecl(Decl):
    title: Text
    citations: tuple[Citation, ...]
    given: tuple[Assignment, ...]
    expect_orders: tuple[Name, ...] | None  # None: orders not checked
    expect_end: Name


@node
class WaiveDecl(Decl):
    """`waive CODE on KIND NAME [rule A | rules A, B] because "reason"`."""

    code: Name
    target_kind: WaiverTargetKind
    target: Name
    rules: tuple[Name, ...]
    reason: Text


@node
class Module(Node):
    """One parsed file."""

    path: str
    header: Header
    decls: tuple[Decl, ...]


make_name = maker(Name)
"""`Name(span=..., text=...)`, positionally (span, text) and faster: one per name the parser reads."""
