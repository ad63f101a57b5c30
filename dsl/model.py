"""The resolved, typed, immutable Model that every later stage consumes.

Names are resolved, units converted to the declared unit of each variable, and
conditions reduced to a small core language (`Cond`). Nothing here refers to
the AST except through spans.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, TypeAlias, TypeVar, get_args

from dsl.frozen import node
from dsl.ops import Op
from dsl.source import Span

# ---- closed sets of words ----------------------------------------------------------
# Each set is a Literal, defined once; the tuple of its members (for validation, hints
# and iteration) is read off the Literal with get_args.

ModelKind = Literal["guideline", "catalogue"]
HitPolicy = Literal["unique", "first", "priority", "any"]
ActionKind = Literal["imaging", "procedure", "referral"]
Modality = Literal["xr", "us", "mri", "ct", "pet_ct", "mra", "cta", "nm", "fluoroscopy", "mammography"]
Contrast = Literal["none", "with", "without", "without_and_with"]
RadiationLevel = Literal["none", "rrl1", "rrl2", "rrl3", "rrl4", "rrl5", "varies"]
Urgency = Literal["routine", "urgent", "very_urgent", "emergency"]
DispositionKind = Literal["reassure", "follow_up", "refer", "uncovered", "discharge"]
RatingCategory = Literal["usually_appropriate", "may_be_appropriate", "usually_not_appropriate"]
PropertyKind = Literal[
    "never_before",
    "always_before",
    "eventually",
    "when_never",
    "never",
    "never_end",
    "always_end",
    "always_ends",
    "no_repeat",
    "max_steps",
]
DispositionSetKind = Literal["name", "list", "kind"]  # `reassure`, `{a, b}`, `any reassure`
WaiverTargetKind = Literal["decision", "action", "disposition"]

MODEL_KINDS: tuple[ModelKind, ...] = get_args(ModelKind)
HIT_POLICIES: tuple[HitPolicy, ...] = get_args(HitPolicy)
ACTION_KINDS: tuple[ActionKind, ...] = get_args(ActionKind)
MODALITIES: tuple[Modality, ...] = get_args(Modality)
CONTRASTS: tuple[Contrast, ...] = get_args(Contrast)
RADIATION_LEVELS: tuple[RadiationLevel, ...] = get_args(RadiationLevel)
URGENCIES: tuple[Urgency, ...] = get_args(Urgency)
DISPOSITION_KINDS: tuple[DispositionKind, ...] = get_args(DispositionKind)
RATING_CATEGORIES: tuple[RatingCategory, ...] = get_args(RatingCategory)
PROPERTY_KINDS: tuple[PropertyKind, ...] = get_args(PropertyKind)

_W = TypeVar("_W", bound=str)


def member(choices: tuple[_W, ...], text: str | None) -> _W | None:
    """`text` as a member of a closed set (e.g. `member(HIT_POLICIES, "first")`), or None if it is not one."""
    for choice in choices:
        if choice == text:
            return choice
    return None


def one_of(choices: tuple[_W, ...], text: str) -> _W:
    """`text` as a member of a closed set the grammar already guarantees (ValueError if it is not)."""
    found = member(choices, text)
    if found is None:
        raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
    return found


# ---- types -------------------------------------------------------------------


@node
class BoolType:
    def describe(self) -> str:
        return "bool"


@node
class NumberType:
    low: Fraction
    high: Fraction
    unit: str | None
    integer: bool

    def describe(self) -> str:
        kind = "integer" if self.integer else "number"
        unit = f" {self.unit}" if self.unit else ""
        return f"{kind} in [{_num(self.low)}, {_num(self.high)}]{unit}"


@node
class EnumType:
    values: tuple[str, ...]

    def describe(self) -> str:
        return " | ".join(self.values)


Type = BoolType | NumberType | EnumType
Value = bool | Fraction | str


MAX_DECIMALS = 6  # longer exact decimals print as a fraction `a/b`


def exact_decimal(x: Fraction, max_digits: int = MAX_DECIMALS) -> str | None:
    """`x` as an exact decimal ("2", "-2.5", "0.125"), or None if it has none with at most `max_digits` digits."""
    den = x.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    digits = max(twos, fives)
    if den != 1 or digits > max_digits:
        return None
    if digits == 0:
        return str(x.numerator)
    scaled = abs(x.numerator) * 10**digits // x.denominator
    whole, frac = divmod(scaled, 10**digits)
    return f"{'-' if x < 0 else ''}{whole}.{frac:0{digits}d}"


def _num(x: Fraction) -> str:
    """The exact number as a literal of the language: `36`, `2.5`, else a fraction `2161/60`."""
    return exact_decimal(x) or f"{x.numerator}/{x.denominator}"


def format_value(v: Value) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Fraction):
        return _num(v)
    return v


# ---- repeated studies ---------------------------------------------------------------
# Every order of an action reveals a fresh result of each of its findings. The k-th result
# of finding `f` is a variable of its own: the first is `f` itself (so that a spec in which
# no path orders a study twice has exactly the variables it always had), the k-th `f#k`.
# No name of the language contains '#' (it starts a comment), so a result key never clashes
# with a declared name; it never appears in a spec, only inside veripath.

Results = tuple[Value, ...]
Fact = Value | Results
"""A given value: one value, or for a finding its results in order (first, second, ...)."""

RESULT_MARK = "#"


def result_key(name: str, k: int) -> str:
    """The variable of the k-th result (1-based) of finding `name`: `name`, `name#2`, `name#3`, ..."""
    if k < 1:
        raise ValueError(f"result {k} of '{name}': results count from 1")
    return name if k == 1 else f"{name}{RESULT_MARK}{k}"


def split_result(key: str) -> tuple[str, int]:
    """The finding and the 1-based result a result key names (`us_result#2` -> ("us_result", 2))."""
    name, mark, k = key.partition(RESULT_MARK)
    return (name, int(k)) if mark else (key, 1)


def result_label(key: str) -> str:
    """A result key as readers see it: `us_result`, or `us_result (result 2)` for a later result."""
    name, k = split_result(key)
    return name if k == 1 else f"{name} (result {k})"


def flatten_facts(facts: Mapping[str, Fact]) -> dict[str, Value]:
    """Given values keyed by result: `{"r": ("a", "b")}` -> `{"r": "a", "r#2": "b"}`."""
    out: dict[str, Value] = {}
    for name, fact in facts.items():
        if isinstance(fact, tuple):
            for k, value in enumerate(fact, start=1):
                out[result_key(name, k)] = value
        else:
            out[name] = fact
    return out


def gather_facts(values: Mapping[str, Value]) -> dict[str, Fact]:
    """The inverse of `flatten_facts`: later results join their finding's first one, in order
    (a later result without every earlier one is kept under its key)."""
    out: dict[str, Fact] = {}
    later: dict[str, dict[int, Value]] = {}
    for key, value in values.items():
        name, k = split_result(key)
        if k == 1:
            out[name] = value
        else:
            later.setdefault(name, {})[k] = value
    for name, results in later.items():
        first = out.get(name)
        chain: list[Value] = [] if first is None or isinstance(first, tuple) else [first]
        k = 2
        while chain and k in results:
            chain.append(results.pop(k))
            k += 1
        if len(chain) > 1:
            out[name] = tuple(chain)
        for k, value in sorted(results.items()):
            out[result_key(name, k)] = value
    return out


def fact_views(model: Model, facts: Mapping[str, Fact]) -> Iterator[dict[str, Value]]:
    """The given facts with each finding read as one of its results (for assumptions, which hold
    for every result): the findings of one study on the same result, those of different studies
    in every combination. A single value is a finding's first result only; a result not given is
    left out (unknown)."""
    study = {name: model.variable(split_result(name)[0]).revealed_by for name in facts}
    most: dict[str, int] = {}
    for name, fact in facts.items():
        s = study[name]
        if isinstance(fact, tuple) and s is not None:
            most[s] = max(most.get(s, 1), len(fact))
    for ks in itertools.product(*(range(1, n + 1) for n in most.values())):
        at = dict(zip(most, ks, strict=True))
        view: dict[str, Value] = {}
        for name, fact in facts.items():
            k = at.get(study[name] or "", 1)
            if isinstance(fact, tuple):
                if k <= len(fact):
                    view[name] = fact[k - 1]
            elif k == 1:
                view[name] = fact
        yield view


def format_fact(fact: Fact, show: Callable[[Value], str] = format_value) -> str:
    """A given value as the language writes it: `benign`, or `nondiagnostic then benign`."""
    if isinstance(fact, tuple):
        return " then ".join(show(v) for v in fact)
    return show(fact)


@node
class Variable:
    """An input (known from the start) or a finding (revealed by an action)."""

    name: str
    title: str | None
    type: Type
    revealed_by: str | None  # action name for findings, None for inputs
    span: Span

    @property
    def is_finding(self) -> bool:
        return self.revealed_by is not None

    @property
    def finding(self) -> str:
        """The declared name: the finding whose result this is (see `result_key`), or the input itself."""
        return split_result(self.name)[0]

    @property
    def result(self) -> int:
        """Which result of its finding the variable holds: 1, or k for the k-th result `name#k`."""
        return split_result(self.name)[1]


# ---- conditions ---------------------------------------------------------------
# `Cond` (below the node classes) is the closed union of the node kinds; walk it with
# `dsl.cond.CondVisitor`, never with a chain of isinstance tests.


@node
class CondBase:
    span: Span


@node
class Const(CondBase):
    value: bool


@node
class BoolVar(CondBase):
    var: str


@node
class EnumIn(CondBase):
    """var's value is one of `values` (equality is a one-element set)."""

    var: str
    values: tuple[str, ...]


