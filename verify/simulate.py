"""Run one patient through the compiled graph, as a clinician would follow the pathway.

At each decision the hit policy picks the rule that applies (unique: the one that
matches; first: the first that matches; priority: the highest rating score; any: the
matching rules, which must agree). The patient may be partial (as in examples): a
value is needed only when a rule that could decide cannot be evaluated without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from compiler.graph import LIMIT_NODE, DecisionGraph
from dsl import model as m
from dsl.evidence import StepKind
from dsl.model import Value, result_label
from dsl.source import Span
from verify.counterexample import define_texts, finding_step, rule_name, rule_text
from verify.evaluate import evaluate3, missing, normalise_patient
from verify.reach import rule_score


@dataclass(frozen=True)
class Step:
    kind: StepKind  # decision | define | order | finding | end | stop
    node: str
    text: str
    span: Span | None
    rule: str | None = None  # the rule id taken at a decision


@dataclass
class Trace:
    orders: tuple[m.OrderItem, ...]  # a choice stays a choice: the patient's facts do not say which option
    end: str | None  # the disposition reached, None if the run stopped early
    steps: list[Step] = field(default_factory=list)
    error: str | None = None  # why the run stopped early
    missing: tuple[str, ...] = ()  # values the path needed that the patient does not give
    decision: str | None = None  # where the run stopped early


@dataclass(frozen=True)
class Choice:
    rule: m.Rule | None
    error: str | None = None
    missing: tuple[str, ...] = ()


def choose(decision: m.Decision, patient: Mapping[str, Value]) -> Choice:
    """The rule that applies under the decision's hit policy, or why there is none."""
    values = [(r, evaluate3(r.cond, patient)) for r in decision.rules]
    policy = decision.hit_policy

    def need(rules: list[m.Rule]) -> Choice:
        names: list[str] = []
        for r in rules:
            for v in missing(r.cond, patient):
                if v not in names:
                    names.append(v)
        which = ", ".join(rule_name(r) for r in rules)
        return Choice(
            None,
            f"no value given for {', '.join(repr(result_label(n)) for n in names)}, needed at decision "
            f"'{decision.name}' "
            f"(rule {which})",
            tuple(names),
        )

    if policy == "first":
        for r, v in values:
            if v is None:
                return need([r])
            if v:
                return Choice(r)
        return Choice(None, f"no rule of decision '{decision.name}' matches")
    matched = [r for r, v in values if v is True]
    unknown = [r for r, v in values if v is None]
    if policy == "priority":
        if not matched:
            return need(unknown) if unknown else Choice(None, f"no rule of decision '{decision.name}' matches")
        top = max(rule_score(r) for r in matched)
        pending = [r for r in unknown if rule_score(r) >= top]
        if pending:
            return need(pending)
        matched = [r for r in matched if rule_score(r) == top]
    if not matched:
        return need(unknown) if unknown else Choice(None, f"no rule of decision '{decision.name}' matches")
    outcomes = {r.outcome for r in matched}
    if len(outcomes) > 1:
        names = " and ".join(rule_name(r) for r in matched[:2])
        return Choice(None, f"rules {names} of decision '{decision.name}' both match with different outcomes")
    return Choice(matched[0])


def _rule_of(model: m.Model, rule_id: str) -> m.Rule:
    decision, _, _ = rule_id.partition(".")
    return next(r for r in model.decision(decision).rules if r.id == rule_id)


def simulate(graph: DecisionGraph, patient: Mapping[str, object]) -> Trace:
    """Follow the pathway for one patient: orders, disposition and the steps taken.

    A finding whose study is ordered more than once may be given its results in order (a
    list or tuple: `{"us_result": ["nondiagnostic", "benign"]}`); each order of the study
    reveals the next one, and decisions read the latest. A result the path needs and the
    patient does not give is named in `Trace.missing` by its key (`us_result#2`)."""
    model = graph.fresh_model
    values = normalise_patient(model, patient)
    node = graph.start
    orders: list[m.OrderItem] = []
    steps: list[Step] = []
    while True:
        attrs = graph.graph.nodes[node]
        kind = attrs["kind"]
        if kind == "decision":
            decision = model.decision(graph.table_key(node))  # reading the latest results
            choice = choose(decision, values)
            if choice.rule is None:
                steps.append(Step("stop", node, f"decision {decision.name}: {choice.error}", decision.span))
                return Trace(tuple(orders), None, steps, choice.error, choice.missing, decision.name)
            rule = choice.rule
            if decision.latest:  # a copy reading later results: the rule as written
                rule = next(r for r in graph.model.decision(decision.name).rules if r.index == rule.index)
            steps.append(
                Step(
                    "decision",
                    node,
                    f"decision {decision.name} ({decision.title}): rule {rule_name(rule)} "
                    f"applies: {rule_text(rule, model)}",
                    rule.cond_span,
                    rule.id,
                )
            )
            # what each named condition of the rule meant here: on the latest results
            texts = define_texts(model, values, choice.rule.cond)
            steps.extend(Step("define", node, text, span) for text, span in texts)
            node = next(t for t, r in graph.rule_edges(node) if r.index == rule.index)
        elif kind in ("order", "choice"):
            if kind == "order":
                orders.extend(attrs["actions"])
                steps.append(Step("order", node, "order " + ", ".join(attrs["actions"]), attrs["span"]))
                revealed = graph.results_of(node)
            else:
                # the facts do not say which option the clinician takes: the run records the choice and
                # goes on (every option leads to the same node, whose rules read no finding only some
                # options reveal: VP208, VP235); the findings shown are those every option reveals
                rule = _rule_of(graph.model, attrs["rule"])
                orders.extend(rule.orders)
                steps.append(Step("order", node, "order " + m.orders_text(rule.orders), attrs["span"]))
                options = [set(graph.results_of(o)) for o in graph.option_nodes(node)]
                first = graph.results_of(graph.option_nodes(node)[0])
                revealed = tuple(f for f in first if all(f in o for o in options))
            for f in revealed:
                if f in values:
                    shown = finding_step(model.variable(f), values[f])
                    steps.append(Step("finding", node, shown.text, shown.span))
            node = graph.past_orders(node)
        else:
            if node == LIMIT_NODE:
                error = "the revisit limit is reached without a disposition"
                steps.append(Step("stop", node, error, None))
                return Trace(tuple(orders), None, steps, error)
            disp = model.disposition(attrs["disposition"])
            steps.append(Step("end", node, f"end {disp.name} ({disp.title})", disp.span))
            return Trace(tuple(orders), disp.name, steps)
