"""Shared helpers: load a generated module, enumerate patients, compare with the simulator."""

from __future__ import annotations

import importlib.util
import itertools
import math
import random
import sys
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

from compiler.graph import DecisionGraph
from compiler.stamp import Stamp
from dsl import model as m
from dsl.model import Fact, Value, gather_facts, result_key, split_result
from tests.export.support import norm_orders
from tests.verify.reference import thresholds
from verify.simulate import Trace, simulate

ROOT = Path(__file__).resolve().parents[2]
STEP = Fraction(1, 1000)  # the smallest step tried around a real threshold


def FakeStamp(proved: tuple[str, ...] = ()) -> Stamp:
    """The verified stamp (the exporters also read `proved` when a stamp carries it)."""
    del proved
    return Stamp(verdict="verified")


def import_text(text: str, folder: Path, name: str) -> ModuleType:
    path = folder / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def candidates(model: m.Model, var: m.Variable) -> list[Value]:
    """Every value of a finite domain; for numbers every threshold, its neighbours and the bounds."""
    t = var.type
    if isinstance(t, m.BoolType):
        return [False, True]
    if isinstance(t, m.EnumType):
        return list(t.values)
    points: set[Fraction] = {t.low, t.high, *thresholds(model).get(var.name, ())}
    if t.integer:  # whole numbers around each threshold (a half-point threshold lies between two)
        out = {Fraction(math.floor(p) + k) for p in points for k in (-1, 0, 1, 2)}
    else:
        out = {p + k * STEP for p in points for k in (-1, 0, 1)}
    return sorted(x for x in out if t.low <= x <= t.high)


def patients(graph: DecisionGraph, *, fills: int = 2, seed: int = 0) -> Iterator[dict[str, Value]]:
    """Every way through the pathway: partial patients branched on each value the path needs,
    and at every end `fills` complete patients (unread values filled at random). A finding of
    a repeated study has a value per result, under its result key (`res#2`: see `facts`)."""
    model = graph.model
    rng = random.Random(seed)
    cands = {v.name: candidates(model, v) for v in graph.fresh_model.variables}
    stack: list[dict[str, Value]] = [{}]
    while stack:
        patient = stack.pop()
        yield patient
        trace = simulate(graph, patient)
        if trace.missing:
            name = trace.missing[0]
            for value in reversed(cands[name]):
                stack.append({**patient, name: value})
            continue
        for _ in range(fills):
            yield {n: patient[n] if n in patient else rng.choice(vals) for n, vals in cands.items()}


def facts(graph: DecisionGraph, patient: Mapping[str, Value]) -> dict[str, Fact]:
    """A patient as an embedder gives it: a finding's results as a list, in order. An earlier
    result the path never read is filled in with the first value of its domain (the path
    stays the same: no decision on it reads that result)."""
    flat = dict(patient)
    for key in patient:
        name, k = split_result(key)
        for j in range(1, k):
            earlier = result_key(name, j)
            if earlier not in flat:
                flat[earlier] = candidates(graph.model, graph.fresh_model.variable(earlier))[0]
    return gather_facts(flat)


def all_complete(graph: DecisionGraph) -> Iterator[dict[str, Value]]:
    model = graph.model
    names = [v.name for v in model.variables]
    for combo in itertools.product(*(candidates(model, v) for v in model.variables)):
        yield dict(zip(names, combo, strict=True))


def expected(trace: Trace) -> tuple[Any, ...]:
    """The simulator's answer, in the form `answer()` gives for the generated module."""
    problem = None
    if trace.error is not None and not trace.missing:
        error = trace.error
        problem = "revisit_limit" if "revisit" in error else "conflict" if "both match" in error else "no_rule"
    rules = tuple(s.rule for s in trace.steps if s.kind == "decision")
    needs = tuple(split_result(n)[0] for n in trace.missing)  # the module names the finding
    return (norm_orders(trace.orders), trace.end, needs, problem, rules)


def answer(path: Any) -> tuple[Any, ...]:
    disposition = path.disposition.name if path.disposition is not None else None
    orders = norm_orders(path.orders)
    return (orders, disposition, tuple(path.needs), path.problem, tuple(s.rule for s in path.steps))
