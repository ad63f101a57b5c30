"""verify_graph: every check of a compiled pathway.

1. the assumptions admit some patient (else VP310 and nothing else is checked);
2. which nodes can be reached (VP306 for decisions, actions, dispositions): a patient
   found by Z3 for one node is run through the graph, which proves every node it
   reaches, so most nodes need no query of their own;
3. the decision checks of `tables`, each in the context of the patients who can
   reach the decision (assumptions and the guards along some path to it);
4. the path properties of `paths`.
"""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Container, Iterable, Mapping
from fractions import Fraction
from typing import Any

from compiler.graph import LIMIT_NODE, DecisionGraph
from compiler.wellformed import uses
from dsl import model as m
from dsl.codes import INCONSISTENT_ASSUMPTIONS, UNREACHABLE
from dsl.cond import IgnoreLeaves, reads
from dsl.diagnostics import VeripathError, diagnostic
from dsl.evidence import PathStep
from dsl.model import Value
from verify.boxindex import INDEX_MIN_RULES, decision_reads
from verify.context import Context, Session, default_patient
from verify.counterexample import Minimiser, make_evidence, path_steps
from verify.encode import Encoder
from verify.evaluate import MissingValue, evaluate
from verify.paths import check_properties
from verify.reach import Firing, GuardKey, Guards, Run, Trivial, build_product, encode_reach, run_product
from verify.results import DEFAULT_OPTIONS, CheckResult, Report, SolverOptions, Verdict
from verify.solver import Patient
from verify.tables import DecisionChecker, merge_copies, unknown_result, unreachable_result

MAX_SAMPLES = 6