@node
class Linear:
    """A linear expression over numeric variables: the sum of `coefficient * variable` over
    `terms`, plus `offset`; in the unit of its comparison (see `Compare`).

    Each variable appears once, with a non-zero coefficient, in the order the source first
    names it. A plain variable is `Linear.of_var(x)`, a number `Linear.of_const(c)`.
    """

    terms: tuple[tuple[str, Fraction], ...] = ()
    offset: Fraction = Fraction(0)

    @staticmethod
    def of_var(name: str) -> Linear:
        return Linear(terms=((name, Fraction(1)),))

    @staticmethod
    def of_const(value: Fraction) -> Linear:
        return Linear(offset=value)

    @property
    def var(self) -> str | None:
        """The variable, when the expression is exactly one variable (`x`, not `2 * x` or `x + 1`)."""
        if len(self.terms) == 1 and self.terms[0][1] == 1 and self.offset == 0:
            return self.terms[0][0]
        return None

    @property
    def constant(self) -> Fraction | None:
        """The value, when the expression names no variable."""
        return None if self.terms else self.offset

    @property
    def vars(self) -> tuple[str, ...]:
        return tuple(v for v, _ in self.terms)

    def describe(self, number: Callable[[Fraction], str] | None = None) -> str:
        """The expression as text of the language: `size_cm`, `2 * depth_cm + 1/2`, `-x - 1`;
        `number` writes the constant (a quantity with its unit: `2 * depth_cm + 0.5 cm`)."""
        show = number or _num
        parts: list[str] = []
        for v, k in self.terms:
            size = abs(k)
            text = v if size == 1 else f"{_num(size)} * {v}"
            if not parts:
                parts.append(f"-{text}" if k < 0 else text)
            else:
                parts.append(f"{'-' if k < 0 else '+'} {text}")
        if self.offset or not parts:
            if not parts:
                parts.append(show(self.offset))
            else:
                parts.append(f"{'-' if self.offset < 0 else '+'} {show(abs(self.offset))}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Bound:
    """A comparison of one variable with a constant: `var op value`."""

    var: str
    op: Op
    value: Fraction


@node
class Compare(CondBase):
    """`left op right` over numbers, both sides in the comparison's unit: the declared unit of the
    first variable it names (constants and other variables are already converted to it)."""

    op: Op
    left: Linear
    right: Linear

    def normal(self) -> tuple[tuple[tuple[str, Fraction], ...], Fraction]:
        """`left - right` as (terms, constant k): the comparison is `sum(coef * var) op k`.

        Terms keep source order; variables whose coefficients cancel are dropped."""
        left, right = self.left, self.right
        if not right.terms and len(left.terms) == 1:  # `x op c`, the common case: no arithmetic
            return left.terms, right.offset - left.offset if left.offset else right.offset
        coef: dict[str, Fraction] = {}
        for v, k in self.left.terms:
            coef[v] = coef.get(v, Fraction(0)) + k
        for v, k in self.right.terms:
            coef[v] = coef.get(v, Fraction(0)) - k
        return tuple((v, k) for v, k in coef.items() if k), self.right.offset - self.left.offset

    def bound(self) -> Bound | None:
        """The comparison as `var op value` when it constrains one variable alone (`2 * x + 1 > 6`
        is `x > 5/2`; a negative coefficient flips the operator), else None."""
        terms, k = self.normal()
        if len(terms) != 1:
            return None
        var, coef = terms[0]
        if coef == 1:
            return Bound(var, self.op, k)
        return Bound(var, self.op if coef > 0 else self.op.flip(), k / coef)

    def constant_truth(self) -> bool | None:
        """The truth of a comparison whose variables all cancel (`x - x < 1`), else None."""
        terms, k = self.normal()
        return bool(self.op.apply(Fraction(0), k)) if not terms else None


@node
class EnumCompare(CondBase):
    """Two enum-typed variables of the same value set compared with == or !=."""

    op: Op  # == or !=
    left: str
    right: str


@node
class Not(CondBase):
    operand: Cond


@node
class And(CondBase):
    operands: tuple[Cond, ...]


@node
class Or(CondBase):
    operands: tuple[Cond, ...]


@node
class Named(CondBase):
    """A named condition (`define NAME: ...`) where it is used.

    The definition is inlined: `body` is the define's condition (the same object at every
    use), so passes that only need the meaning descend into it; `name` is kept so that
    printers, diagrams and the JSON tables show the condition by its name. `span` is the
    use; the body's spans point into the `define`."""

    name: str
    body: Cond


Cond: TypeAlias = Const | BoolVar | EnumIn | Compare | EnumCompare | Not | And | Or | Named


# ---- declarations ------------------------------------------------------------------


@node
class Source:
    name: str
    title: str
    url: str | None
    span: Span


@node
class Assumption:
    title: str | None
    cond: Cond
    span: Span


@node
class Define:
    """A named condition, `define NAME ["title"]: expr` (uses are `Named` nodes)."""

    name: str
    title: str | None
    cond: Cond
    span: Span


@node
class Duration:
    amount: Fraction
    unit: str  # hours | days | weeks | months | years

    def describe(self) -> str:
        return f"{_num(self.amount)} {self.unit}"


@node
class Action:
    name: str
    title: str
    kind: ActionKind
    modality: Modality | None
    contrast: Contrast | None
    cross_sectional: bool
    radiation: RadiationLevel | None
    pediatric_radiation: RadiationLevel | None
    within: Duration | None
    urgency: Urgency | None
    span: Span


@node
class Disposition:
    name: str
    title: str
    kind: DispositionKind
    within: Duration | None
    span: Span


@node
class Rating:
    """An appropriateness rating: of the rule (`action` None), of one action it orders (an option
    of its choice), or of another procedure the source rates for the same variant (`also rated`)."""

    action: str | None
    category: RatingCategory
    score: int | None  # None: the source publishes the category alone
    disagreement: bool
    span: Span

    def describe(self) -> str:
        """As the language writes it: `radiograph usually_appropriate 9`, `may_be_appropriate 5 disagreement`."""
        return f"{self.action} {self.grade}" if self.action else self.grade

    @property
    def grade(self) -> str:
        """The rating without its action: `usually_appropriate 9`, `may_be_appropriate 5 disagreement`."""
        parts: list[str] = [self.category]
        if self.score is not None:
            parts.append(str(self.score))
        if self.disagreement:
            parts.append("disagreement")
        return " ".join(parts)


Option = tuple[str, ...]  # one option of a choice: the actions it orders, in order


@node
class Choice:
    """`one of {a, (b, c)}` in an order list: the clinician takes exactly one option.

    Two choices with the same options (in any order) are the same choice; the span is not compared."""

    options: tuple[Option, ...]
    span: Span = field(compare=False, hash=False)

    def key(self) -> tuple[Option, ...]:
        """The options as a set (sorted): what makes two choices the same outcome."""
        return tuple(sorted(set(self.options)))

    def describe(self) -> str:
        return "one of {" + ", ".join(option_text(o) for o in self.options) + "}"

    @property
    def actions(self) -> tuple[str, ...]:
        """Every action some option orders, each once, in order."""
        return tuple(dict.fromkeys(a for o in self.options for a in o))


def option_text(option: Option) -> str:
    """An option as the language writes it: `radiograph`, or `(us_plain, radiograph)`."""
    return option[0] if len(option) == 1 else "(" + ", ".join(option) + ")"


OrderItem = str | Choice  # an action, or a choice between options


def orders_text(items: tuple[OrderItem, ...]) -> str:
    """An order list as the language writes it: `mri_wo, one of {radiograph, us_plain}`."""
    return ", ".join(i if isinstance(i, str) else i.describe() for i in items)


def expand_orders(items: tuple[OrderItem, ...]) -> tuple[tuple[str, ...], ...]:
    """Every sequence of actions an order list can stand for: one per option of its choices."""
    out: list[tuple[str, ...]] = [()]
    for item in items:
        options = (item,) if isinstance(item, str) else item.options
        out = [(*seq, *((o,) if isinstance(o, str) else o)) for seq in out for o in options]
    return tuple(out)


def orders_match(expected: tuple[str, ...], items: tuple[OrderItem, ...]) -> bool:
    """Whether `expected` is one of the sequences `items` stands for (each choice: one option taken)."""
    # positions in `expected` reachable after each item; a set, so repeated choices stay linear
    here = {0}
    for item in items:
        options = ((item,),) if isinstance(item, str) else item.options
        here = {k + len(o) for k in here for o in options if tuple(expected[k : k + len(o)]) == o}
        if not here:
            return False
    return len(expected) in here


def orders_key(items: tuple[OrderItem, ...]) -> tuple[object, ...]:
    """The order list with each choice as its set of options: equal keys, the same orders."""
    return tuple(i if isinstance(i, str) else i.key() for i in items)


@node
class Citation:
    source: str
    locator: str | None
    span: Span


@node
class Variant:
    """A published appropriateness table (one ACR variant), declared once with `variant NAME`:
    the rating of each procedure it rates. A rule `in variant NAME` takes its ratings from it."""

    name: str
    title: str
    ratings: tuple[Rating, ...]  # each names its action; in source order
    citations: tuple[Citation, ...]
    notes: tuple[str, ...]
    span: Span

    def rating_of(self, action: str) -> Rating | None:
        return next((r for r in self.ratings if r.action == action), None)

    @property
    def actions(self) -> tuple[str, ...]:
        """The procedures the table rates, in source order."""
        return tuple(r.action for r in self.ratings if r.action is not None)


@node
class OrderReason:
    """`ordered ACTION because "why" cite SOURCE`: why a rule orders an action its variant rates
    usually not appropriate, or does not rate."""

    action: str
    reason: str
    citation: Citation
    span: Span


@node
class Rule:
    decision: str
    index: int  # 1-based position in its decision
    label: str | None
    cond: Cond  # `otherwise` is resolved to the negation of the earlier rules under 'first'
    is_otherwise: bool
    orders: tuple[OrderItem, ...]  # actions, and at most one choice
    goto: str | None  # next decision
    end: str | None  # disposition
    reason: str | None  # required for uncovered dispositions
    ratings: tuple[Rating, ...]  # the rule's own rating (action None), or one per action it rates
    also_rated: tuple[Rating, ...]  # the other procedures the source rates for this variant
    unrated: str | None
    citations: tuple[Citation, ...]
    notes: tuple[str, ...]
    span: Span
    cond_span: Span
    # `in variant V`: the published table whose ratings `ratings` (the actions the rule orders) and
    # `also_rated` (the others it rates) were taken from
    variant: str | None = None
    reasons: tuple[OrderReason, ...] = ()  # `ordered A because "why" cite S`

    @property
    def id(self) -> str:
        return f"{self.decision}.{self.label or f'r{self.index}'}"

    @property
    def outcome(self) -> tuple[tuple[object, ...], str | None, str | None]:
        """What the rule does; two rules with the same outcome never conflict (a choice is its
        set of options: `one of {a, b}` and `one of {b, a}` are the same outcome)."""
        return (orders_key(self.orders), self.goto, self.end)

    @property
    def choice(self) -> Choice | None:
        """The choice in the rule's order list, if it has one."""
        return next((i for i in self.orders if isinstance(i, Choice)), None)

    @property
    def sequences(self) -> tuple[tuple[str, ...], ...]:
        """The actions the rule orders, in order: one sequence per option of its choice (else one)."""
        return expand_orders(self.orders)

    @property
    def actions(self) -> tuple[str, ...]:
        """Every action the rule may order, each once, in order."""
        return tuple(dict.fromkeys(a for seq in self.sequences for a in seq))

    @property
    def rating(self) -> Rating | None:
        """The rule's own rating (one that names no action), if it has one."""
        return next((r for r in self.ratings if r.action is None), None)

    @property
    def score(self) -> int | None:
        """The rule's rating score: its own, else the highest of the actions it rates (None: none)."""
        own = self.rating
        if own is not None:
            return own.score
        scores = [r.score for r in self.ratings if r.score is not None]
        return max(scores) if scores else None

    def rating_of(self, action: str) -> Rating | None:
        """The rating that names `action` (an option of the choice), else the rule's own rating."""
        return next((r for r in self.ratings if r.action == action), self.rating)


@node
class Decision:
    name: str
    title: str
    hit_policy: HitPolicy
    max_visits: int | None
    rules: tuple[Rule, ...]
    span: Span
    # A decision reached after a study has been repeated reads the latest results: its copy for
    # those places has every finding `f` in `latest` read as the result key beside it
    # (("us_result", "us_result#2"),), its conditions renamed so. Empty for the declared decision.
    latest: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        """The name of this copy of the decision: its name, with the later results it reads
        (`review{us_result#2}`); the decision's own name when it reads no later result."""
        if not self.latest:
            return self.name
        return f"{self.name}{{{','.join(key for _, key in self.latest)}}}"


@node
class ActionSet:
    """The actions a property talks about, with the words the author used."""

    actions: tuple[str, ...]
    description: str
    span: Span


@node
class DispositionSet:
    """The dispositions a property talks about, with the words the author used."""

    dispositions: tuple[str, ...]
    description: str
    span: Span


@node
class Property:
    """A path property (docs/language.md, "Properties").

    `condition` (`when C`) is evaluated three-valued where the property is checked: an atom on
    a finding not yet revealed on the path is unknown, and the property applies only where C is
    definitely true (`dsl.cond.definitely`). `target`/`other` are the action sets of the
    ordering forms (`never T`, `never T before O`, `always T before O`); `ends` is the
    disposition set of `never end` / `always end`.
    """

    name: str
    title: str | None
    kind: PropertyKind
    condition: Cond | None
    target: ActionSet | None
    other: ActionSet | None
    exceptions: tuple[str, ...]
    bound: int | None
    span: Span
    ends: DispositionSet | None = None


@node
class Example:
    title: str
    citations: tuple[Citation, ...]
    given: tuple[tuple[str, Fact], ...]  # a finding may be given several results, in order
    expect_orders: tuple[str, ...] | None
    expect_end: str
    span: Span
    given_spans: tuple[tuple[str, Span], ...] = ()  # where each given fact is written (`name = value`)

    def given_span(self, name: str) -> Span:
        """Where the example gives `name` (the example itself if not known)."""
        return next((s for n, s in self.given_spans if n == name), self.span)


@node
class Waiver:
    """A `waive` declaration, resolved: the one finding it accepts, by code and check id, and why."""

    code: str  # a registered code of a waivable verification warning (`dsl.waivers.WAIVABLE`)
    target_kind: WaiverTargetKind
    target: str
    rules: tuple[str, ...]  # rule names as findings show them (label or rN), in the decision's order
    check: str  # the check id of the finding it accepts, e.g. "redundant:triage:r3:r4"
    reason: str
    span: Span


@node
class Model:
    kind: ModelKind
    name: str
    title: str
    version: str | None
    path: str
    files: tuple[str, ...]  # this file and everything it imports, in load order
    sources: tuple[Source, ...]
    variables: tuple[Variable, ...]
    assumptions: tuple[Assumption, ...]
    actions: tuple[Action, ...]
    dispositions: tuple[Disposition, ...]
    decisions: tuple[Decision, ...]
    start: str | None
    properties: tuple[Property, ...]
    examples: tuple[Example, ...]
    waivers: tuple[Waiver, ...] = ()
    defines: tuple[Define, ...] = ()  # named conditions, in load order (their uses are inlined `Named` nodes)
    # The copies of decisions that read later results of a repeated study (`Decision.latest`),
    # found by their `key`; only in the model the compiler makes for a pathway that repeats a
    # study (`compiler.graph.DecisionGraph.fresh`), whose `variables` then also hold the later
    # results. Empty in every model the front end makes.
    latest_copies: tuple[Decision, ...] = ()
    variants: tuple[Variant, ...] = ()  # published tables (`variant NAME`), in load order

    # Lookup tables, built once; not part of equality or hashing.
    _lookup: dict[str, dict[str, object]] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        for kind in ("variables", "actions", "dispositions", "decisions", "defines", "variants"):
            self._lookup[kind] = {i.name: i for i in getattr(self, kind)}
        self._lookup["decisions"].update((d.key, d) for d in self.latest_copies)

    def variable(self, name: str) -> Variable:
        v = self._lookup["variables"][name]
        assert isinstance(v, Variable)
        return v

    def action(self, name: str) -> Action:
        v = self._lookup["actions"][name]
        assert isinstance(v, Action)
        return v

    def disposition(self, name: str) -> Disposition:
        v = self._lookup["dispositions"][name]
        assert isinstance(v, Disposition)
        return v

    def decision(self, name: str) -> Decision:
        """The decision called `name`, or the copy of a decision whose `key` it is."""
        v = self._lookup["decisions"][name]
        assert isinstance(v, Decision)
        return v

    def define(self, name: str) -> Define:
        v = self._lookup["defines"][name]
        assert isinstance(v, Define)
        return v

    def variant(self, name: str) -> Variant:
        v = self._lookup["variants"][name]
        assert isinstance(v, Variant)
        return v

    def has(self, kind: str, name: str) -> bool:
        return name in self._lookup[kind]

    @property
    def inputs(self) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if not v.is_finding)

    @property
    def findings(self) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.is_finding)
