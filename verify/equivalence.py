"""Does an edited decision change what any patient gets? (equivalent mutants, `veripath mutate`)

`compare_decision(graph, after, edited, options)` compares a decision of a compiled pathway
with an edited copy of it (`after`, same name, over the same inputs and findings; `edited`,
the pathway with it); `compare_decisions` compares several at once (a mutated `define`
changes every decision that uses it). They are *equivalent* when every patient who can reach
the decision (satisfying the assumptions, along some path of the original pathway) gets the
same outcome from both: the same orders, then the same next decision or disposition. The
rule that applies follows the decision's hit policy (see `verify.reach`); rules that differ
only in their label, rating, citations or notes are the same outcome.

Why this is enough: take any patient. The two pathways differ only at these decisions, so
the patient's paths through them agree up to the first visit of one of them; that visit is
a visit of the original pathway, so the outcome there agrees too, and so on along the
whole path. Equivalent versions give every patient the same orders and disposition.

The converse does not hold: a patient whose outcome at the decision changes may still end
the same way (a `then` swapped for a decision that does the same). Such a version is
reported as different, with the patient (`Difference.patient`) and what each version
gives them; `Difference.ends_alike` says when the whole path ends the same.

One query, on a fresh verifier of the original pathway (so the answer does not depend on
what was asked before): is there a patient who reaches the decision and for whom a rule of
one version and a rule of the other with different outcomes both apply, or to whom one
version applies a rule and the other none?
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from compiler.graph import DecisionGraph
from compiler.lower import reading_latest
from dsl import model as m
from dsl.model import Value
from verify.evaluate import evaluate
from verify.pathway import PathwayVerifier
from verify.reach import Guards
from verify.results import SolverOptions, Verdict
from verify.simulate import Trace, simulate
from verify.solver import Patient


@dataclass(frozen=True)
class Difference:
    """How the two versions compare: PROVED equivalent, REFUTED (with a patient), or UNKNOWN."""

    verdict: Verdict
    patient: Patient | None = None  # REFUTED: a patient (simplified) whose outcome at the decision changes
    before: Trace | None = None  # that patient through the original pathway
    after: Trace | None = None  # and through the edited one
    reason: str | None = None  # UNKNOWN: the solver's reason

    @property
    def ends_alike(self) -> bool:
        """The patient's whole path still ends with the same orders and disposition."""
        return self.before is not None and self.after is not None and _outcome(self.before) == _outcome(self.after)


def _outcome(t: Trace) -> tuple[tuple[m.OrderItem, ...], str | None, str | None]:
    return (t.orders, t.end, t.error)


def compare_decisions(
    graph: DecisionGraph, after: Sequence[m.Decision], edited: DecisionGraph, options: SolverOptions
) -> Difference:
    """Compare decisions of `graph` with edited copies of them (`after`, same names; `edited`:
    the pathway with them in it): equivalent when each gives every patient who can reach it the
    same outcome as its original."""
    pv = PathwayVerifier(graph, options)
    enc = pv.enc
    other = Guards(enc)
    differ = []
    for d in after:
        # each table of the decision: itself, and (after a repeated study) its copies reading later results
        for key in pv.tables(d.name):  # none: not in the graph, no patient reaches it
            nodes = pv.decision_nodes(key)
            before = pv.model.decision(key)
            old = pv.guards.effective(key)
            new = other.effective_of(reading_latest(d, before.latest))
            ways = [
                enc.and_([g, h])
                for r, g in zip(before.rules, old, strict=True)
                for s, h in zip(d.rules, new, strict=True)
                if r.outcome != s.outcome
            ]
            ways.append(enc.and_([enc.or_(old), enc.not_(enc.or_(new))]))
            ways.append(enc.and_([enc.or_(new), enc.not_(enc.or_(old))]))
            differ.append(enc.and_([enc.or_(pv.reach_expr(i) for i in nodes), enc.or_(ways)]))
    if not differ:
        return Difference(Verdict.PROVED)
    res = pv.session.query(enc.or_(differ), *other.defs)
    if res.verdict is not Verdict.REFUTED:
        return Difference(res.verdict, reason=res.reason)
    assert res.model is not None
    model = graph.fresh_model  # the assumptions for every result of a repeated study

    def changes(p: Mapping[str, Value]) -> bool:
        if not all(evaluate(a.cond, p) for a in model.assumptions):
            return False
        return _outcome(simulate(graph, p)) != _outcome(simulate(edited, p))

    patient = pv.minimiser.improve(res.model, changes)
    return Difference(Verdict.REFUTED, patient, simulate(graph, patient), simulate(edited, patient))


def compare_decision(
    graph: DecisionGraph, after: m.Decision, edited: DecisionGraph, options: SolverOptions
) -> Difference:
    """Compare decision `after.name` of `graph` with `after` (`edited`: the pathway with `after` in it)."""
    return compare_decisions(graph, [after], edited, options)
