"""The benchmarks' view of the verifier: calling it, and reading its reports.

Only the public API of `verify` is used (`verify_graph`, `verify.tables.check_decision`,
`verify.baseline`), imported lazily so the generators and the brute force still work
while the verifier is missing or broken. Check ids follow `verify`: `gap:D[:k]`,
`conflict:D:R1:R2`, `redundant:D:R1:R2`, `masked:D:R`, `dead:D:R`, `property:P`, ...
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from compiler.graph import DecisionGraph
from dsl import model as m


class VerifierUnavailable(Exception):
    """The verifier (or the part of it a measurement needs) cannot be imported."""


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except Exception as exc:  # ImportError, or a half-written module that fails to import
        raise VerifierUnavailable(f"{name}: {type(exc).__name__}: {exc}") from exc


def _attr(module: str, name: str) -> Any:
    mod = _module(module)
    if not hasattr(mod, name):
        raise VerifierUnavailable(f"{module} has no {name}")
    return getattr(mod, name)


def options(**overrides: Any) -> Any:
    """verify.SolverOptions(), with overrides for the fields it has."""
    cls = _attr("verify", "SolverOptions")
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in overrides.items() if k in names})


def verify_graph(graph: DecisionGraph, opts: Any = None) -> list[Any]:
    """The CheckResults of verify.verify_graph."""
    fn = _attr("verify", "verify_graph")
    report = fn(graph, opts if opts is not None else options())
    return list(report.results)


def check_decision(model: m.Model, decision: m.Decision, opts: Any = None, **kw: Any) -> list[Any]:
    fn = _attr("verify.tables", "check_decision")
    accepted = inspect.signature(fn).parameters
    kw = {k: v for k, v in kw.items() if k in accepted}
    return list(fn(model, decision, None, opts if opts is not None else options(), **kw))


def naive_function() -> Callable[..., Any]:
    """The naive pairwise baseline of verify.baseline (check_decision_naive)."""
    return _attr("verify.baseline", "check_decision_naive")  # type: ignore[no-any-return]


def naive_check_decision(model: m.Model, decision: m.Decision, opts: Any = None) -> list[Any]:
    fn = naive_function()
    return list(fn(model, decision, None, opts if opts is not None else options()))


# ---- reading results ------------------------------------------------------------------------------


def verdict_name(result: Any) -> str:
    v = result.verdict
    return str(getattr(v, "name", v)).upper()


@dataclass
class Findings:
    """What a verifier report says, by kind; rule ids are `decision.label`."""

    gaps: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # decision -> gap patients
    gap_regions: dict[str, list[str]] = field(default_factory=dict)
    conflicts: set[frozenset[str]] = field(default_factory=set)
    redundant: set[frozenset[str]] = field(default_factory=set)
    masked: set[str] = field(default_factory=set)
    dead: set[str] = field(default_factory=set)
    unreachable: set[str] = field(default_factory=set)
    properties: dict[str, str] = field(default_factory=dict)  # property -> PROVED | REFUTED | UNKNOWN
    counterexamples: dict[str, dict[str, Any]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # refuted checks of kinds not listed above
    checks: int = 0
    seconds_by_kind: dict[str, float] = field(default_factory=dict)
    count_by_kind: dict[str, int] = field(default_factory=dict)

    def refuted_counts(self) -> dict[str, int]:
        return {
            "gaps": sum(len(v) for v in self.gaps.values()),
            "conflicts": len(self.conflicts),
            "redundant": len(self.redundant),
            "masked": len(self.masked),
            "dead": len(self.dead),
            "unreachable": len(self.unreachable),
            "properties_refuted": sum(v == "REFUTED" for v in self.properties.values()),
            "unknown": len(self.unknown),
            "other": len(self.other),
        }


def _rule_ids(decision: str, labels: Iterable[str]) -> list[str]:
    return [f"{decision}.{label}" for label in labels]


def read(results: Iterable[Any]) -> Findings:
    f = Findings()
    for r in results:
        f.checks += 1
        check = str(r.check)
        parts = check.split(":")
        kind = parts[0]
        f.seconds_by_kind[kind] = f.seconds_by_kind.get(kind, 0.0) + float(getattr(r, "seconds", 0.0) or 0.0)
        f.count_by_kind[kind] = f.count_by_kind.get(kind, 0) + 1
        verdict = verdict_name(r)
        evidence = r.diagnostic.evidence if r.diagnostic is not None else None
        cex = evidence.counterexample if evidence is not None else None
        if kind == "property" and len(parts) >= 2:
            f.properties[parts[1]] = verdict
            if verdict == "REFUTED" and cex is not None:
                f.counterexamples[parts[1]] = cex.values()
        if verdict == "UNKNOWN":
            reason = evidence.reason if evidence is not None else None
            f.unknown.append(f"{check} ({reason})" if reason else check)
            continue
        if verdict != "REFUTED" or kind == "property":
            continue
        if kind == "gap":
            f.gaps.setdefault(parts[1], []).append(cex.values() if cex is not None else {})
            region = cex.region if cex is not None else None
            f.gap_regions.setdefault(parts[1], []).append(region.text() if region is not None else "")
        elif kind in ("conflict", "redundant") and len(parts) >= 4:
            rules = list(evidence.rules if evidence is not None else ()) or _rule_ids(parts[1], parts[2:4])
            (f.conflicts if kind == "conflict" else f.redundant).add(frozenset(rules))
        elif kind == "masked" and len(parts) >= 3:
            f.masked.add(f"{parts[1]}.{parts[2]}")
        elif kind == "dead" and len(parts) >= 3:
            f.dead.add(f"{parts[1]}.{parts[2]}")
        elif kind == "unreachable":
            f.unreachable.add(":".join(parts[1:]))
        else:
            f.other.append(check)
    return f


# ---- sub-tables for the sampled naive baseline --------------------------------------------------


def sub_table(model: m.Model, decision: m.Decision, rules: list[m.Rule]) -> tuple[m.Model, m.Decision]:
    """The model with one decision holding only `rules` (renumbered, labels kept)."""
    kept = tuple(dataclasses.replace(r, index=i) for i, r in enumerate(rules, start=1))
    sub = dataclasses.replace(decision, rules=kept)
    return dataclasses.replace(model, decisions=(sub,), start=sub.name, properties=(), examples=()), sub
