"""Shared helpers of the verify tests: loading specs and checking counterexamples."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from compiler.graph import DecisionGraph
from dsl import model as m
from dsl.cond import reads
from dsl.diagnostics import Diagnostic
from dsl.evidence import Counterexample
from dsl.model import Fact, Value, flatten_facts
from tests.verify import reference as ref
from verify import Report, Verdict
from verify.context import default_patient
from verify.evaluate import evaluate, normalise_value
from veripath.api import load_spec

DATA = Path(__file__).resolve().parent.parent / "data" / "verify"
LOCATION = re.compile(r"^.+:\d+:\d+$")


def load_graph(name_or_path: str | Path) -> DecisionGraph:
    path = Path(name_or_path)
    if not path.is_absolute() and not path.exists():
        path = DATA / name_or_path
    loaded = load_spec(str(path))
    assert loaded.graph is not None, [str(d) for d in loaded.diagnostics]
    return loaded.graph


def refuted(report: Report) -> set[tuple[str, str]]:
    """(check id, code) of every refuted check (gap ids without their ':k' suffix)."""
    out = set()
    for r in report.results:
        if r.verdict is Verdict.REFUTED:
            assert r.diagnostic is not None
            out.add((base_id(r.check), r.diagnostic.code.code))
    return out


# -- inline expectations -----------------------------------------------------------------------
# A planted spec says what the verifier must find where it must find it: a comment
#
#     rule r2 when size_cm < 5 end painful unrated "t" cite src  # expect: VP304 masked:triage:r2
#
# on the line the finding points at (the comment's own line is the expected line, so nothing
# hard-codes a line number). The check id runs to the end of its comment (example ids have spaces);
# several findings on one line are several comments, and a plain comment may follow:
# '# expect: VP302 conflict:t:r1:r3  # expect: VP302 conflict:t:r2:r3  # why'. Gap ids are written
# without the ':k' of the region (see `base_id`). A spec without '# expect:' must verify clean.
_EXPECT = re.compile(r"expect:\s*(?P<code>VP\d{3})\s+(?P<check>\S.*?)\s*$")


@dataclass(frozen=True, order=True)
class Expected:
    line: int
    code: str
    check: str


def expectations(path: Path) -> list[Expected]:
    """The '# expect:' comments of a spec, sorted; a comment that mentions 'expect' but does not
    parse fails the test (a typo must not silently drop an expectation)."""
    out: list[Expected] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        _, hash_, comment = line.partition("#")
        if not hash_:
            continue
        for part in comment.split("#"):
            part = part.strip()
            if not re.search(r"\bexpect\b", part, re.IGNORECASE):
                continue
            m = _EXPECT.fullmatch(part)
            assert m is not None, f"{path.name}:{number}: malformed expectation {part!r}"
            out.append(Expected(number, m["code"], m["check"]))
    assert len(out) == len(set(out)), f"{path.name}: an expectation is repeated"
    return sorted(out)


def findings(report: Report, path: Path) -> list[Expected]:
    """What the verifier found, in the form of `expectations` (each gap region once), sorted."""
    out = set()
    for r in report.results:
        if r.diagnostic is None:  # a passed example may carry a warning about itself (VP319)
            assert r.verdict is Verdict.PROVED, r.check
            continue
        assert r.diagnostic.span is not None, r.check
        assert Path(r.diagnostic.span.file).resolve() == path.resolve(), r.diagnostic.span
        out.add(Expected(r.diagnostic.span.line, r.diagnostic.code.code, base_id(r.check)))
    return sorted(out)


def base_id(check: str) -> str:
    parts = check.split(":")
    if parts[0] == "gap":
        return ":".join(parts[:2])
    return check


def full_patient(source: DecisionGraph | m.Model, data: Mapping[str, Any]) -> dict[str, Value]:
    """A counterexample's patient, with defaults for values it does not show (a finding's
    results, `us_result = nondiagnostic then benign`, under their result keys)."""
    model = source.fresh_model if isinstance(source, DecisionGraph) else source
    p: dict[str, Value] = dict(default_patient(model))
    for k, v in flatten_facts(data).items():
        p[k] = normalise_value(model.variable(k), v)
    return p


def rule_by_name(decision: m.Decision, name: str) -> m.Rule:
    for r in decision.rules:
        if ref.rule_name(r) == name:
            return r
    raise KeyError(name)


def validate(graph: DecisionGraph, diag: Diagnostic) -> None:
    """The counterexample of a refuted check really exhibits the problem."""
    evidence = diag.evidence
    assert evidence is not None and evidence.verdict == "refuted"
    cex = evidence.counterexample
    if cex is None:
        return
    for step in cex.path:
        assert step.location == "" or LOCATION.match(step.location), step
    if not cex.patient:
        return
    for a in cex.patient:
        values = a.value if isinstance(a.value, tuple) else (a.value,)
        assert values and all(isinstance(v, str | bool | Fraction) for v in values), a
    if evidence.check.startswith("gap"):
        assert cex.region is not None and cex.region.text()
        assert cex.region.contains(cex.values()), "the patient is outside the region reported"
    if evidence.check.startswith("property:"):
        shows_every_tested_fact(graph.model, evidence.check.split(":", 1)[1], cex)
    validate_patient(graph, evidence.check, cex.values())


def shows_every_tested_fact(model: m.Model, prop_name: str, cex: Counterexample) -> None:
    """A property counterexample names every fact the property's condition tests: an input or a
    revealed finding with its value, or a finding the last step says is not known there."""
    prop = next(x for x in model.properties if x.name == prop_name)
    if prop.condition is None:
        return
    shown = cex.values()
    final = next((step.text for step in cex.path if step.kind == "final"), "")
    unknown = re.search(r"\(([\w, ]+) (?:is|are) not known at this point", final)
    not_known = set(unknown.group(1).split(", ")) if unknown else set()
    for var, _ in reads(prop.condition):
        assert var in shown or var in not_known, f"the counterexample of {prop_name} omits {var}"
        assert not (var in shown and var in not_known), f"{var} is shown and said to be unknown"


def validate_patient(graph: DecisionGraph, check: str, patient: Mapping[str, Fact]) -> None:
    """`patient` (facts the counterexample shows; defaults for the rest) exhibits the finding of `check`
    at some visit of its decision (where the decision reads each finding's latest result)."""
    model = graph.model
    p = full_patient(graph, patient)
    results = ref.results(model, graph)

    def admitted(q: Mapping[str, Value]) -> bool:
        return all(evaluate(a.cond, v) for a in model.assumptions for v in ref.every_result(model, q, results))

    if not admitted(p):
        # the defaults for what the counterexample does not show break an assumption (one that
        # reads a finding the path never shows): complete it with values that satisfy them
        shown = flatten_facts(patient)
        p = next((q for q in ref.patients(model, graph) if all(q[k] == v for k, v in shown.items())), p)
    assert admitted(p), "the patient breaks an assumption"
    kind, *rest = check.split(":")
    if kind == "gap":
        decision = model.decision(rest[0])
        seen = ref.visits(graph, p, decision.name)
        assert any(not any(evaluate(r.cond, q) for r in decision.rules) for q in seen), "reached, and covered"
    elif kind in ("conflict", "redundant"):
        decision = model.decision(rest[0])
        a, b = rule_by_name(decision, rest[1]), rule_by_name(decision, rest[2])
        seen = ref.visits(graph, p, decision.name)
        assert any(a in app and b in app for q in seen for app in [ref.applicable(decision, q)])
    elif kind == "masked":
        decision = model.decision(rest[0])
        rule = rule_by_name(decision, rest[1])
        seen = ref.visits(graph, p, decision.name)
        assert any(evaluate(rule.cond, q) and rule not in ref.applicable(decision, q) for q in seen)
    elif kind == "property":
        prop = next(x for x in model.properties if x.name == rest[0])
        assert any(ref.violates(graph, prop, p, path) for path in ref.paths(graph, p)), "no violating path"
    else:
        raise AssertionError(f"unexpected patient for {check}")


def number(x: int | float) -> Fraction:
    return Fraction(repr(x)) if isinstance(x, float) else Fraction(x)
