"""Decision checks: gaps, conflicts, redundant overlaps, masked and dead rules.

Every check is about the patients who can reach the decision (its Context), not all
combinations of inputs. The work is done on boxes where rules are boxes:

  dead     a typical point of the rule's box, completed from a sample patient of the
           context, is a witness; Z3 only when that point leaves the context.
  masked   (first, priority) a witness of the rule that no pre-empting rule matches;
           else the part of the box the pre-empting boxes leave uncovered; else Z3.
  conflict candidate pairs from per-column bitset indexes, exact box intersection,
           then a typical point of the intersection (Z3 only when it leaves the context).
  gap      the complement of the union of the boxes, by a k-d split, each uncovered
           piece widened to a maximal box (the region reported) and confirmed by a
           witness or Z3; rules that are not boxes fall back to Z3 with blocking.

No pair of rules is sent to Z3 unless its boxes overlap (or a rule is not a box).
`check_decision` is the entry point for a single table (benchmarks call it directly).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from dsl import model as m
from dsl.codes import CONFLICT, DEAD_RULE, GAP, MASKED_RULE, REDUNDANT_OVERLAP, UNKNOWN_RESULT, UNREACHABLE
from dsl.cond import compares, reads
from dsl.diagnostics import Note, diagnostic
from dsl.evidence import Assignment, PathStep
from dsl.model import Value
from verify.bitset import bits_of, iter_bits
from verify.box import Box, intersect, intersects, with_item
from verify.boxindex import BoxIndex
from verify.context import Context, Session
from verify.counterexample import (
    Minimiser,
    assignments,
    make_evidence,
    region_of,
    rule_name,
    rule_text,
)
from verify.encode import Encoder
from verify.evaluate import evaluate
from verify.extract import extract
from verify.reach import applicable, rule_score
from verify.results import DEFAULT_OPTIONS, CheckResult, SolverOptions, Verdict
from verify.solver import Patient
from verify.space import Space, collect_constants
from verify.uncovered import BudgetExceeded, Uncovered, widen

MAX_GAPS = 20  # uncovered regions reported per decision
MAX_UNREACHABLE_PIECES = 64  # uncovered pieces outside the context before switching to Z3
MAX_PIECE_TRIES = 16  # uncovered pieces tried for a witness of a masked rule / priority tie


@dataclass
class RuleInfo:
    rule: m.Rule
    box: Box | None  # None: matches nothing (exact)
    exact: bool
    live: bool | None = None  # None: unknown
    witness: Patient | None = None  # a patient in the context matching the rule
    point: dict[str, Value] | None = None  # values making a witness from any context patient


@dataclass
class Gap:
    box: Box
    region: str
    patient: Patient
    space: Space  # the coordinates of `box`


def outcome_text(rule: m.Rule) -> str:
    parts = []
    if rule.orders:
        parts.append("order " + ", ".join(rule.orders))
    if rule.goto is not None:
        parts.append(f"then {rule.goto}")
    if rule.end is not None:
        parts.append(f"end {rule.end}")
    return " ".join(parts)


def box_formula(enc: Encoder, space: Space, box: Box) -> Any:
    parts = []
    for i, d in enumerate(space.dims):
        item = box[i]
        if item == space.full[i]:
            continue
        x = enc.vars[d.var]
        if d.kind == "bool":
            parts.append(x if item == 0b10 else z3.Not(x))
        elif d.kind == "enum":
            assert isinstance(item, int)
            parts.append(enc.or_(x == k for k in range(len(d.values)) if item >> k & 1))
        elif d.kind == "int":
            assert isinstance(item, tuple)
            parts.extend([x >= item[0], x <= item[1]])
        else:
            assert isinstance(item, tuple)
            lo, lo_open, hi, hi_open = space.real_bounds(d, item[0], item[1])
            parts.append(x > enc.num(lo) if lo_open else x >= enc.num(lo))
            parts.append(x < enc.num(hi) if hi_open else x <= enc.num(hi))
    return enc.and_(parts)


class DecisionChecker:
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
        self._otherwise_witness: Patient | None = None
        rules = decision.rules
        self.otherwise = rules[-1] if rules and rules[-1].is_otherwise else None
        self.main = [r for r in rules if not r.is_otherwise]
        self.space = Space(self.model, [r.cond for r in self.main])
        self.infos: list[RuleInfo] = []
        for r in self.main:
            ext = extract(self.space, r.cond)
            self.infos.append(RuleInfo(rule=r, box=ext.box, exact=ext.exact))
        self.index = BoxIndex(self.space, [i.box for i in self.infos])
        self.all_exact = all(i.exact for i in self.infos)
        self._partners: dict[str, set[str]] = {}  # numbers compared with each other
        for r in self.main:
            for c in compares(r.cond):
                if c.left.var is not None and c.right.var is not None:
                    self._partners.setdefault(c.left.var, set()).add(c.right.var)
                    self._partners.setdefault(c.right.var, set()).add(c.left.var)
        self.findings_used = [d.var for d in self.space.dims if self.model.variable(d.var).is_finding]
        n = len(self.infos)
        self._by_score: dict[int, int] = {}
        if decision.hit_policy == "priority":
            for s in {rule_score(i.rule) for i in self.infos}:
                self._by_score[s] = bits_of([k for k in range(n) if rule_score(self.infos[k].rule) > s], n)

    # -- helpers ---------------------------------------------------------------------------
    @property
    def minimiser(self) -> Minimiser:
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
        return self.decision.name

    def _cid(self, kind: str, *rules: m.Rule) -> str:
        return ":".join([kind, self.name, *(rule_name(r) for r in rules)])

    def _matched(self, p: Mapping[str, Value], among: int | None = None) -> list[int]:
        """0-based indices of the main rules matching a full patient (via the index)."""
        pb = self.space.point_box(p)
        cands = self.index.candidates(pb)
        if among is not None:
            cands &= among
        out = []
        for k in iter_bits(cands):
            info = self.infos[k]
            assert info.box is not None
            if intersects(info.box, pb) and (info.exact or evaluate(info.rule.cond, p)):
                out.append(k)
        return out

    def _applies(self, p: Mapping[str, Value]) -> tuple[int, ...]:
        """1-based indices of the rules that apply to a patient under the hit policy."""
        matched = [self.infos[k].rule.index for k in self._matched(p)]
        if not matched and self.otherwise is not None:
            matched = [self.otherwise.index]
        return applicable(self.decision, matched)

    def _pre_mask(self, k: int) -> int:
        """Main rules that pre-empt rule k (first: earlier; priority: higher score)."""
        if self.decision.hit_policy == "first":
            return (1 << k) - 1
        return self._by_score.get(rule_score(self.infos[k].rule), 0)

    def _shown(self, p: Patient, revealed: Sequence[str]) -> tuple[Assignment, ...]:
        return assignments(self.model, p, [*revealed, *self.findings_used])

    def _path(self, p: Patient, final: str, final_span: Any) -> tuple[list[PathStep], list[str]]:
        steps, revealed = self.ctx.path(p)
        if not steps:
            steps = [
                PathStep(kind="decision", text=f"decision {self.name} ({self.decision.title})", span=self.decision.span)
            ]
        steps = [*steps, PathStep(kind="final", text=final, span=final_span)]
        return steps, revealed

    @staticmethod
    def _proved(check: str, t0: float) -> CheckResult:
        return CheckResult(check, Verdict.PROVED, None, time.perf_counter() - t0)

    # -- entry -----------------------------------------------------------------------------
    def run(self) -> list[CheckResult]:
        out = self._dead()
        if self.decision.hit_policy in ("first", "priority"):
            out.extend(self._masked())
        if self.decision.hit_policy != "first":
            out.extend(self._conflicts())
        out.extend(self._gaps())
        return out

    # -- dead rules ------------------------------------------------------------------------
    def _dead(self) -> list[CheckResult]:
        out: list[CheckResult] = []
        for info in self.infos:
            t0 = time.perf_counter()
            rule = info.rule
            cid = self._cid("dead", rule)
            if info.box is not None:
                if self.ctx.trivial and info.exact:
                    info.live = True  # a witness is made when needed (see _witness)
                    out.append(self._proved(cid, t0))
                    continue
                p = self.ctx.witness_in(self.space, info.box)
                if p is not None and (info.exact or evaluate(rule.cond, p)):
                    info.live, info.witness = True, p
                    out.append(self._proved(cid, t0))
                    continue
                res = self.ctx.query(self.enc.encode(rule.cond))
                if res.verdict is Verdict.REFUTED:
                    assert res.model is not None
                    info.live, info.witness = True, res.model
                    out.append(self._proved(cid, t0))
                    continue
                if res.verdict is Verdict.UNKNOWN:
                    what = f"rule '{rule_name(rule)}' of decision '{self.name}' can match"
                    out.append(unknown_result(cid, what, rule.span, res.reason, t0))
                    continue
            info.live = False
            out.append(self._dead_result(cid, rule, t0))
        return out

    def _witness(self, info: RuleInfo) -> Patient:
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
                w = self._witness(info)
            if w is not None and index in self._applies(w):
                return w
            return None
        if self.otherwise is not None and self.otherwise.index == index:
            return self._otherwise_witness
        return None

    def _dead_result(self, cid: str, rule: m.Rule, t0: float, *, otherwise: bool = False) -> CheckResult:
        who = "who can reach the decision" if not self.ctx.trivial else ""
        if otherwise:
            message = (
                f"the 'otherwise' rule of decision '{self.name}' never applies: the rules above match every "
                f"patient {who}".rstrip()
            )
            hint = "remove it, or check whether the rules above are meant to overlap less"
        else:
            message = f"rule '{rule_name(rule)}' of decision '{self.name}' matches no patient {who}".rstrip()
            hint = f"its condition contradicts the assumptions or the conditions on every path to '{self.name}'"
        diag = diagnostic(
            code=DEAD_RULE,
            message=message,
            span=rule.span,
            hint=hint,
            evidence=make_evidence(cid, "refuted", condition=rule_text(rule)),
        )
        return CheckResult(cid, Verdict.REFUTED, diag, time.perf_counter() - t0)

    # -- masked rules ------------------------------------------------------------------------
    def _masked(self) -> list[CheckResult]:
        out: list[CheckResult] = []
        for k, info in enumerate(self.infos):
            if info.live is not True:
                continue
            t0 = time.perf_counter()
            rule = info.rule
            cid = self._cid("masked", rule)
            pre = self._pre_mask(k)
            if not pre:
                out.append(self._proved(cid, t0))
                continue
            w = self._witness(info)
            assert info.box is not None
            if not self._matched(w, pre):
                out.append(self._proved(cid, t0))
                continue
            meeting = [j for j in self.index.meeting(info.box) if pre >> j & 1]
            verdict: Verdict | None = None
            if info.exact and all(self.infos[j].exact for j in meeting):
                covers = [self.infos[j].box for j in meeting]
                unc = Uncovered(self.space, [c for c in covers if c is not None], info.box, budget=200_000)
                pieces = 0
                try:
                    for piece in unc:
                        pieces += 1
                        p = self.ctx.witness_in(self.space, piece)
                        if p is not None:
                            verdict = Verdict.PROVED
                            break
                        if pieces >= MAX_PIECE_TRIES:
                            break
                    else:
                        if pieces == 0:
                            verdict = Verdict.REFUTED
                except BudgetExceeded:
                    pass
            reason = None
            if verdict is None:
                others = self.enc.or_(self.enc.encode(self.infos[j].rule.cond) for j in meeting)
                res = self.ctx.query(self.enc.encode(rule.cond), z3.Not(others))
                # a patient to whom the rule applies (REFUTED) means the rule is not masked
                verdict = {Verdict.REFUTED: Verdict.PROVED, Verdict.PROVED: Verdict.REFUTED}.get(
                    res.verdict, Verdict.UNKNOWN
                )
                reason = res.reason
            if verdict is Verdict.PROVED:
                out.append(self._proved(cid, t0))
            elif verdict is Verdict.UNKNOWN:
                out.append(
                    unknown_result(
                        cid, f"rule '{rule_name(rule)}' of decision '{self.name}' ever applies", rule.span, reason, t0
                    )
                )
            else:
                out.append(self._masked_result(cid, k, meeting, t0))
        return out

    def _masked_result(self, cid: str, k: int, meeting: list[int], t0: float) -> CheckResult:
        info = self.infos[k]
        rule = info.rule
        cond = rule.cond

        def holds(q: Mapping[str, Value]) -> bool:
            return evaluate(cond, q) and self.ctx.holds(q) and rule.index not in self._applies(q)

        p = self.minimiser.improve(self._witness(info), holds)
        winner = self.decision.rules[self._applies(p)[0] - 1] if self._applies(p) else None
        first = self.decision.hit_policy == "first"
        final = f"rule {rule_name(rule)} matches, but " + (
            f"rule {rule_name(winner)} applies {'first' if first else 'with a higher rating'}" if winner else "not it"
        )
        steps, revealed = self._path(p, final, rule.cond_span)
        by = "earlier rules" if first else "rules with a higher rating"
        notes = tuple(
            Note(message=f"pre-empted by rule '{rule_name(self.infos[j].rule)}'", span=self.infos[j].rule.span)
            for j in meeting[:5]
        )
        diag = diagnostic(
            code=MASKED_RULE,
            message=f"rule '{rule_name(rule)}' of decision '{self.name}' never applies: {by} match every patient "
            f"it matches",
            span=rule.span,
            hint="reorder the rules, narrow the earlier ones, or remove this one"
            if first
            else "change the ratings or narrow the higher-rated rules",
            notes=notes,
            evidence=make_evidence(cid, "refuted", patient=self._shown(p, revealed), path=steps),
        )
        return CheckResult(cid, Verdict.REFUTED, diag, time.perf_counter() - t0)

    # -- conflicts ---------------------------------------------------------------------------
    def _conflicts(self) -> list[CheckResult]:
        t_all = time.perf_counter()
        policy = self.decision.hit_policy
        n = len(self.infos)
        live_mask = bits_of([k for k in range(n) if self.infos[k].live is True], n)
        out: list[CheckResult] = []
        for i in range(n):
            a = self.infos[i]
            if a.live is not True:
                continue
            assert a.box is not None
            cand = self.index.candidates(a.box, stop_at=1 << i) & live_mask
            cand >>= i + 1
            for off in iter_bits(cand):
                j = i + 1 + off
                b = self.infos[j]
                same = a.rule.outcome == b.rule.outcome
                if policy == "any" and same:
                    continue
                if policy == "priority" and (same or rule_score(a.rule) != rule_score(b.rule)):
                    continue
                t0 = time.perf_counter()
                res = self._pair(i, j)
                if res is None:
                    continue
                out.append(res if isinstance(res, CheckResult) else self._conflict_result(i, j, res, t0))
        if not any(r.verdict is not Verdict.PROVED for r in out):
            out.append(self._proved(f"conflicts:{self.name}", t_all))
        return out

    def _both_apply(self, i: int, j: int, p: Mapping[str, Value]) -> bool:
        if not self.ctx.holds(p):
            return False
        top = self._applies(p)
        return self.infos[i].rule.index in top and self.infos[j].rule.index in top

    def _pair(self, i: int, j: int) -> Patient | CheckResult | None:
        """A patient to whom both rules apply; None if there is none; a result if unknown."""
        a, b = self.infos[i], self.infos[j]
        assert a.box is not None and b.box is not None
        priority = self.decision.hit_policy == "priority"
        inter = intersect(a.box, b.box)
        if inter is None:
            return None  # even over-approximations do not meet
        for w in (a.witness, b.witness):
            if w is not None and self._both_apply(i, j, w):
                return w
        if a.exact and b.exact:
            tries: list[Box] = [inter]
            if priority:
                higher = [k for k in self.index.meeting(inter) if self._pre_mask(i) >> k & 1]
                if all(self.infos[k].exact for k in higher):
                    tries = []
                    try:
                        covers = [c for c in (self.infos[k].box for k in higher) if c is not None]
                        for piece in Uncovered(self.space, covers, inter, budget=100_000):
                            tries.append(piece)
                            if len(tries) >= MAX_PIECE_TRIES:
                                break
                    except BudgetExceeded:
                        tries = [inter]
                    if not tries:
                        return None
            for piece in tries:
                p = self.ctx.witness_in(self.space, piece)
                if p is not None and self._both_apply(i, j, p):
                    return p
        parts = [self.enc.encode(a.rule.cond), self.enc.encode(b.rule.cond)]
        if priority:
            assert a.box is not None
            higher = [k for k in self.index.meeting(a.box) if self._pre_mask(i) >> k & 1]
            parts.append(z3.Not(self.enc.or_(self.enc.encode(self.infos[k].rule.cond) for k in higher)))
        res = self.ctx.query(*parts)
        if res.verdict is Verdict.REFUTED:
            assert res.model is not None
            return res.model
        if res.verdict is Verdict.PROVED:
            return None
        t0 = time.perf_counter()
        cid = self._cid("conflict", a.rule, b.rule)
        return unknown_result(
            cid,
            f"rules '{rule_name(a.rule)}' and '{rule_name(b.rule)}' of decision '{self.name}' overlap",
            b.rule.span,
            res.reason,
            t0,
        )

    def _conflict_result(self, i: int, j: int, p: Patient, t0: float) -> CheckResult:
        a, b = self.infos[i].rule, self.infos[j].rule
        same = a.outcome == b.outcome
        p = self.minimiser.improve(p, lambda q: self._both_apply(i, j, q))
        policy = self.decision.hit_policy
        if same:
            cid = self._cid("redundant", a, b)
            code = REDUNDANT_OVERLAP
            message = (
                f"rules '{rule_name(a)}' and '{rule_name(b)}' of decision '{self.name}' overlap "
                f"(same outcome, but '{policy}' allows one matching rule)"
            )
            hint = "merge the two rules, or make their conditions exclusive"
        else:
            cid = self._cid("conflict", a, b)
            code = CONFLICT
            if policy == "priority":
                message = (
                    f"rules '{rule_name(a)}' and '{rule_name(b)}' of decision '{self.name}' both match some patients "
                    f"with the same rating score ({rule_score(a)}) but give different outcomes"
                )
                hint = "change one rating, or make the conditions exclusive"
            else:
                message = (
                    f"rules '{rule_name(a)}' and '{rule_name(b)}' of decision '{self.name}' both match some patients "
                    f"but give different outcomes"
                )
                hint = "make the conditions exclusive, or use hit policy 'first' if the order is meant to decide"
        final = (
            f"rules {rule_name(a)} ({outcome_text(a)}) and {rule_name(b)} ({outcome_text(b)}) both match"
            if not same
            else f"rules {rule_name(a)} and {rule_name(b)} both match"
        )
        steps, revealed = self._path(p, final, b.cond_span)
        diag = diagnostic(
            code=code,
            message=message,
            span=b.span,
            hint=hint,
            notes=(Note(message=f"overlaps rule '{rule_name(a)}' here", span=a.span),),
            evidence=make_evidence(cid, "refuted", patient=self._shown(p, revealed), path=steps, rules=[a.id, b.id]),
        )
        return CheckResult(cid, Verdict.REFUTED, diag, time.perf_counter() - t0)

    # -- gaps ----------------------------------------------------------------------------------
    def _gaps(self) -> list[CheckResult]:
        t0 = time.perf_counter()
        cap = 1 if self.otherwise is not None else self.max_gaps
        gaps, more, unknown = self._find_gaps(cap)
        out: list[CheckResult] = []
        gid = f"gap:{self.name}"
        if self.otherwise is not None:
            oid = self._cid("dead", self.otherwise)
            if gaps:
                self._otherwise_witness = gaps[0].patient
                out.append(self._proved(oid, t0))
            elif unknown is not None:
                out.append(
                    unknown_result(
                        oid,
                        f"the 'otherwise' rule of decision '{self.name}' ever applies",
                        self.otherwise.span,
                        unknown,
                        t0,
                    )
                )
            else:
                out.append(self._dead_result(oid, self.otherwise, t0, otherwise=True))
            out.append(self._proved(gid, t0))  # `otherwise` covers every remaining patient
            return out
        for k, gap in enumerate(gaps):
            cid = gid if k == 0 else f"{gid}:{k + 1}"
            last = k == len(gaps) - 1
            out.append(self._gap_result(cid, gap, more and last, t0))
        if unknown is not None:
            out.append(
                unknown_result(
                    f"{gid}:rest" if gaps else gid,
                    f"decision '{self.name}' covers every patient who can reach it",
                    self.decision.span,
                    unknown,
                    t0,
                )
            )
        elif not gaps:
            out.append(self._proved(gid, t0))
        return out

    def _gap_result(self, cid: str, gap: Gap, more: bool, t0: float) -> CheckResult:
        def holds(q: Mapping[str, Value]) -> bool:
            return gap.space.contains_patient(gap.box, q) and self.ctx.holds(q) and not self._matched(q)

        p = self.minimiser.improve(gap.patient, holds)
        steps, revealed = self._path(p, f"no rule of decision {self.name} matches", self.decision.span)
        notes: tuple[Note, ...] = ()
        if more:
            notes = (Note(message=f"further uncovered regions are not listed (limit {self.max_gaps} per decision)"),)
        diag = diagnostic(
            code=GAP,
            message=f"decision '{self.name}' does not cover every patient who can reach it",
            span=self.decision.span,
            hint="add a rule for these patients (an 'uncovered' disposition with a reason if the sources are silent)",
            notes=notes,
            evidence=make_evidence(
                cid,
                "refuted",
                patient=self._shown(p, revealed),
                path=steps,
                region=region_of(self.model, gap.space, gap.box),
            ),
        )
        return CheckResult(cid, Verdict.REFUTED, diag, time.perf_counter() - t0)

    def _find_gaps(self, cap: int) -> tuple[list[Gap], bool, str | None]:
        """Up to `cap` disjoint uncovered regions with a reachable patient each; more? unknown reason."""
        gaps: list[Gap] = []
        blocked: list[Box] = []
        if self.all_exact:
            try:
                return self._box_gaps(cap, gaps, blocked)
            except BudgetExceeded:
                pass
        return self._z3_gaps(cap, gaps, blocked)

    def _box_gaps(self, cap: int, gaps: list[Gap], blocked: list[Box]) -> tuple[list[Gap], bool, str | None]:
        covers = [i.box for i in self.infos if i.box is not None]
        budget = 2_000_000 + 40 * len(covers) * max(1, len(self.space.dims))
        unc = Uncovered(self.space, covers, self.space.full, budget=budget)
        unknown: str | None = None
        for piece in unc:
            region = widen(self.space, piece, self.index, extra=[g.box for g in gaps])
            p = self.ctx.witness_in(self.space, region) or self.ctx.witness_in(self.space, piece)
            if p is None:
                res = self.ctx.query(box_formula(self.enc, self.space, region))
                if res.verdict is Verdict.REFUTED:
                    p = res.model
                elif res.verdict is Verdict.UNKNOWN:
                    unknown = res.reason
                    unc.add_cover(region)
                    blocked.append(region)
                    continue
                else:
                    unc.add_cover(region)
                    blocked.append(region)
                    if len(blocked) > MAX_UNREACHABLE_PIECES:
                        raise BudgetExceeded
                    continue
            assert p is not None
            if len(gaps) >= cap:
                return gaps, True, unknown
            gaps.append(Gap(region, self.space.describe(region), p, self.space))
            unc.add_cover(region)
        return gaps, False, unknown

    def _z3_gaps(self, cap: int, gaps: list[Gap], blocked: list[Box]) -> tuple[list[Gap], bool, str | None]:
        enc = self.enc
        anyrule = enc.or_(enc.encode(i.rule.cond) for i in self.infos)
        blocks = [box_formula(enc, g.space, g.box) for g in gaps]
        blocks.extend(box_formula(enc, self.space, b) for b in blocked)
        while True:
            res = self.ctx.query(z3.Not(anyrule), *(z3.Not(b) for b in blocks))
            if res.verdict is Verdict.PROVED:
                return gaps, False, None
            if res.verdict is Verdict.UNKNOWN:
                return gaps, False, res.reason
            assert res.model is not None
            if len(gaps) >= cap:
                return gaps, True, None
            if self.all_exact:
                space = self.space
                region = widen(space, space.point_box(res.model), self.index, extra=[g.box for g in gaps])
            else:
                space = self._space_around(res.model)
                region = self._widen_z3(space, space.point_box(res.model), enc.or_([anyrule, *blocks]))
            gaps.append(Gap(region, space.describe(region), res.model, space))
            blocks.append(box_formula(enc, space, region))

    def _space_around(self, patient: Patient) -> Space:
        """The space with the patient's numbers as extra points (for variable-to-variable comparisons)."""
        extra: dict[str, list[Fraction]] = {}
        for d in self.space.dims:
            if d.kind == "real":
                v = patient[d.var]
                assert isinstance(v, Fraction)
                extra.setdefault(d.var, []).append(v)
                for other in self._partners.get(d.var, ()):
                    w = patient[other]
                    assert isinstance(w, Fraction)
                    extra[d.var].append(w)
        return Space(self.model, [r.cond for r in self.main], extra_points=extra)

    def _widen_z3(self, space: Space, box: Box, taken: Any) -> Box:
        """Grow a box while no patient in it who reaches the decision is `taken` (matched, or reported)."""

        def ok(b: Box) -> bool:
            res = self.ctx.query(box_formula(self.enc, space, b), taken)
            return res.verdict is Verdict.PROVED

        if not ok(box):
            return box  # cannot happen with the patient's values as points; keep the point
        for i in range(len(space.dims)):
            full = space.full[i]
            item = box[i]
            if ok(with_item(box, i, full)):
                box = with_item(box, i, full)
                continue
            if isinstance(item, int):
                assert isinstance(full, int)
                for v in range(full.bit_length()):
                    if full >> v & 1 and not item >> v & 1 and ok(with_item(box, i, item | 1 << v)):
                        item |= 1 << v
                box = with_item(box, i, item)
                continue
            assert isinstance(item, tuple) and isinstance(full, tuple)
            lo, hi = item
            a, b = full[0], lo  # the smallest lower bound that still works, in [full, lo]
            while a < b:
                mid = (a + b) // 2
                if ok(with_item(box, i, (mid, hi))):
                    b = mid
                else:
                    a = mid + 1
            lo = a
            a, b = hi, full[1]  # the largest upper bound, in [hi, full]
            while a < b:
                mid = (a + b + 1) // 2
                if ok(with_item(box, i, (lo, mid))):
                    a = mid
                else:
                    b = mid - 1
            box = with_item(box, i, (lo, a))
        return box


