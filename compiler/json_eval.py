"""The reference evaluator of the JSON decision tables (`veripath-tables` 2.x).

It reads only the JSON document and uses only the standard library, so it is the model
for evaluators in other languages; `veripath run` uses it, and the test suite checks
that it agrees with the verifier's simulator (`verify.simulate`) on every shipped spec
and on random specs. The semantics, in full:

Facts. A patient is given as facts: name -> value, for some inputs and findings. A
bool is true/false, an enumeration value a string, a number an integer, a decimal or
an exact string "a/b". Values outside the domain, and unknown names, are refused
(`FactError`). A fact that is not given is *unknown*: it is never guessed. A finding
may be given a list of values: its results in order, one per order of its study (a
single value is its first result).

Repeated studies. Every order of a study reveals a fresh result of each of its
findings: the walk counts, per finding, the order nodes passed that reveal it (at a
choice, the first option's: every option orders a repeated study as often), and a
decision reads the latest result: the k-th value of the finding's list after k orders
(the first result before or at the first order; unknown when the list is shorter).

Conditions are three-valued (Kleene): true, false or unknown (None). A comparison's sides
are a fact, a constant, or a linear expression (format 1.1): the sum of coef * fact over
its terms, plus a constant, computed exactly (in the unit of the comparison). `and` is false
if any operand is false, else unknown if any is, else true; `or` dually; `not`
keeps unknown. A comparison or membership test reading an unknown fact is unknown.
A `define` node (a named condition) has the truth of the condition it carries.

A rule's missing facts are the facts its condition reads that are not given, in the
order the condition reads them, each once. `otherwise` matches exactly when no earlier
rule of its decision matches: it is the condition `not (r1 or r2 or ...)` over the
earlier rules, and its missing facts are theirs.

Hit policies choose the rule that applies at a decision:
  first     the rules in order: the first true one applies; an unknown one before it
            stops the run, needing that rule's missing facts.
  unique, any, priority
            the matching (true) rules; under priority only those with the highest
            score (an unrated rule scores 0), and the run stops needing the facts of
            every unknown rule whose score is at least that high. If no rule is true,
            the run stops: needing the facts of the unknown rules if there are any,
            else at a gap. If the rules that apply do not all have the same outcome
            (orders, next decision, disposition; a choice is the set of its options),
            the run stops at a conflict; else the first of them applies.

The pathway is walked from `pathway.start`: at a decision node the transition labelled
with the chosen rule's id is taken (the decision reading each finding's latest result);
at an order node the actions are ordered (in order) and the next result of each finding
in `reveals` becomes available, then its single transition is taken; an end node
gives the disposition; the revisit-limit node (a bounded loop visited once more than its
`at most N visits`) stops the run without one. At a choice node (`order one of {...}`) the
clinician takes one option; the facts do not say which, so the run records the choice
(`OneOf` in the orders: the whole order list of the rule, with the choice in its place)
and goes on where every option leads (the transition of its first option's order node).
No later decision reads a finding that only some options reveal (the verifier checks it).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

SUPPORTED_MAJOR = "2"

Json = dict[str, Any]
Fact = bool | str | Fraction
Given = Fact | tuple[Fact, ...]  # a finding's results, in order
Truth = bool | None
Status = Literal["end", "needs", "gap", "conflict", "revisit_limit"]


class TablesError(ValueError):
    """The document is not a `veripath-tables` document this evaluator can read."""


class FactError(ValueError):
    """A fact names no input or finding, or its value is outside the domain."""


# ---- numbers and facts -----------------------------------------------------------------


def parse_number(value: object) -> Fraction:
    """An exact number from JSON: an integer, a decimal, or a string "a/b" / "1.5"."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))
    if isinstance(value, str):
        return Fraction(value.strip())
    raise ValueError(f"{value!r} is not a number")