class PathwayVerifier:
    def __init__(self, graph: DecisionGraph, options: SolverOptions) -> None:
        self.graph = graph
        self.model = graph.fresh_model  # with repeated studies: a variable per result, a table per copy
        self.options = options
        self.enc = Encoder(self.model)
        self.guards = Guards(self.enc)
        self.session = Session(self.enc, options, self.guards)
        self.base = build_product(graph, Trivial())
        self.minimiser = Minimiser(self.model)
        self._reach: dict[int, Any] = {}
        self._by_decision: dict[str, list[int]] = {}
        # the variables each decision's effective guards read (all its rules' conditions), by
        # decision and by each copy of a decision that reads later results (`Decision.key`)
        self._decision_vars = {
            d.key: decision_reads(self.model, d) for d in (*self.model.decisions, *self.model.latest_copies)
        }
        # the variables read by the decisions on some path to each node (not the node itself)
        self._vars_before: list[frozenset[str]] = []
        for i in range(len(self.base.nodes)):
            acc: set[str] = set()
            for p, key in self.base.preds[i]:
                acc.update(self._vars_before[p])
                if key is not None:
                    acc.update(self._decision_vars[key[0]])
            self._vars_before.append(frozenset(acc))
        self._succ: dict[int, list[tuple[int, GuardKey]]] = {}
        for k, preds in enumerate(self.base.preds):
            for p, key in preds:
                self._succ.setdefault(p, []).append((k, key))
        for succ in self._succ.values():
            succ.sort(key=lambda kk: (kk[1][1] if kk[1] is not None else 0, kk[0]))
        # the decision nodes of each table (a decision, or its copy reading later results), and
        # the tables of each decision, in graph order
        self._tables: dict[str, list[str]] = {}
        for i, (n, _) in enumerate(self.base.nodes):
            if graph.kind(n) == "decision":
                table = graph.table_key(n)
                if table not in self._by_decision:
                    self._tables.setdefault(graph.graph.nodes[n]["decision"], []).append(table)
                self._by_decision.setdefault(table, []).append(i)
        self.reached: dict[int, Patient] = {}  # product node -> a patient reaching it
        # product node -> up to MAX_SAMPLES patients reaching it, with the (decision, rule) steps
        # of their path (a diverse set of samples lets most witnesses be a sample itself)
        self._samples: dict[int, list[tuple[Patient, Run | tuple[list[tuple[int, GuardKey]], int] | None]]] = {}
        # id(patient) -> (patient, its first-rule walk from the start, indexed; node -> position)
        self._walks: dict[int, tuple[Patient, _SamplePath, dict[int, int]]] = {}
        self.unreachable: set[int] = set()
        self.undecided: dict[int, str] = {}  # product node -> solver reason
        self.consistent: bool | None = None  # the assumptions admit a patient (None: not asked yet)
        self._gap_free: set[str] = set()  # decisions whose gap check proved them complete in context
        self._tables_done = False  # verify_tables ran: every node is reached, unreachable or undecided
        self._hops: dict[tuple[int, int], int | None] = {}
        self._limits: dict[str, dict[str, tuple[Fraction, ...] | None]] = {}  # `_thresholds`
        self._reads_sorted: dict[str, tuple[str, ...]] = {}
        # (table, the values of the variables it reads) -> the rules that apply (`_applies`)
        self._applies_memo: dict[tuple[str, tuple[object, ...]], tuple[int, ...]] = {}
        # table -> variable -> the rules (1-based) whose condition reads it (`_funnels`)
        self._rule_readers: dict[str, dict[str, frozenset[int]]] = {}
        # id(rule) -> its text in counterexample paths (`path_steps`; the model keeps the rules alive)
        self.rule_texts: dict[int, str] = {}

    @property
    def decision_vars(self) -> Mapping[str, frozenset[str]]:
        """The variables each table reads (by `Decision.key`: a decision, or its copy reading later results)."""
        return self._decision_vars

    # -- reach ------------------------------------------------------------------------------
    def reach_expr(self, i: int) -> Any:
        """The Boolean 'some path reaches base node i' (definitions added once, permanently)."""
        if i not in self._reach:
            # the ancestors not encoded yet (an encoded node's ancestors all are)
            todo = {i}
            stack = [i]
            while stack:
                k = stack.pop()
                for p, _ in self.base.preds[k]:
                    if p not in todo and p not in self._reach:
                        todo.add(p)
                        stack.append(p)
            encoding = encode_reach(self.base, self.guards, sorted(todo), self._reach)
            self.session.add(*encoding.defs)
            self._reach.update(encoding.reach)
        return self._reach[i]

    def walk(
        self, patient: Mapping[str, Value], stop: Container[int] = (), begin: int | None = None
    ) -> list[tuple[int, GuardKey]]:
        """One path the patient follows (the first applicable rule at each decision), as
        [(node, key of the edge into it)], from `begin` (default the start) up to an end, a
        stuck decision or a `stop` node. Linear in the path's length, where `run_product` is
        linear in the graph's size."""
        firing = Firing(self.model, patient)
        i = self.base.start if begin is None else begin
        steps: list[tuple[int, GuardKey]] = [(i, None)]
        while i not in stop:
            succ = self._succ.get(i)
            if not succ:
                break
            step: tuple[int, GuardKey] | None = None
            for k, key in succ:
                if firing.enabled(key):
                    step = (k, key)
                    break
            if step is None:
                break
            steps.append(step)
            i = step[0]
        return steps

    def _record(self, patient: Patient, *, full: bool = True, begin: int | None = None) -> None:
        """Mark the nodes the patient reaches: all of them (full), or those on one path from
        `begin` (a node the patient is known to reach; default the start)."""
        try:
            if full:
                run = run_product(self.base, Firing(self.model, patient))
                for i, ok in enumerate(run.reached):
                    if ok and self._wants(i):
                        self._add_sample(i, patient, run)
            else:
                # a walk from the middle stops where nodes already have all their samples
                stop = _Saturated(self) if begin is not None else ()
                steps = self.walk(patient, stop=stop, begin=begin)
                for n, (i, _) in enumerate(steps):
                    if self._wants(i):
                        self._add_sample(i, patient, (steps, n) if begin is None else None)
        except MissingValue:
            return

    def _add_sample(self, i: int, patient: Patient, how: Run | tuple[list[tuple[int, GuardKey]], int] | None) -> None:
        if i not in self.reached:
            self.reached[i] = patient
        self._samples.setdefault(i, []).append((patient, how))

    def _sample_path(
        self, i: int, patient: Patient, how: Run | tuple[list[tuple[int, GuardKey]], int] | None
    ) -> tuple[_SamplePath, int]:
        """The (decision, rule, decision node) steps of a sample's path to node i: an indexed
        path and the length of its prefix that ends at node i. The patient's whole walk is
        indexed once and shared by every node on it, so that asking at each decision in turn
        costs nothing per decision beyond the steps asked for."""
        walk = self._walks.get(id(patient))
        if walk is None or walk[0] is not patient:
            if how is not None and not isinstance(how, Run) and how[0][0][0] == self.base.start:
                steps = how[0]
            else:
                steps = self.walk(patient)
            sp = _SamplePath(steps, self._decision_vars, patient, self._thresholds, self._funnel_test(patient))
            walk = (patient, sp, {n: k for k, (n, _) in enumerate(steps)})
            self._walks[id(patient)] = walk
        k = walk[2].get(i)
        if k is not None:
            # the steps before node i: the edges into steps[1..k] (one triple per decision edge)
            return walk[1], walk[1].upto[k]
        # node i is off the patient's first-rule walk (another applicable rule leads there)
        run = how if isinstance(how, Run) else run_product(self.base, Firing(self.model, patient))
        path = run.path_to(i)
        sp = _SamplePath(path, self._decision_vars, patient, self._thresholds, self._funnel_test(patient))
        return sp, len(sp.triples)

    def _applies(self, name: str, p: Mapping[str, Value]) -> tuple[int, ...]:
        """The rules of table `name` that apply to p (`Firing.applies`), kept by the values of the
        variables the table reads: witnesses of many decisions are re-checked at the same steps."""
        reads = self._reads_sorted.get(name)
        if reads is None:
            reads = self._reads_sorted[name] = tuple(sorted(self._decision_vars.get(name, ())))
        values = tuple(p.get(v, _MISSING) for v in reads)
        if name not in self._decision_vars or _MISSING in values:
            return Firing(self.model, p).applies(name)
        key = (name, values)
        hit = self._applies_memo.get(key)
        if hit is None:
            hit = self._applies_memo[key] = Firing(self.model, p).applies(name)
        return hit

    def _thresholds(self, name: str) -> Mapping[str, tuple[Fraction, ...] | None]:
        """For table `name`, each number variable its rules compare with constants alone, with those
        constants (`x op c`, `2 * x op c` as `x op c/2`): the table's rules hold or not alike for any
        two values between which none of them lies. None for a variable the table reads otherwise
        (with another variable: `x < y`), and for every variable of a large table (its rules are
        matched through boxes)."""
        hit = self._limits.get(name)
        if hit is None:
            table = self.model.decision(name)
            found = _Thresholds()
            if len(table.rules) < INDEX_MIN_RULES:
                for r in table.rules:
                    found.visit(r.cond)
            else:
                found.mixed.update(self._decision_vars.get(name, ()))
            hit = {v: None if v in found.mixed else tuple(sorted(cs)) for v, cs in found.constants.items()}
            hit.update(dict.fromkeys(found.mixed))
            self._limits[name] = hit
        return hit

    def _hop(self, node: int, index: int) -> int | None:
        """Where rule `index` of decision node `node` leads, past its order step (or its choice and
        the option's order step: every option leads to the same node)."""
        key = (node, index)
        if key not in self._hops:
            self._hops[key] = self._hop_of(node, index)
        return self._hops[key]

    def _hop_of(self, node: int, index: int) -> int | None:
        for k, key in self._succ.get(node, []):
            if key is not None and key[1] == index:
                while self.graph.kind(self.base.nodes[k][0]) in ("choice", "order"):
                    nxt = self._succ.get(k)
                    if not nxt:
                        break
                    k = nxt[0][0]
                return k
        return None

    def _funnel_test(self, patient: Mapping[str, Value]) -> Callable[[tuple[str, int, int], str], bool | None]:
        """`_funnels` for the steps of one patient's path."""
        firing = Firing(self.model, patient)
        return lambda step, var: self._funnels(step, var, firing)

    def _funnels(self, step: tuple[str, int, int], var: str, firing: Firing) -> bool | None:
        """Whether every patient who reaches the decision node of `step` and differs from `firing`'s
        patient (who takes the step) only in variables such as `var` goes where the step goes.

        True when the table is proved complete for the patients who reach it (some rule applies to
        each of them), and every rule that reads `var` or matches the step's patient leads where the
        step's rule does: the rules that may match the other patient are among those, so whichever
        of them applies leads there too. For several changed variables, true for each of them is
        true for all of them together (the same two sets, joined). None while the table's gap check
        has not run (it may still be proved complete); False otherwise."""
        name, index, node = step
        if name not in self._gap_free:
            return None
        hop = self._hop(node, index)
        if hop is None:
            return False
        readers = self._rule_readers.get(name)
        if readers is None:
            found: dict[str, set[int]] = {}
            for r in self.model.decision(name).rules:
                for v, _ in reads(r.cond):
                    found.setdefault(v, set()).add(r.index)
            readers = self._rule_readers[name] = {v: frozenset(rs) for v, rs in found.items()}
        mine = readers.get(var, frozenset())
        if any(self._hop(node, r) != hop for r in mine):
            return False
        rules = self.model.decision(name).rules
        elsewhere = [r.index for r in rules if r.index not in mine and self._hop(node, r.index) != hop]
        if not elsewhere:
            return True
        try:
            matched = firing.matched(name)
        except MissingValue:
            return False
        return not any(r in matched for r in elsewhere)

    def _wants(self, i: int) -> bool:
        return i not in self.reached or len(self._samples.get(i, ())) < MAX_SAMPLES

    def ensure(self, i: int) -> None:
        """Decide whether some patient reaches base node i (Z3, unless already known)."""
        if i in self.reached or i in self.unreachable or i in self.undecided:
            return
        res = self.session.query(self.reach_expr(i))
        if res.verdict is Verdict.REFUTED:
            assert res.model is not None
            self._record(res.model)
            if i not in self.reached:  # only if evaluation and encoding disagree: a bug
                raise VeripathError(f"verifier: the patient found for {self.base.nodes[i][0]} does not reach it")
        elif res.verdict is Verdict.PROVED:
            self.unreachable.add(i)
        else:
            self.undecided[i] = res.reason or "unknown"

    def explore(self) -> None:
        """Decide, for every node of the graph, whether some patient reaches it."""
        for i in range(len(self.base.nodes)):
            self.ensure(i)

    def harvest(self, name: str, checker: DecisionChecker) -> None:
        """Run the witnesses the decision checks found through the graph: each proves the
        nodes it reaches, so that most nodes need no reachability query of their own."""
        pending: dict[int, list[int]] = {}  # rule index -> unreached successor nodes
        for i in self.decision_nodes(name):
            if i not in self.reached:
                continue
            for k, key in self._succ.get(i, []):
                if k not in self.reached and key is not None:
                    pending.setdefault(key[1], []).append(k)
        nodes = [i for i in self.decision_nodes(name) if i in self.reached]
        for index in sorted(pending):
            if all(k in self.reached for k in pending[index]):
                continue
            w = checker.witness_of(index)
            if w is not None:
                # w reaches the decision; with a single node, walk on from there
                self._record(w, full=False, begin=nodes[0] if len(self.decision_nodes(name)) == 1 else None)

    # -- contexts -----------------------------------------------------------------------------
    def tables(self, name: str) -> list[str]:
        """The keys of decision `name`'s tables in the graph: its own name, and those of its copies
        that read later results of a repeated study (`Decision.key`), in graph order."""
        return list(self._tables.get(name, []))

    def decision_nodes(self, key: str) -> list[int]:
        """The product nodes of a table: a decision, or a copy of it reading later results (`Decision.key`)."""
        return self._by_decision.get(key, [])

    def context(self, name: str) -> Context:
        targets = self.decision_nodes(name)
        model = self.model
        names: set[str] = {v for a in model.assumptions for v, _ in uses(a.cond)}
        for t in targets:
            names.update(self._vars_before[t])
        if len(targets) > 1:
            names.update(self._decision_vars[name])
        base = self.base
        last = max(targets)
        target_set = frozenset(targets)

        def holds(p: Mapping[str, Value]) -> bool:
            if not all(evaluate(a.cond, p) for a in model.assumptions):
                return False
            if self.walk(p, target_set)[-1][0] in target_set:
                return True  # one path suffices; else look at every path
            reached = run_product(base, Firing(model, p), upto=last).reached
            return any(reached[t] for t in targets)

        def path(p: Mapping[str, Value]) -> tuple[list[PathStep], list[str]]:
            run = run_product(base, Firing(model, p), upto=last)
            for t in targets:
                if run.reached[t]:
                    return path_steps(self.graph, base, run.path_to(t), p, texts=self.rule_texts)
            return [], []

        samples: list[Patient] = []
        origins: list[tuple[int, Run | tuple[list[tuple[int, GuardKey]], int] | None]] = []
        for t in targets:
            for p, how in self._samples.get(t, []):
                if len(samples) >= MAX_SAMPLES or p in samples:
                    continue
                samples.append(p)
                origins.append((t, how))

        def sample_steps(k: int, touched: frozenset[str]) -> list[tuple[str, int, int]]:
            t, how = origins[k]
            path, length = self._sample_path(t, samples[k], how)
            return path.reading(touched, length)

        def follows(k: int, p: Mapping[str, Value], touched: frozenset[str]) -> bool:
            t, how = origins[k]
            path, length = self._sample_path(t, samples[k], how)
            return path.follows(p, touched, length, still_applies)

        def formula() -> Any:
            return self.enc.or_(self.reach_expr(t) for t in targets)

        trivial = targets == [self.base.start] and not model.assumptions

        def still_applies(p: Mapping[str, Value], step: tuple[str, int, int]) -> bool:
            name, index, node = step
            now = self._applies(name, p)
            if index in now:
                return True
            hop = self._hop(node, index)
            return hop is not None and any(self._hop(node, other) == hop for other in now)

        return Context(
            session=self.session,
            formula=None,
            formula_fn=formula,
            holds_fn=holds,
            vars=frozenset(names),
            trivial=trivial,
            samples=samples,
            path_fn=path,
            conds=[a.cond for a in model.assumptions],
            sample_steps_fn=sample_steps,
            decision_vars=self._decision_vars,
            assumption_vars=frozenset(v for a in model.assumptions for v, _ in uses(a.cond)),
            still_applies=still_applies,
            follows_fn=follows,
        )

    # -- the checks ---------------------------------------------------------------------------
    def verify(self) -> Report:
        """Every check: `verify_tables`, then `verify_paths`."""
        report = self.verify_tables()
        report.extend(self.verify_paths())
        return report

    def check_assumptions(self) -> list[CheckResult]:
        """Whether the assumptions admit a patient (once; later calls return nothing)."""
        if self.consistent is not None:
            return []
        t0 = time.perf_counter()
        res = self.session.query()
        if res.verdict is Verdict.PROVED:
            self.consistent = False
            return [_inconsistent(self.model, t0)]
        self.consistent = True
        if res.verdict is Verdict.UNKNOWN:
            # keep going: every other check is still about patients who satisfy the assumptions
            return [unknown_result("assumptions", "the assumptions admit any patient", None, res.reason, t0)]
        assert res.model is not None
        assumptions = self.model.assumptions
        first = self.minimiser.improve(res.model, lambda p: all(evaluate(a.cond, p) for a in assumptions))
        self._record(first)
        return [CheckResult("assumptions", Verdict.PROVED, None, time.perf_counter() - t0)]

    def verify_tables(self) -> Report:
        """The assumptions, reachability of every node and the decision checks of every table."""
        report = Report(self.check_assumptions())
        if not self.consistent:
            return report
        typical = default_patient(self.model)
        if all(evaluate(a.cond, typical) for a in self.model.assumptions):
            self._record(typical)
        # decisions in the order the graph reaches them, so that witnesses found by the checks
        # of one decision prove the nodes after it
        t0 = time.perf_counter()
        # (each table: a decision, or a copy of it reading later results of a repeated study)
        order = sorted(self._by_decision, key=lambda key: self._by_decision[key][0])
        checked: dict[str, list[CheckResult]] = {}
        for key in order:
            nodes = self.decision_nodes(key)
            for i in nodes:
                if not any(k in self.reached for k in nodes):
                    self.ensure(i)
            if not any(i in self.reached for i in nodes):
                continue
            table = self.model.decision(key)
            checker = DecisionChecker(table, self.context(key), minimiser=self.minimiser)
            checked[key] = checker.run()
            if any(r.check == f"gap:{table.name}" and r.verdict is Verdict.PROVED for r in checked[key]):
                self._gap_free.add(key)
            self.harvest(key, checker)
        self.explore()
        self._tables_done = True
        report.results.extend(self._unreachable_results(t0))
        for d in self.model.decisions:
            copies = [checked[key] for key in self._tables.get(d.name, []) if key in checked]
            if len(copies) > 1:
                report.results.extend(merge_copies(d.name, copies))
            elif copies:
                report.results.extend(copies[0])
        return report

    def verify_paths(self) -> Report:
        """The path properties (after `verify_tables`, or alone)."""
        report = Report(self.check_assumptions())
        if not self.consistent:
            return report
        report.results.extend(check_properties(self))
        return report

    def ends_proved(self) -> bool:
        """`always ends`, decided without a query from what `verify_tables` found: no reachable
        decision has a gap in its context, and no patient reaches the revisit limit. False when
        that is not known (the property's own query then decides it)."""
        if not self._tables_done:
            return False
        for i, (n, _) in enumerate(self.base.nodes):
            if n == LIMIT_NODE:
                if i not in self.unreachable:
                    return False
            elif (
                self.graph.kind(n) == "decision"
                and self.graph.table_key(n) not in self._gap_free
                and i not in self.unreachable
            ):
                return False
        return True

    def reached_patients(self, nodes: Iterable[int]) -> list[Patient]:
        """The known patients reaching any of the nodes (each once, in node order)."""
        out: list[Patient] = []
        seen: set[int] = set()
        for i in nodes:
            for p, _ in self._samples.get(i, ()):
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append(p)
        return out

    def _unreachable_results(self, t0: float) -> list[CheckResult]:
        out: list[CheckResult] = []
        g = self.graph
        nodes = self.base.nodes
        seconds = time.perf_counter() - t0

        def status(idx: list[int]) -> tuple[Verdict, str | None]:
            if any(i in self.reached for i in idx):
                return Verdict.PROVED, None
            undecided = [self.undecided[i] for i in idx if i in self.undecided]
            if undecided:
                return Verdict.UNKNOWN, undecided[0]
            return Verdict.REFUTED, None

        def never(cid: str, idx: list[int], span: Any, what: str, message: str, hint: str) -> CheckResult:
            """The check of an action or disposition: proved, undecided or VP306 `message`."""
            verdict, reason = status(idx)
            if verdict is Verdict.PROVED:
                return CheckResult(cid, verdict, None, 0.0)
            if verdict is Verdict.UNKNOWN:
                return unknown_result(cid, what, span, reason, t0)
            diag = diagnostic(
                code=UNREACHABLE,
                message=message,
                span=span,
                hint=hint,
                evidence=make_evidence(cid, "refuted"),
            )
            return CheckResult(cid, Verdict.REFUTED, diag, seconds)

        for d in self.model.decisions:
            idx = sorted(i for key in self._tables.get(d.name, []) for i in self.decision_nodes(key))
            if not idx:
                continue  # not in the graph at all: VP209 from the front end
            cid = f"unreachable:decision:{d.name}"
            verdict, reason = status(idx)
            if verdict is Verdict.PROVED:
                out.append(CheckResult(cid, verdict, None, 0.0))
            elif verdict is Verdict.UNKNOWN:
                out.append(unknown_result(cid, f"any patient reaches decision '{d.name}'", d.span, reason, t0))
            else:
                out.append(unreachable_result(d, cid, t0))
        # the order steps of each action, and the product nodes of each end node: one pass over the nodes
        ordering: dict[str, list[int]] = {}
        at_node: dict[str, list[int]] = {}
        for i, (n, _) in enumerate(nodes):
            at_node.setdefault(n, []).append(i)
            if g.kind(n) == "order":
                for name in dict.fromkeys(g.actions_of(n)):
                    ordering.setdefault(name, []).append(i)
        for a in self.model.actions:
            idx = ordering.get(a.name, [])
            if not idx:
                continue
            out.append(
                never(
                    f"unreachable:action:{a.name}",
                    idx,
                    a.span,
                    f"any patient is ordered '{a.name}'",
                    f"action '{a.name}' is never ordered for any patient",
                    "every rule that orders it is dead or in a decision no patient reaches",
                )
            )
        for disp in self.model.dispositions:
            node = f"end:{disp.name}"
            if node not in g.graph or node == LIMIT_NODE:
                continue
            out.append(
                never(
                    f"unreachable:disposition:{disp.name}",
                    at_node.get(node, []),
                    disp.span,
                    f"any patient reaches disposition '{disp.name}'",
                    f"disposition '{disp.name}' is never reached by any patient",
                    "every rule that ends there is dead or in a decision no patient reaches",
                )
            )
        return out


