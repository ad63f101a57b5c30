"""The shared driver of a decision table's checks: rules as boxes, their index, and helpers.

`DecisionChecker` extracts every rule's box once, indexes the boxes, and keeps what the
checks learn (which rules are live, their witnesses) so that later checks reuse it; each
check lives in its own module (dead, masked, conflict, gap) and takes the checker.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from dsl import model as m
from dsl.evidence import Assignment, PathStep
from dsl.model import Value
from verify.bitset import bits_of
from verify.box import Box
from verify.boxindex import rule_boxes
from verify.context import Context
from verify.counterexample import (
    Minimiser,
    assignments,
    define_steps,
    rule_name,
)
from verify.reach import applicable, rule_score
from verify.results import CheckResult, Verdict
from verify.solver import Patient
from verify.space import collect_constants
from verify.tables import conflict, dead, gap, masked

MAX_GAPS = 20  # uncovered regions reported per decision


@dataclass
class RuleInfo:
    """A main rule with its box and what the checks learned about it."""

    rule: m.Rule
    box: Box | None  # None: matches nothing (exact)
    exact: bool
    live: bool | None = None  # None: unknown
    witness: Patient | None = None  # a patient in the context matching the rule
    point: dict[str, Value] | None = None  # values making a witness from any context patient


class DecisionChecker:
    """Checks one decision table in a context; `run` returns every check's result."""

    def __init__(
        self,
        decision: m.Decision,
        ctx: Context,
        *,
        max_gaps: int = MAX_GAPS,
        minimiser: Minimiser | None = None,
    ) -> None:
        self.decision = decision
        self.ctx = ctx
        self.enc = ctx.enc
        self.model = ctx.enc.model
        self.max_gaps = max_gaps
        self._minimiser: Minimiser | None = minimiser
        self.otherwise_witness: Patient | None = None
        # the rules as boxes, shared with the replay of patients through the graph (`reach.Firing`)
        self.boxes = rule_boxes(self.model, decision)
        self.otherwise = self.boxes.otherwise
        self.main = self.boxes.main
        self.space = self.boxes.space
        self.infos: list[RuleInfo] = [
            RuleInfo(rule=r, box=box, exact=exact)
            for r, box, exact in zip(self.main, self.boxes.boxes, self.boxes.exact, strict=True)
        ]
        self.index = self.boxes.index
        self.all_exact = all(i.exact for i in self.infos)
        # comparisons over several numbers (`x < y`, `size_cm > 2 * depth_cm`) as `sum(coef * var) op k`
        self.linear = self.boxes.linear
        self.findings_used = [d.var for d in self.space.dims if self.model.variable(d.var).is_finding]
        n = len(self.infos)
        self._by_score: dict[int, int] = {}
        if decision.hit_policy == "priority":
            for s in {rule_score(i.rule) for i in self.infos}:
                self._by_score[s] = bits_of([k for k in range(n) if rule_score(self.infos[k].rule) > s], n)

    # -- helpers ---------------------------------------------------------------------------
    @property
    def minimiser(self) -> Minimiser:
        """Simplifies counterexamples, built on first use (most tables report nothing)."""
        if self._minimiser is None:
            # thresholds of this table (and of the assumptions and context), not the whole model
            constants = {k: set(v) for k, v in self.space.constants.items()}
            extra: dict[str, set[Fraction]] = {}
            for c in self.ctx.conds:
                collect_constants(c, set(), extra)
            for k, v in extra.items():
                constants.setdefault(k, set()).update(v)
            self._minimiser = Minimiser(self.model, constants)
        return self._minimiser

    @property
    def name(self) -> str:
        """The decision's name."""
        return self.decision.name

    def check_id(self, kind: str, *rules: m.Rule) -> str:
        """The stable id of a check, e.g. "dead:next_study:r2" (ids key results across runs)."""
        return ":".join([kind, self.name, *(rule_name(r) for r in rules)])

    def point_of(self, p: Mapping[str, Value]) -> Box:
        """The one-patient box of a full patient."""
        point = self.boxes.point(p)
        return self.space.point_box(p) if point is None else point

    def matched(self, p: Mapping[str, Value], among: int | None = None) -> list[int]:
        """0-based indices of the main rules matching a full patient (via the index)."""
        return list(self.boxes.matched(self.point_of(p), p, among))

    def applies(self, p: Mapping[str, Value]) -> tuple[int, ...]:
        """1-based indices of the rules that apply to a patient under the hit policy."""
        matched = [self.infos[k].rule.index for k in self.matched(p)]
        if not matched and self.otherwise is not None:
            matched = [self.otherwise.index]
        return applicable(self.decision, matched)

    def pre_mask(self, k: int) -> int:
        """Main rules that pre-empt rule k (first: earlier; priority: higher score)."""
        if self.decision.hit_policy == "first":
            return (1 << k) - 1
        return self._by_score.get(rule_score(self.infos[k].rule), 0)

    def shown(self, p: Patient, revealed: Sequence[str]) -> tuple[Assignment, ...]:
        """The values of a counterexample worth showing: those the path and the table read."""
        return assignments(self.model, p, [*revealed, *self.findings_used])

    def path(
        self, p: Patient, final: str, final_span: Any, explain: Sequence[m.Rule] = ()
    ) -> tuple[list[PathStep], list[str]]:
        """The patient's path to the decision, ending in `final` (then whether each named condition of
        the `explain` rules holds for the patient); and the findings revealed on it."""
        steps, revealed = self.ctx.path(p)
        if not steps:
            steps = [
                PathStep(kind="decision", text=f"decision {self.name} ({self.decision.title})", span=self.decision.span)
            ]
        steps = [
            *steps,
            PathStep(kind="final", text=final, span=final_span),
            *define_steps(self.model, p, *(r.cond for r in explain)),
        ]
        return steps, revealed

    @staticmethod
    def proved(check: str, t0: float) -> CheckResult:
        """A passed check, timed from `t0`."""
        return CheckResult(check, Verdict.PROVED, None, time.perf_counter() - t0)

    # -- entry -----------------------------------------------------------------------------
    def run(self) -> list[CheckResult]:
        """Every check of the table, in report order (later checks reuse earlier witnesses)."""
        out = dead.check_dead(self)
        if self.decision.hit_policy in ("first", "priority"):
            out.extend(masked.check_masked(self))
        if self.decision.hit_policy != "first":
            out.extend(conflict.check_conflicts(self))
        out.extend(gap.check_gaps(self))
        return out

    def rule_witness(self, info: RuleInfo) -> Patient:
        """A patient the live rule matches; made on demand when the dead check skipped it."""
        if info.witness is None:
            assert info.box is not None and self.ctx.trivial and info.exact
            info.witness = self.ctx.witness_in(self.space, info.box)
            assert info.witness is not None
        return info.witness

    def witness_of(self, index: int) -> Patient | None:
        """A patient in the context to whom rule `index` (1-based) applies, if one is known."""
        for info in self.infos:
            if info.rule.index != index:
                continue
            if info.live is not True:
                return None
            w = info.witness
            if w is None and self.ctx.trivial and info.exact and info.box is not None:
                w = self.rule_witness(info)
            if w is not None and index in self.applies(w):
                return w
            return None
        if self.otherwise is not None and self.otherwise.index == index:
            return self.otherwise_witness
        return None