def format_number(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def format_fact(v: Given) -> str:
    """A fact as text: `true`, `deep`, `5/2`, or a finding's results `nondiagnostic then benign`."""
    if isinstance(v, tuple):
        return " then ".join(format_fact(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Fraction):
        return format_number(v)
    return v


# ---- the document ------------------------------------------------------------------------


class Tables:
    """A loaded document with its lookup tables."""

    def __init__(self, doc: Json) -> None:
        header = doc.get("header")
        if not isinstance(header, dict) or header.get("format") != "veripath-tables":
            raise TablesError("not a veripath-tables document")
        version = str(header.get("format_version", ""))
        if version.split(".")[0] != SUPPORTED_MAJOR:
            raise TablesError(f"format version {version} is not supported (this evaluator reads {SUPPORTED_MAJOR}.x)")
        self.doc = doc
        self.variables: dict[str, Json] = {v["name"]: v for v in [*doc["inputs"], *doc["findings"]]}
        self.actions: dict[str, Json] = {a["name"]: a for a in doc["actions"]}
        self.dispositions: dict[str, Json] = {d["name"]: d for d in doc["dispositions"]}
        self.decisions: dict[str, Json] = {d["name"]: d for d in doc["decisions"]}
        self.rules: dict[str, Json] = {r["id"]: r for d in doc["decisions"] for r in d["rules"]}
        pathway = doc["pathway"]
        self.start: str = pathway["start"]
        self.nodes: dict[str, Json] = {n["id"]: n for n in pathway["nodes"]}
        self.transitions: dict[tuple[str, str | None], str] = {
            (t["from"], t["rule"]): t["to"] for t in pathway["transitions"] if "option" not in t
        }

    @staticmethod
    def from_text(text: str) -> Tables:
        return Tables(json.loads(text))

    @staticmethod
    def from_file(path: str) -> Tables:
        with open(path, encoding="utf-8") as fh:
            return Tables(json.load(fh))

    def fact(self, name: str, value: object) -> Given:
        """A fact checked against its variable's domain (a finding: one value, or a list of results)."""
        var = self.variables.get(name)
        if var is None:
            raise FactError(f"no input or finding named '{name}'")
        if isinstance(value, list | tuple):
            if "revealed_by" not in var:
                raise FactError(f"'{name}' is an input: give one value, not a list")
            if not value:
                raise FactError(f"'{name}': give at least one result")
            results = tuple(self.value(name, var, v) for v in value)
            return results if len(results) > 1 else results[0]
        return self.value(name, var, value)

    def value(self, name: str, var: Json, value: object) -> Fact:
        """One value checked against the variable's domain."""
        kind = var["type"]
        if kind == "bool":
            if not isinstance(value, bool):
                raise FactError(f"'{name}' is true or false, not {value!r}")
            return value
        if kind == "enum":
            if not isinstance(value, str) or value not in var["values"]:
                raise FactError(f"'{name}' is one of {', '.join(var['values'])}, not {value!r}")
            return value
        try:
            x = parse_number(value)
        except (ValueError, ZeroDivisionError):
            raise FactError(f"'{name}' is a number, not {value!r}") from None
        low, high = parse_number(var["min"]), parse_number(var["max"])
        if kind == "integer" and x.denominator != 1:
            raise FactError(f"'{name}' is a whole number, not {format_number(x)}")
        if not low <= x <= high:
            unit = f" {var['unit']}" if var.get("unit") else ""
            raise FactError(
                f"'{name}' is between {format_number(low)} and {format_number(high)}{unit}, not {format_number(x)}"
            )
        return x

    def facts(self, given: Mapping[str, object]) -> dict[str, Given]:
        return {name: self.fact(name, value) for name, value in given.items()}


def latest(facts: Mapping[str, Given], orders: Mapping[str, int]) -> dict[str, Fact]:
    """The facts as a decision sees them after `orders[f]` orders revealing each finding f: the
    latest result of each finding (its first before any order), left out when not given."""
    out: dict[str, Fact] = {}
    for name, fact in facts.items():
        k = max(orders.get(name, 0), 1)
        if isinstance(fact, tuple):
            if k <= len(fact):
                out[name] = fact[k - 1]
        elif k == 1:
            out[name] = fact
    return out


# ---- conditions ----------------------------------------------------------------------------


def _fact_number(name: str, facts: Mapping[str, Fact]) -> Fraction | None:
    v = facts.get(name)
    if v is None:
        return None
    assert isinstance(v, Fraction) and not isinstance(v, bool)
    return v


def _term(t: Json, facts: Mapping[str, Fact]) -> Fraction | None:
    """A term's value: {var}, {const}, or {terms: [{var, coef}], const} (None: a fact is unknown)."""
    if "terms" in t:
        total = parse_number(t["const"])
        for term in t["terms"]:
            v = _fact_number(term["var"], facts)
            if v is None:
                return None
            total += parse_number(term["coef"]) * v
        return total
    if "var" in t:
        return _fact_number(t["var"], facts)
    return parse_number(t["const"])


def _compare(cmp: str, x: Any, y: Any) -> bool:
    if cmp == "==":
        return bool(x == y)
    if cmp == "!=":
        return bool(x != y)
    if cmp == "<":
        return bool(x < y)
    if cmp == "<=":
        return bool(x <= y)
    if cmp == ">":
        return bool(x > y)
    if cmp == ">=":
        return bool(x >= y)
    raise TablesError(f"unknown comparison {cmp!r}")


def truth(c: Json, facts: Mapping[str, Fact]) -> Truth:
    """The three-valued truth of a condition (None: unknown)."""
    op = c["op"]
    if op == "const":
        return bool(c["value"])
    if op == "bool":
        v = facts.get(c["var"])
        return None if v is None else bool(v)
    if op == "in":
        v = facts.get(c["var"])
        return None if v is None else v in c["values"]
    if op == "compare":
        x, y = _term(c["left"], facts), _term(c["right"], facts)
        return None if x is None or y is None else _compare(c["cmp"], x, y)
    if op == "enum_compare":
        a, b = facts.get(c["left"]), facts.get(c["right"])
        return None if a is None or b is None else _compare(c["cmp"], a, b)
    if op == "not":
        inner = truth(c["operand"], facts)
        return None if inner is None else not inner
    if op == "and":
        return _all([truth(o, facts) for o in c["operands"]])
    if op == "or":
        return _any([truth(o, facts) for o in c["operands"]])
    if op == "define":
        return truth(c["condition"], facts)
    raise TablesError(f"unknown condition {op!r}")


def _all(values: Sequence[Truth]) -> Truth:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _any(values: Sequence[Truth]) -> Truth:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def reads(c: Json) -> list[str]:
    """The facts a condition reads, in reading order, each once."""
    out: list[str] = []

    def add(name: str) -> None:
        if name not in out:
            out.append(name)

    def walk(c: Json) -> None:
        op = c["op"]
        if op in ("bool", "in"):
            add(c["var"])
        elif op == "compare":
            for t in (c["left"], c["right"]):
                if "var" in t:
                    add(t["var"])
                for term in t.get("terms", ()):
                    add(term["var"])
        elif op == "enum_compare":
            add(c["left"])
            add(c["right"])
        elif op == "not":
            walk(c["operand"])
        elif op in ("and", "or"):
            for o in c["operands"]:
                walk(o)
        elif op == "define":
            walk(c["condition"])

    walk(c)
    return out


def _term_text(t: Json) -> str:
    if "terms" in t:
        parts: list[str] = []
        for term in t["terms"]:
            k = parse_number(term["coef"])
            text = term["var"] if abs(k) == 1 else f"{format_number(abs(k))} * {term['var']}"
            parts.append(("-" if k < 0 else "") + text if not parts else f"{'-' if k < 0 else '+'} {text}")
        const = parse_number(t["const"])
        if const:
            parts.append(f"{'-' if const < 0 else '+'} {format_number(abs(const))}")
        return " ".join(parts)
    return str(t["var"]) if "var" in t else format_number(parse_number(t["const"]))


def render(c: Json, parent: str = "") -> str:
    """A condition as readable text (for explanations; the document never stores text)."""
    op = c["op"]
    if op == "const":
        return "true" if c["value"] else "false"
    if op == "bool":
        return str(c["var"])
    if op == "in":
        values = c["values"]
        return f"{c['var']} == {values[0]}" if len(values) == 1 else f"{c['var']} in {{{', '.join(values)}}}"
    if op == "compare":
        left, right = (_term_text(t) for t in (c["left"], c["right"]))
        return f"{left} {c['cmp']} {right}"
    if op == "enum_compare":
        return f"{c['left']} {c['cmp']} {c['right']}"
    if op == "define":
        return str(c["name"])
    if op == "not":
        inner = c["operand"]
        if inner["op"] == "in":
            values = inner["values"]
            if len(values) == 1:
                return f"{inner['var']} != {values[0]}"
            return f"{inner['var']} not in {{{', '.join(values)}}}"
        return f"not {render(inner, 'not')}"
    if op in ("and", "or"):
        parts = c["operands"]
        if not parts:
            return "true" if op == "and" else "false"
        text = f" {op} ".join(render(o, op) for o in parts)
        # `and` binds tighter than `or`, but mixed levels are bracketed for the reader.
        return f"({text})" if parent not in ("", op) and len(parts) > 1 else text
    raise TablesError(f"unknown condition {op!r}")


# ---- decisions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleValue:
    """One rule at one decision: its truth for the patient and the facts it lacks."""

    rule: str  # rule id
    value: Truth
    missing: tuple[str, ...]


@dataclass(frozen=True)
class Choice:
    rule: Json | None
    values: tuple[RuleValue, ...]
    status: Status | None = None  # why there is no rule: needs | gap | conflict
    needs: tuple[str, ...] = ()
    conflicting: tuple[str, ...] = ()  # rule ids


def rule_values(decision: Json, facts: Mapping[str, Fact]) -> list[RuleValue]:
    out: list[RuleValue] = []
    for rule in decision["rules"]:
        if rule["otherwise"]:
            earlier = [r.value for r in out]
            value = _any(earlier)
            missing: list[str] = []
            for r in out:
                missing.extend(n for n in r.missing if n not in missing)
            out.append(RuleValue(rule["id"], None if value is None else not value, tuple(missing)))
        else:
            cond = rule["condition"]
            out.append(RuleValue(rule["id"], truth(cond, facts), tuple(n for n in reads(cond) if n not in facts)))
    return out


def _score(rule: Json) -> int:
    """The score `priority` compares: the rule's rating score, else the highest score of the
    actions it rates; 0 for an unrated rule."""
    rating = rule.get("rating")
    if rating:
        return int(rating["score"] or 0)
    scores = [int(r["score"]) for r in rule.get("action_ratings", ()) if r["score"] is not None]
    return max(scores, default=0)


def order_items(orders: list[Any]) -> tuple[Order, ...]:
    """A rule's `orders` as names and `OneOf` choices."""
    return tuple(o if isinstance(o, str) else OneOf(tuple(tuple(x) for x in o["one_of"])) for o in orders)


def _outcome(rule: Json) -> tuple[object, ...]:
    orders = tuple(o if isinstance(o, str) else tuple(sorted({tuple(x) for x in o["one_of"]})) for o in rule["orders"])
    return (orders, rule["then"], rule["end"])


def choose(decision: Json, facts: Mapping[str, Fact]) -> Choice:
    """The rule that applies under the decision's hit policy, or why none does."""
    rules = decision["rules"]
    values = tuple(rule_values(decision, facts))
    pairs = list(zip(rules, values, strict=True))

    def need(which: list[tuple[Json, RuleValue]]) -> Choice:
        names: list[str] = []
        for _, v in which:
            names.extend(n for n in v.missing if n not in names)
        return Choice(None, values, "needs", tuple(names))

    gap = Choice(None, values, "gap")
    if decision["hit_policy"] == "first":
        for pair in pairs:
            if pair[1].value is None:
                return need([pair])
            if pair[1].value:
                return Choice(pair[0], values)
        return gap
    matched = [p for p in pairs if p[1].value is True]
    unknown = [p for p in pairs if p[1].value is None]
    if decision["hit_policy"] == "priority" and matched:
        top = max(_score(r) for r, _ in matched)
        pending = [p for p in unknown if _score(p[0]) >= top]
        if pending:
            return need(pending)
        matched = [p for p in matched if _score(p[0]) == top]
    if not matched:
        return need(unknown) if unknown else gap
    if len({_outcome(r) for r, _ in matched}) > 1:
        return Choice(None, values, "conflict", conflicting=tuple(r["id"] for r, _ in matched))
    return Choice(matched[0][0], values)


# ---- the pathway -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionStep:
    node: str
    decision: str
    choice: Choice
    seen: Mapping[str, Fact] = field(default_factory=dict)  # the facts it read: each finding's latest result

    @property
    def rule(self) -> str | None:
        return None if self.choice.rule is None else str(self.choice.rule["id"])


@dataclass(frozen=True)
class OrderStep:
    node: str
    actions: tuple[str, ...]
    reveals: tuple[str, ...]


@dataclass(frozen=True)
class OneOf:
    """A choice in the orders: the clinician takes exactly one option (its actions, in order)."""

    options: tuple[tuple[str, ...], ...]

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a for o in self.options for a in o))


