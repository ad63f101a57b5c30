"""Counterexamples a clinician can read: a typical patient, the path it follows, the region.

A solver model is a valid but arbitrary patient (size_cm = 37/3). `Minimiser.improve`
replaces each value, variable by variable, with the simplest value that keeps the
counterexample valid (checked by evaluating the check's own predicate, no solver):
the first enumeration value, false, 0, a small integer, a round number near a
threshold of the spec.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from compiler.graph import LIMIT_NODE, DecisionGraph
from compiler.pretty import describe_cond
from dsl import model as m
from dsl.model import Value
from dsl.source import Span
from verify.boxes import collect_constants, nice_value
from verify.evaluate import MissingValue
from verify.reach import GuardKey, Product
from verify.solver import Patient

Predicate = Callable[[Mapping[str, Value]], bool]
JsonValue = str | bool | int | float


def location(span: Span | None) -> str:
    return f"{span.file}:{span.line}:{span.column}" if span is not None else ""


def data_value(v: Value) -> JsonValue:
    if isinstance(v, bool | str):
        return v
    if v.denominator == 1:
        return int(v)
    return float(v)


def show_value(v: Value) -> str:
    return m.format_value(v) if not isinstance(v, Fraction) else str(data_value(v))


def rule_name(rule: m.Rule) -> str:
    return rule.label or f"r{rule.index}"


def rule_text(rule: m.Rule) -> str:
    return "otherwise" if rule.is_otherwise else describe_cond(rule.cond)


class Minimiser:
    """Makes solver models readable (see the module docstring)."""

    def __init__(self, model: m.Model, constants: Mapping[str, Iterable[Fraction]] | None = None) -> None:
        """`constants`: the thresholds to try per variable (default: every comparison in the model)."""
        self.model = model
        if constants is None:
            used: set[str] = set()
            found: dict[str, set[Fraction]] = {}
            conds: list[m.Cond] = [a.cond for a in model.assumptions]
            conds.extend(r.cond for d in model.decisions for r in d.rules)
            conds.extend(p.condition for p in model.properties if p.condition is not None)
            for c in conds:
                collect_constants(c, used, found)
            constants = found
        self._constants = {k: sorted(set(v)) for k, v in constants.items()}
        self._candidates: dict[str, list[Value]] = {}

    def candidates(self, var: m.Variable) -> list[Value]:
        hit = self._candidates.get(var.name)
        if hit is not None:
            return hit
        t = var.type
        out: list[Value]
        if isinstance(t, m.BoolType):
            out = [False, True]
        elif isinstance(t, m.EnumType):
            out = list(t.values)
        else:
            consts = [c for c in self._constants.get(var.name, []) if t.low <= c <= t.high]
            nums: set[Fraction] = {t.low, t.high}
            if t.low <= 0 <= t.high:
                nums.add(Fraction(0))
            for c in consts:
                for k in (math.floor(c) - 1, math.floor(c), math.ceil(c), math.ceil(c) + 1):
                    if t.low <= k <= t.high:
                        nums.add(Fraction(k))
                if not t.integer:
                    nums.add(c)
            if not t.integer:
                edges = sorted({t.low, t.high, *consts})
                for lo, hi in itertools.pairwise(edges):
                    nums.add(nice_value(lo, True, hi, True))
            ranked = sorted(nums, key=lambda x: (x.denominator != 1, abs(x), x))
            out = list(ranked[:40])
        self._candidates[var.name] = out
        return out

    def improve(
        self,
        patient: Patient,
        holds: Predicate,
        names: Sequence[str] | None = None,
        budget: int = 400,
    ) -> Patient:
        """Simplify values one variable at a time (model order) while `holds` stays true.

        `budget` bounds the number of evaluations of `holds`."""
        current = dict(patient)
        if not _safe(holds, current):
            return current
        for var in self.model.variables:
            if names is not None and var.name not in names:
                continue
            now = current.get(var.name)
            if now is None:
                continue
            for cand in self.candidates(var):
                if cand == now and type(cand) is type(now):
                    break
                if budget <= 0:
                    return current
                budget -= 1
                current[var.name] = cand
                if _safe(holds, current):
                    break
                current[var.name] = now
        return current


def _safe(holds: Predicate, patient: Mapping[str, Value]) -> bool:
    try:
        return holds(patient)
    except MissingValue:
        return False


def patient_data(model: m.Model, patient: Mapping[str, Value], findings: Iterable[str]) -> dict[str, JsonValue]:
    """All inputs, and the given findings, in declaration order."""
    shown = set(findings)
    return {
        v.name: data_value(patient[v.name])
        for v in model.variables
        if v.name in patient and (not v.is_finding or v.name in shown)
    }


def path_steps(
    graph: DecisionGraph,
    prod: Product,
    path: Sequence[tuple[int, GuardKey]],
    patient: Mapping[str, Value],
) -> tuple[list[dict[str, str]], list[str]]:
    """Readable steps of a product path, and the findings revealed along it."""
    model = graph.model
    steps: list[dict[str, str]] = []
    revealed: list[str] = []
    for k, (i, _) in enumerate(path):
        node = prod.nodes[i][0]
        attrs = graph.graph.nodes[node]
        kind = attrs["kind"]
        nxt = path[k + 1][1] if k + 1 < len(path) else None
        if kind == "decision":
            decision = model.decision(attrs["decision"])
            if nxt is not None:
                rule = decision.rules[nxt[1] - 1]
                steps.append(
                    {
                        "text": f"decision {decision.name} ({decision.title}): rule {rule_name(rule)} "
                        f"applies: {rule_text(rule)}",
                        "location": location(rule.cond_span),
                    }
                )
            else:
                steps.append(
                    {
                        "text": f"decision {decision.name} ({decision.title})",
                        "location": location(decision.span),
                    }
                )
        elif kind == "order":
            steps.append({"text": "order " + ", ".join(attrs["actions"]), "location": location(attrs["span"])})
            for f in attrs["reveals"]:
                if f in patient and f not in revealed:
                    revealed.append(f)
                    var = model.variable(f)
                    steps.append(
                        {
                            "text": f"finding {f} = {show_value(patient[f])}",
                            "location": location(var.span),
                        }
                    )
        elif node == LIMIT_NODE:
            steps.append({"text": "revisit limit reached: the pathway stops without a disposition", "location": ""})
        else:
            disp = model.disposition(attrs["disposition"])
            steps.append({"text": f"end {disp.name} ({disp.title})", "location": location(disp.span)})
    return steps, revealed


def make_data(
    check: str,
    verdict: str,
    *,
    patient: Mapping[str, JsonValue] | None = None,
    path: list[dict[str, str]] | None = None,
    region: str | None = None,
    reason: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {"check": check, "verdict": verdict}
    if patient is not None:
        out["patient"] = dict(patient)
    if path is not None:
        out["path"] = path
    if region is not None:
        out["region"] = region
    if reason is not None:
        out["reason"] = reason
    out.update(extra)
    return out
