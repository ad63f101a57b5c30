"""Shared helpers of the export tests: tables for a graph, patients, agreement with the simulator."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from compiler.export_json import export_json, fact_json
from compiler.graph import LIMIT_NODE, DecisionGraph
from compiler.json_eval import Result, Tables, run
from compiler.stamp import VerificationStamp
from dsl import model as m
from dsl.cond import reads
from dsl.model import Fact, Value, gather_facts, result_key, split_result
from dsl.source import Span
from tests.verify.reference import thresholds
from verify import simulate

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").glob("*.vp"))


def norm_orders(items: Iterable[Any], *, as_set: bool = False) -> tuple[Any, ...]:
    """Orders from any evaluator as plain data: an action name, or a choice as the tuple of its
    options (each a tuple of action names); `as_set`: the options sorted (a choice is a set)."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif hasattr(item, "action"):  # an Order of the generated module
            out.append(item.action)
        else:  # a model Choice, the evaluator's OneOf, the module's OneOf, or a tuple of options
            options = item.options if hasattr(item, "options") else item
            opts = tuple(tuple(a if isinstance(a, str) else a.action for a in o) for o in options)
            out.append(tuple(sorted(set(opts))) if as_set else opts)
    return tuple(out)


def matches(expected: tuple[str, ...], items: Iterable[Any]) -> bool:
    """Whether the expected orders are one of the sequences `items` stands for (one option per choice)."""
    model_items = tuple(
        i if isinstance(i, str) else m.Choice(options=i, span=Span.point("-", 1, 1)) for i in norm_orders(items)
    )
    return m.orders_match(expected, model_items)


def tables_of(graph: DecisionGraph, root: Path = ROOT) -> Tables:
    """The tables as an embedder sees them: exported to text and parsed back."""
    return Tables.from_text(export_json(graph, verification=VerificationStamp.unverified(), root=str(root)))


def as_json(patient: Mapping[str, Fact]) -> dict[str, object]:
    """Facts as an embedder gives them (a finding's several results as a list); a patient keyed by
    result (`res#2`, as the simulator names what it needs) is gathered first (`facts`)."""
    return {k: fact_json(v) for k, v in facts(patient).items()}


def facts(patient: Mapping[str, Fact]) -> dict[str, Fact]:
    """Results keyed `res#2` gathered into their finding's list (an earlier result that is not
    given, and that the path therefore never read, becomes the later one: never read either)."""
    flat: dict[str, Value] = {}
    for k, v in patient.items():
        if isinstance(v, tuple):
            flat.update((result_key(k, j), x) for j, x in enumerate(v, start=1))
        else:
            flat[k] = v
    for key in list(flat):
        name, result = split_result(key)
        for j in range(1, result):
            flat.setdefault(result_key(name, j), flat[key])
    return gather_facts(flat)


def agree(graph: DecisionGraph, tables: Tables, patient: Mapping[str, Fact]) -> Result:
    """The evaluator and the simulator give the same run for `patient` (partial or not)."""
    trace = simulate(graph, patient)
    result = run(tables, json.loads(json.dumps(as_json(patient))))
    where = f"patient {dict(patient)}"
    assert norm_orders(result.orders) == norm_orders(trace.orders), where
    assert result.rules == tuple(s.rule for s in trace.steps if s.kind == "decision"), where
    if trace.error is None:
        assert (result.status, result.end) == ("end", trace.end), where
        return result
    assert result.end is None, where
    if trace.missing:
        assert result.status == "needs", where
        # the evaluator names the finding, and says which of its results it waits for
        assert [result_key(n, result.result_needed(n)) for n in result.needs] == list(trace.missing), where
        assert result.stopped_at == trace.decision, where
    elif trace.steps[-1].node == LIMIT_NODE:
        assert result.status == "revisit_limit", where
    else:
        expected = "conflict" if "different outcomes" in trace.error else "gap"
        assert result.status == expected, where
        assert result.stopped_at == trace.decision, where
    return result


def boundary_values(model: m.Model, var: m.Variable) -> list[Value]:
    """Every value of a finite domain; for numbers, each threshold, the bounds, and ± the smallest step."""
    t = var.type
    if isinstance(t, m.BoolType):
        return [False, True]
    if isinstance(t, m.EnumType):
        return list(t.values)
    assert isinstance(t, m.NumberType)
    if t.integer and t.high - t.low <= 50:
        return [Fraction(i) for i in range(int(t.low), int(t.high) + 1)]
    points = {t.low, t.high, *(x for x in thresholds(model).get(var.name, ()) if t.low <= x <= t.high)}
    if t.integer:
        points = {Fraction(math.floor(p) + k) for p in points for k in (0, 1)}  # whole numbers at each threshold
    ordered = sorted(points)
    if t.integer:
        step = Fraction(1)
    else:
        gaps = [b - a for a, b in itertools.pairwise(ordered)]
        step = min([Fraction(1, 100), *(g / 4 for g in gaps)])
    out = {p + d for p in ordered for d in (-step, Fraction(0), step)}
    return sorted(x for x in out if t.low <= x <= t.high)


def explore(graph: DecisionGraph, tables: Tables) -> Iterator[dict[str, Value]]:
    """Every class of patients, exhaustively, by the values the path reads.

    From the empty patient, each run is extended one variable at a time: the first
    variable that a rule of a decision on the path reads and the patient does not give
    is branched on over all its values (`boundary_values`). A leaf gives every variable
    read by any rule of every decision on its path, so every full patient that extends
    it takes the same path. Every partial patient on the way is yielded too. After a
    repeated study a decision reads the latest result: the patient gives it under its
    result key (`res#2`), as the simulator names it.
    """
    model = graph.fresh_model
    read_by = {key: [v for r in model.decision(key).rules for v, _ in reads(r.cond)] for key in _tables(graph)}
    values = {v.name: boundary_values(graph.model, model.variable(v.finding)) for v in model.variables}
    stack: list[dict[str, Value]] = [{}]
    while stack:
        patient = stack.pop()
        yield patient
        result = run(tables, as_json(patient))
        trace = simulate(graph, patient)
        decisions = [
            graph.table_key(s.node) for s in trace.steps if s.kind in ("decision", "stop") and s.node != LIMIT_NODE
        ]
        assert len(decisions) == len([s for s in result.steps if hasattr(s, "decision")])
        unbound = next((v for d in decisions for v in read_by[d] if v not in patient), None)
        if unbound is not None:
            stack.extend({**patient, unbound: x} for x in reversed(values[unbound]))


def _tables(graph: DecisionGraph) -> list[str]:
    """The decisions of the graph as it applies them (a decision, or its copy reading later results)."""
    return list(dict.fromkeys(graph.table_key(n) for n in graph.decision_nodes()))