Order = str | OneOf


@dataclass(frozen=True)
class ChoiceStep:
    """A rule that orders a choice: its order list (`orders`, with the choice), and per option
    its order node, actions and the findings it reveals."""

    node: str
    rule: str
    orders: tuple[Order, ...]
    options: tuple[OrderStep, ...]

    @property
    def reveals(self) -> tuple[str, ...]:
        """The findings every option reveals."""
        first = self.options[0].reveals
        return tuple(f for f in first if all(f in o.reveals for o in self.options))


Step = DecisionStep | OrderStep | ChoiceStep


@dataclass
class Result:
    status: Status
    orders: tuple[Order, ...]
    end: str | None  # the disposition, when status == "end"
    steps: list[Step] = field(default_factory=list)
    needs: tuple[str, ...] = ()  # facts the run needs to go on (status == "needs")
    stopped_at: str | None = None  # the decision where the run stopped (needs, gap, conflict)
    violated_assumptions: tuple[int, ...] = ()  # indexes of assumptions the facts break
    results: Mapping[str, int] = field(default_factory=dict)  # finding -> results revealed on the path

    def result_needed(self, name: str) -> int:
        """Which result of a needed finding the run waits for (1 for the first, or an input)."""
        return max(self.results.get(name, 0), 1)

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule taken at each decision, in order."""
        return tuple(s.rule for s in self.steps if isinstance(s, DecisionStep) and s.rule is not None)


def broken_assumptions(tables: Tables, facts: Mapping[str, Given]) -> tuple[int, ...]:
    """Indexes of the assumptions the facts break. An assumption holds for every result: with
    several results given, it is tested for each (the findings of one study on the same result,
    those of different studies in every combination)."""
    study = {name: tables.variables[name].get("revealed_by") for name in facts}
    most: dict[str, int] = {}  # study -> the most results given for one of its findings
    for name, fact in facts.items():
        s = study[name]
        if isinstance(fact, tuple) and s is not None:
            most[s] = max(most.get(s, 1), len(fact))
    out: list[int] = []
    for i, a in enumerate(tables.doc["assumptions"]):
        for ks in itertools.product(*(range(1, n + 1) for n in most.values())):
            at = dict(zip(most, ks, strict=True))
            seen = latest(facts, {name: at.get(s or "", 1) for name, s in study.items()})
            if truth(a["condition"], seen) is False:
                out.append(i)
                break
    return tuple(out)


def run(tables: Tables, given: Mapping[str, object]) -> Result:
    """Run one patient through the pathway (see the module docstring for the semantics)."""
    facts = tables.facts(given)
    broken = broken_assumptions(tables, facts)
    orders: list[Order] = []
    steps: list[Step] = []
    revealed: dict[str, int] = {}  # finding -> orders of its study so far
    node = tables.start
    while True:
        data = tables.nodes[node]
        kind = data["kind"]
        if kind == "decision":
            decision = tables.decisions[data["decision"]]
            seen = latest(facts, revealed)
            choice = choose(decision, seen)
            steps.append(DecisionStep(node, decision["name"], choice, seen))
            if choice.rule is None:
                assert choice.status is not None
                stop = decision["name"]
                return Result(choice.status, tuple(orders), None, steps, choice.needs, stop, broken, dict(revealed))
            node = tables.transitions[(node, choice.rule["id"])]
        elif kind == "order":
            orders.extend(data["actions"])
            steps.append(OrderStep(node, tuple(data["actions"]), tuple(data["reveals"])))
            for f in data["reveals"]:
                revealed[f] = revealed.get(f, 0) + 1
            node = tables.transitions[(node, None)]
        elif kind == "choice":
            options = tuple(
                OrderStep(o, tuple(tables.nodes[o]["actions"]), tuple(tables.nodes[o]["reveals"]))
                for o in data["options"]
            )
            items = order_items(tables.rules[data["rule"]]["orders"])
            orders.extend(items)
            steps.append(ChoiceStep(node, data["rule"], items, options))
            # every option reveals as many results of a repeated study (VP235): count the first's
            for f in options[0].reveals:
                revealed[f] = revealed.get(f, 0) + 1
            node = tables.transitions[(data["options"][0], None)]  # every option leads there
        elif kind == "end":
            return Result("end", tuple(orders), data["disposition"], steps, (), None, broken, dict(revealed))
        elif kind == "revisit_limit":
            return Result("revisit_limit", tuple(orders), None, steps, (), None, broken, dict(revealed))
        else:
            raise TablesError(f"unknown node kind {kind!r}")


def explain(cond: Json, facts: Mapping[str, Fact]) -> list[tuple[str, Truth]]:
    """The parts of a condition (the operands of a top-level `and`) with their truth; a part that is
    a named condition shows what it means: `red_flags (deep or size_cm > 5)`."""
    parts = cond["operands"] if cond["op"] == "and" and cond["operands"] else [cond]
    return [(_part(p), truth(p, facts)) for p in parts]


def _part(c: Json) -> str:
    if c["op"] == "define":
        return f"{c['name']} ({render(c['condition'])})"
    if c["op"] == "not" and c["operand"]["op"] == "define":
        return f"not {_part(c['operand'])}"
    return render(c)
