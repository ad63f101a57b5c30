"""The abstract syntax tree: one frozen dataclass per node, each with its span.

Children are tuples so nodes are hashable. Nothing here knows about Lark.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, TypeAlias, get_args

from dsl.model import DispositionKind, DispositionSetKind, HitPolicy, ModelKind, PropertyKind, WaiverTargetKind
from dsl.ops import Op
from dsl.source import Span, direct_init_all, maker


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Name(Node):
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Text(Node):
    """A string literal, unescaped."""

    value: str


# ---- expressions ------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Expr(Node):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class NameRef(Expr):
    name: Name


@dataclass(frozen=True, slots=True, kw_only=True)
class BoolLit(Expr):
    value: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberLit(Expr):
    value: Fraction
    unit: Name | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Compare(Expr):
    op: Op
    left: Expression
    right: Expression


ArithOp = Literal["+", "-", "*", "/"]
ARITH_OPS: tuple[ArithOp, ...] = get_args(ArithOp)


@dataclass(frozen=True, slots=True, kw_only=True)
class Arith(Expr):
    """`left + right`, `left - right`, `left * right`, `left / right` (numbers only)."""

    op: ArithOp
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True, kw_only=True)
class Neg(Expr):
    """`-operand` (a number)."""

    operand: Expression


@dataclass(frozen=True, slots=True, kw_only=True)
class Member(Expr):
    name: Name
    values: tuple[Name, ...]
    negated: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class InRange(Expr):
    name: Name
    low: Expression
    high: Expression
    low_closed: bool
    high_closed: bool
    unit: Name | None = None  # `age in [30, 40) years`: the unit of bounds that give none


@dataclass(frozen=True, slots=True, kw_only=True)
class Not(Expr):
    operand: Expression


@dataclass(frozen=True, slots=True, kw_only=True)
class And(Expr):
    operands: tuple[Expression, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Or(Expr):
    operands: tuple[Expression, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Implies(Expr):
    left: Expression
    right: Expression


# The closed set of expression nodes (walked with `match` and `assert_never`).
Expression: TypeAlias = (
    NameRef | BoolLit | NumberLit | Arith | Neg | Compare | Member | InRange | Not | And | Or | Implies
)


# ---- types ------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class BoolTypeSpec(Node):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberTypeSpec(Node):
    integer: bool
    low: Fraction
    high: Fraction
    unit: Name | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumTypeSpec(Node):
    values: tuple[Name, ...]


TypeSpec = BoolTypeSpec | NumberTypeSpec | EnumTypeSpec


# ---- declarations -------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Header(Node):
    kind: ModelKind
    name: Name
    title: Text
    version: Text | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Decl(Node):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportDecl(Decl):
    path: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceDecl(Decl):
    name: Name
    title: Text
    url: Text | None


@dataclass(frozen=True, slots=True, kw_only=True)
class InputDecl(Decl):
    name: Name
    title: Text | None
    type: TypeSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class AssumeDecl(Decl):
    title: Text | None
    expr: Expression


@dataclass(frozen=True, slots=True, kw_only=True)
class DefineDecl(Decl):
    """`define NAME ["title"]: expr`: a named condition."""

    name: Name
    title: Text | None
    expr: Expression


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionAttr(Node):
    key: str  # kind, modality, contrast, cross_sectional, radiation, pediatric_radiation, within, urgency
    value: str | None
    amount: Fraction | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionDecl(Decl):
    name: Name
    title: Text
    attrs: tuple[ActionAttr, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingDecl(Decl):
    name: Name
    title: Text | None
    action: Name
    type: NumberTypeSpec | EnumTypeSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class DispositionDecl(Decl):
    name: Name
    title: Text
    kind: DispositionKind
    amount: Fraction | None
    unit: Name | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StartDecl(Decl):
    decision: Name


@dataclass(frozen=True, slots=True, kw_only=True)
class Rating(Node):
    """`rated [ACTION] CATEGORY [SCORE] [disagreement]`, or one item of `also rated`."""

    action: Name | None  # the action rated (an option of the rule's choice, or an `also rated` procedure)
    category: Name
    score: int | None  # None: the category alone (the source publishes no score)
    disagreement: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Option(Node):
    """One option of a choice: an action, or a sequence of actions `(a, b)`."""

    actions: tuple[Name, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice(Node):
    """`one of {a, (b, c)}` in an order list: the clinician takes exactly one option."""

    options: tuple[Option, ...]

    @property
    def actions(self) -> tuple[Name, ...]:
        return tuple(a for o in self.options for a in o.actions)


OrderItem = Name | Choice


@dataclass(frozen=True, slots=True, kw_only=True)
class Citation(Node):
    source: Name
    locator: Text | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Finish(Node):
    disposition: Name
    reason: Text | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderReason(Node):
    """`ordered ACTION because "why" cite SOURCE ["where"]`: why the rule orders an action its
    variant rates usually not appropriate (or does not rate)."""

    action: Name
    reason: Text
    citation: Citation


@dataclass(frozen=True, slots=True, kw_only=True)
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


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionDecl(Decl):
    name: Name
    title: Text
    hit_policy: HitPolicy
    max_visits: int | None
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantDecl(Decl):
    """`variant NAME "title" cite S ... rated A CATEGORY [SCORE] [disagreement] ...`: one published table."""

    name: Name
    title: Text
    ratings: tuple[Rating, ...]  # each names its action
    citations: tuple[Citation, ...]
    notes: tuple[Text, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionSet(Node):
    kind: str  # action | attribute | modality | list
    names: tuple[Name, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DispositionSet(Node):
    """`reassure`, `{reassure, discharged}` or `any reassure` (every disposition of a kind)."""

    kind: DispositionSetKind
    names: tuple[Name, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PropertyBody(Node):
    kind: PropertyKind
    condition: Expression | None = None
    target: ActionSet | None = None
    other: ActionSet | None = None
    ends: DispositionSet | None = None
    exceptions: tuple[Name, ...] = ()
    bound: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PropertyDecl(Decl):
    name: Name
    title: Text | None
    body: PropertyBody


@dataclass(frozen=True, slots=True, kw_only=True)
class Value(Node):
    kind: str  # name | bool | number
    name: Name | None = None
    flag: bool | None = None
    number: Fraction | None = None
    unit: Name | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment(Node):
    name: Name
    value: Value
    # `us_result = nondiagnostic then benign`: the results of later orders of the study, in order
    later: tuple[Value, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ExampleDecl(Decl):
    title: Text
    citations: tuple[Citation, ...]
    given: tuple[Assignment, ...]
    expect_orders: tuple[Name, ...] | None  # None: orders not checked
    expect_end: Name


@dataclass(frozen=True, slots=True, kw_only=True)
class WaiveDecl(Decl):
    """`waive CODE on KIND NAME [rule A | rules A, B] because "reason"`."""

    code: Name
    target_kind: WaiverTargetKind
    target: Name
    rules: tuple[Name, ...]
    reason: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class Module(Node):
    """One parsed file."""

    path: str
    header: Header
    decls: tuple[Decl, ...]


direct_init_all(globals())  # frozen nodes built faster (dsl.source.direct_init)
make_name = maker(Name)
"""`Name(span=..., text=...)`, positionally (span, text) and faster: one per name the parser reads."""