# -- the single-table entry point ------------------------------------------------------------------


def table_context(session: Session, condition: m.Cond | None) -> Context:
    """The context "assumptions and `condition`" (None: every patient)."""
    enc = session.enc
    model = enc.model
    conds = [a.cond for a in model.assumptions]
    if condition is not None:
        conds.append(condition)
    names = frozenset(v for c in conds for v, _ in reads(c))

    def holds(p: Mapping[str, Value]) -> bool:
        return all(evaluate(c, p) for c in conds)

    formula = enc.encode(condition) if condition is not None else enc.true
    return Context(session=session, formula=formula, holds_fn=holds, vars=names, trivial=not conds, conds=conds)


def unreachable_result(decision: m.Decision, check: str, t0: float, *, why: str = "") -> CheckResult:
    diag = diagnostic(
        code=UNREACHABLE,
        message=f"decision '{decision.name}' is never reached by any patient{why}",
        span=decision.span,
        hint="the conditions on every path to it (with the assumptions) exclude every patient",
        evidence=make_evidence(check, "refuted"),
    )
    return CheckResult(check, Verdict.REFUTED, diag, time.perf_counter() - t0)


def unknown_result(check: str, what: str, span: Any, reason: str | None, t0: float) -> CheckResult:
    """VP309: the solver could not decide whether `what` (a clause: "rules a and b overlap")."""
    diag = diagnostic(
        code=UNKNOWN_RESULT,
        message=f"could not decide whether {what} (solver: {reason or 'unknown'})",
        span=span,
        hint="raise the solver limits (timeout, rlimit); an undecided check is not a pass",
        evidence=make_evidence(check, "unknown", reason=reason or "unknown"),
    )
    return CheckResult(check, Verdict.UNKNOWN, diag, time.perf_counter() - t0)


def check_decision(
    model: m.Model,
    decision: m.Decision | str,
    context: m.Cond | None = None,
    options: SolverOptions = DEFAULT_OPTIONS,
    *,
    max_gaps: int = MAX_GAPS,
) -> list[CheckResult]:
    """Gaps, conflicts, redundancy, masked and dead rules of one decision table.

    `context` restricts the patients considered (with the model's assumptions); None
    means every patient. Results use the ids of `verify_graph`.
    """
    d = model.decision(decision) if isinstance(decision, str) else decision
    t0 = time.perf_counter()
    enc = Encoder(model)
    session = Session(enc, options)
    ctx = table_context(session, context)
    if not ctx.trivial:
        res = ctx.query()
        if res.verdict is Verdict.PROVED:
            return [unreachable_result(d, f"unreachable:decision:{d.name}", t0)]
        if res.verdict is Verdict.REFUTED:
            assert res.model is not None
            ctx.samples.append(Minimiser(model).improve(res.model, ctx.holds))
    return DecisionChecker(d, ctx, max_gaps=max_gaps).run()