_MISSING = object()  # a value the patient does not have (`_applies`)


class _Thresholds(IgnoreLeaves):
    """The constants each number variable is compared with alone (`PathwayVerifier._thresholds`), and
    the variables read otherwise (`mixed`: compared with another variable)."""

    def __init__(self) -> None:
        self.constants: dict[str, set[Fraction]] = {}
        self.mixed: set[str] = set()

    def visit_enum_compare(self, c: m.EnumCompare) -> None:
        self.mixed.update((c.left, c.right))

    def visit_compare(self, c: m.Compare) -> None:
        terms, k = c.normal()
        if len(terms) == 1:  # coef * x op k: decided by where x lies relative to k / coef
            var, coef = terms[0]
            self.constants.setdefault(var, set()).add(k / coef)
        else:
            self.mixed.update(var for var, _ in terms)
            self.mixed.update(v for v, _ in reads(c))


class _SamplePath:
    """A path as (decision, rule, decision node) steps, with the positions of the steps whose
    decision reads each variable."""

    __slots__ = ("_follows", "_funnels", "_open", "_open_upto", "_thresholds", "by_var", "patient", "triples", "upto")

    def __init__(
        self,
        steps: list[tuple[int, GuardKey]],
        decision_vars: Mapping[str, frozenset[str]],
        patient: Mapping[str, Value] | None = None,
        thresholds: Callable[[str], Mapping[str, tuple[Fraction, ...] | None]] | None = None,
        funnels: Callable[[tuple[str, int, int], str], bool | None] | None = None,
    ) -> None:
        # one triple per rule edge of the path; upto[n]: the number of triples before steps[n]
        # is entered, inclusive of the edge into it
        self.triples: list[tuple[str, int, int]] = []
        self.upto: list[int] = []
        for n, (_, key) in enumerate(steps):
            if key is not None:
                self.triples.append((key[0], key[1], steps[n - 1][0]))
            self.upto.append(len(self.triples))
        self.by_var: dict[str, list[int]] = {}
        for pos, (d, _, _) in enumerate(self.triples):
            for v in decision_vars.get(d, ()):
                self.by_var.setdefault(v, []).append(pos)
        # the path's own patient. A patient who differs from it only in a number whose old and new
        # values no constant of a step's table separates (`thresholds`) decides there as it did.
        self.patient = patient
        self._thresholds = thresholds if patient is not None else None
        # the values of some variables -> [steps checked, first step where a patient with them leaves
        # the path (len(triples): none yet)]
        self._follows: dict[tuple[tuple[str, Value], ...], list[int]] = {}
        # for each variable, the steps reading it that a patient changed in it may leave (those not
        # proved to be funnels for it, `PathwayVerifier._funnels`), found up to `_open_upto[v]`
        self._funnels = funnels
        self._open: dict[str, list[int]] = {}
        self._open_upto: dict[str, int] = {}

    def follows(
        self,
        p: Mapping[str, Value],
        touched: frozenset[str],
        length: int,
        applies: Callable[[Mapping[str, Value], tuple[str, int, int]], bool],
    ) -> bool:
        """Whether p, who differs from the path's patient only in `touched`, still goes where the path
        goes (`applies`) at each of its first `length` steps whose decision reads a touched variable.

        Kept per values of the touched variables, so that each step is checked once for them however
        many decisions along the path ask (asking at every decision in turn is then linear)."""
        key = tuple(sorted((v, p[v]) for v in touched))
        state = self._follows.get(key)
        if state is None:
            state = self._follows[key] = [0, len(self.triples)]
        checked, failed = state
        if failed < length:
            return False
        if checked >= length:
            return True
        for k in sorted(self._to_check(p, touched, checked, length, applies)):
            if not applies(p, self.triples[k]):
                state[1] = k
                return False
        state[0] = length
        return True

    def _to_check(
        self,
        p: Mapping[str, Value],
        touched: frozenset[str],
        checked: int,
        length: int,
        applies: Callable[[Mapping[str, Value], tuple[str, int, int]], bool],
    ) -> set[int]:
        """The steps in [checked, length) to check for p. With several touched variables, a step
        reading only one of them, v, decides for p as for the path's patient changed in v alone: that
        patient's own check (kept, and shared by every set of changes that includes v's) clears the
        steps before its first failure. Only the steps reading several touched variables, and those
        at or after that failure, are left (all of them if the single checks cannot be made)."""
        per_var = {v: self._reading(v, p, checked, length) for v in touched}
        every: set[int] = set()
        for at in per_var.values():
            every.update(at)
        if len(touched) < 2 or self.patient is None:
            return every
        try:
            seen: set[int] = set()
            out: set[int] = set()
            for at in per_var.values():
                mine = set(at)
                out |= seen & mine  # steps reading two touched variables or more
                seen |= mine
            for v, at in per_var.items():
                first = self._first_failure(v, p[v], length, applies)
                out.update(k for k in at if k >= first)
            return out
        except MissingValue:
            return every

    def _first_failure(
        self,
        v: str,
        value: Value,
        length: int,
        applies: Callable[[Mapping[str, Value], tuple[str, int, int]], bool],
    ) -> int:
        """The first step before `length` where the path's patient with v changed to `value` leaves the
        path (`follows` for that patient, and kept under the same key); len(triples) if none."""
        assert self.patient is not None
        state = self._follows.get(((v, value),))
        if state is None:
            state = self._follows[((v, value),)] = [0, len(self.triples)]
        checked, failed = state
        if failed < length or checked >= length:
            return failed
        q = dict(self.patient)
        q[v] = value
        for k in sorted(set(self._reading(v, q, checked, length))):
            if not applies(q, self.triples[k]):
                state[1] = k
                return k
        state[0] = length
        return state[1]

    def _reading(self, v: str, p: Mapping[str, Value], checked: int, length: int) -> Iterable[int]:
        """The steps in [checked, length) where p, changed in v, may decide otherwise than the path's
        patient: every step reading v that is not a funnel for it, and for a number only those whose
        table compares it with a constant between the old and the new value (or reads it otherwise)."""
        at = self._open_steps(v, length)
        at = at[bisect_left(at, checked) : bisect_left(at, length)]
        old = self.patient.get(v) if self.patient is not None else None
        new = p.get(v)
        thresholds = self._thresholds
        if thresholds is None or not isinstance(old, Fraction) or not isinstance(new, Fraction):
            return at
        lo, hi = (old, new) if old <= new else (new, old)
        out: list[int] = []
        for k in at:
            limits = thresholds(self.triples[k][0]).get(v, ())
            # None: read with another variable; else some constant c with lo <= c <= hi may separate
            # the values, and with none there every `x op c` agrees
            if limits is None or (lo != hi and bisect_left(limits, lo) < bisect_right(limits, hi)):
                out.append(k)
        return out

    def _open_steps(self, v: str, length: int) -> list[int]:
        """The steps before `length` reading v, without those proved to be funnels for v (ascending)."""
        at = self.by_var.get(v)
        if not at:
            return []
        funnels = self._funnels
        if funnels is None:
            return at
        found = self._open.get(v)
        if found is None:
            found = self._open[v] = []
        upto = self._open_upto.get(v, 0)
        if upto < length:
            triples = self.triples
            # a step whose table is not checked yet (None) stays open: it is checked for each patient
            found.extend(
                k for k in at[bisect_left(at, upto) : bisect_left(at, length)] if funnels(triples[k], v) is not True
            )
            self._open_upto[v] = length
        return found

    def reading(self, touched: frozenset[str], length: int) -> list[tuple[str, int, int]]:
        """The steps among the first `length` whose decision reads a touched variable, in order."""
        pos: set[int] = set()
        for v in touched:
            at = self.by_var.get(v)
            if at:
                pos.update(at[: bisect_left(at, length)])
        return [self.triples[k] for k in sorted(pos)]


class _Saturated:
    """A `stop` set for walks: the reached nodes that already have every sample they keep."""

    def __init__(self, pv: PathwayVerifier) -> None:
        self.pv = pv
        self.first = True

    def __contains__(self, i: object) -> bool:
        if self.first:  # never stop at the node the walk begins at
            self.first = False
            return False
        assert isinstance(i, int)
        return i in self.pv.reached and not self.pv._wants(i)


def _inconsistent(model: m.Model, t0: float) -> CheckResult:
    span = model.assumptions[0].span if model.assumptions else None
    diag = diagnostic(
        code=INCONSISTENT_ASSUMPTIONS,
        message="the assumptions exclude every patient",
        span=span,
        hint="no check means anything until some patient satisfies every assumption",
        evidence=make_evidence("assumptions", "refuted"),
    )
    return CheckResult("assumptions", Verdict.REFUTED, diag, time.perf_counter() - t0)


def verify_graph(graph: DecisionGraph, options: SolverOptions = DEFAULT_OPTIONS) -> Report:
    """Decision checks, unreachable nodes and path properties of a compiled pathway."""
    return PathwayVerifier(graph, options).verify()
