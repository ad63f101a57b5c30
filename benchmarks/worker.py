"""Run one benchmark case and return its measurements (JSON-serialisable).

`python -m benchmarks.worker CASE_JSON OUT_FILE` runs one case in a fresh process, so
that its peak memory (ru_maxrss) and its timings are its own; the runner starts one per
case. Inside, the order is: generate, lower, the fast verifier (timed, `repeats` runs),
then the baselines (so the peak memory measured after the fast verifier is not the
baselines').
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from benchmarks import bruteforce as bf
from benchmarks import generate as gen
from benchmarks import verifier as vf
from benchmarks.cases import Case
from compiler.graph import DecisionGraph
from compiler.lower import lower
from dsl import model as m
from dsl.source import Span

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PARSE_LIMIT = 2_000  # tables up to this many rules also go through the parser
BRUTE_POINTS = 20_000_000  # brute force only when the enumerated space is at most this big
PATH_SAMPLE = 200  # paths timed for the path-enumeration estimate


def source_hash(*folders: str) -> str:
    """A short hash of the .py files of these folders: which version of the code a result measured."""
    import hashlib

    h = hashlib.sha256()
    for folder in folders:
        for f in sorted((ROOT / folder).rglob("*.py")):
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux: ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any], repeats: int) -> tuple[Any, list[float]]:
    out: Any = None
    times: list[float] = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, times


def summary(times: list[float]) -> dict[str, Any]:
    return {"seconds": statistics.median(times), "min": min(times), "max": max(times), "runs": times}


# ---- equality of models modulo spans (the parser path) ------------------------------------------

_NOWHERE = Span(file="", line=0, column=0, end_line=0, end_column=0)


def strip_spans(x: Any) -> Any:
    if isinstance(x, Span):
        return _NOWHERE
    if isinstance(x, tuple):
        return tuple(strip_spans(i) for i in x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        kw = {f.name: strip_spans(getattr(x, f.name)) for f in dataclasses.fields(x) if f.init}
        return type(x)(**kw)
    return x


def same_model(a: m.Model, b: m.Model) -> bool:
    def norm(x: m.Model) -> Any:
        return strip_spans(dataclasses.replace(x, path="", files=()))

    return bool(norm(a) == norm(b))


def parse_check(model: m.Model, text: str, name: str, folder: Path) -> dict[str, Any]:
    """Write the .vp text, load it with the front end, and compare with the generated Model."""
    from veripath.api import load_spec

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.vp"
    path.write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    loaded = load_spec(str(path))
    seconds = time.perf_counter() - t0
    errors = [f"{d.code.code} {d.message}" for d in loaded.diagnostics if d.is_error]
    same = loaded.model is not None and same_model(loaded.model, model)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return {"file": str(shown), "seconds": seconds, "errors": errors[:5], "same_model": same}


# ---- tables ----------------------------------------------------------------------------------------


def to_patient(model: m.Model, data: Mapping[str, Any]) -> bf.Patient:
    return bf.complete_patient(model, data)


def compare_table(truth: gen.TableTruth, model: m.Model, f: vf.Findings) -> dict[str, Any]:
    """The verifier's findings against what was planted."""
    points = [to_patient(model, p) for p in f.gaps.get(truth.decision, [])]
    hit: list[int] = []
    for p in points:
        where = [i for i, box in enumerate(truth.gaps) if gen.box_contains(truth.inputs, box, p)]
        hit.append(where[0] if where else -1)
    found = {h for h in hit if h >= 0}
    out: dict[str, Any] = {
        "gaps_planted": len(truth.gaps),
        "gaps_reported": len(points),
        "gaps_missed": len(truth.gaps) - len(found),
        "gaps_false": sum(h < 0 for h in hit),
        "conflicts_planted": len(truth.conflicts),
        "conflicts_missed": len(truth.conflicts - f.conflicts),
        "conflicts_false": len(f.conflicts - truth.conflicts),
        "redundant_planted": len(truth.redundant),
        "redundant_missed": len(truth.redundant - f.redundant),
        "redundant_false": len(f.redundant - truth.redundant),
        "masked_planted": len(truth.masked),
        "masked_missed": len(truth.masked - f.masked),
        "masked_false": len(f.masked - truth.masked),
        "dead_false": len(f.dead),
        "unknown": len(f.unknown),
        "unknown_checks": f.unknown[:5],
        "other": f.other[:5],
    }
    wrong = [
        k for k, v in out.items() if (k.endswith(("_missed", "_false")) or k == "unknown") and isinstance(v, int) and v
    ]
    out["correct"] = not wrong and not f.other
    out["wrong"] = wrong
    return out


def compare_brute_table(truth: gen.TableTruth, space: bf.Space, found: bf.TableFindings) -> dict[str, Any]:
    planted = 0
    for box in truth.gaps:
        cond, _ = gen.box_cond(truth.inputs, box, _NOWHERE)
        planted |= space.eval(cond)
    return {
        "gaps_exact": planted == found.uncovered,
        "conflicts_exact": found.conflicts == truth.conflicts,
        "redundant_exact": found.redundant == truth.redundant,
        "masked_exact": found.masked == truth.masked,
        "no_dead": not found.dead,
        "correct": planted == found.uncovered
        and found.conflicts == truth.conflicts
        and found.redundant == truth.redundant
        and found.masked == truth.masked
        and not found.dead,
    }


def naive_table(case: Case, tc: gen.TableCase, opts: Any) -> dict[str, Any]:
    """The naive baseline (verify.baseline.check_decision_naive).

    Run whole when it has at most NAIVE_FULL_PAIRS pairs; otherwise estimated from a sample
    of its own queries on the full table (`naive_sampled`). mode "both" does both, to
    check the estimate against the real thing.
    """
    model, decision = tc.model, tc.model.decisions[0]
    n = len(decision.rules)
    pairs = n * (n - 1) // 2 if decision.hit_policy != "first" else 0
    mode = case.naive
    if mode == "off":
        return {"status": "off"}
    if mode == "auto":
        mode = "full" if pairs <= NAIVE_FULL_PAIRS and n <= NAIVE_FULL_RULES else "sample"
    out: dict[str, Any] = {"status": "ok", "mode": mode, "pairs": pairs}
    if mode in ("sample", "both"):
        out.update(naive_sampled(case, model, decision, opts))
        out["extrapolated"] = True
    if mode in ("full", "both"):
        fn = vf.naive_function()
        t0 = time.perf_counter()
        results = list(fn(model, decision, None, opts))
        seconds = time.perf_counter() - t0
        f = vf.read(results)
        full = {"seconds": seconds, "checks": f.checks, "correct": compare_table(tc.truth, model, f)}
        if mode == "full":
            out.update(full)
        else:
            out["full"] = full
    return out


NAIVE_FULL_PAIRS = 20_000
NAIVE_FULL_RULES = 1_000


def naive_sampled(case: Case, model: m.Model, decision: m.Decision, opts: Any) -> dict[str, Any]:
    """Time a random sample of the naive baseline's queries, on the full table, and extrapolate.

    The queries are exactly those of verify.baseline.check_decision_naive, made through the
    same objects (Encoder, Guards, Session, table context) so that the solver holds what it
    holds there (for 'first' tables, the definitions of the effective guards of all N rules):
    per rule, "does it match anyone" (dead) and, for first/priority, "does it ever apply"
    (masked); per pair of rules, "do both match someone"; and one gap query per decision,
    which is run, not sampled. Setup (encoding every rule) is measured, not sampled.
    """
    enc_mod = vf._module("verify.encode")
    reach = vf._module("verify.reach")
    context = vf._module("verify.context")
    tables = vf._module("verify.tables")
    import z3

    rng = random.Random(f"naive/{case.id}")
    n = len(decision.rules)
    t0 = time.perf_counter()
    enc = enc_mod.Encoder(model)
    guards = reach.Guards(enc)
    session = context.Session(enc, opts, guards)
    ctx = tables.table_context(session, None)
    conds = [enc.encode(r.cond) for r in decision.rules]
    eff = guards.effective(decision.name)
    ctx.query(enc.true)  # creates the solver and asserts the definitions, as the first naive query does
    setup = time.perf_counter() - t0

    def sample_time(queries: list[list[Any]]) -> float:
        t = time.perf_counter()
        for q in queries:
            ctx.query(*q)
        return (time.perf_counter() - t) / max(1, len(queries))

    rules = rng.sample(range(n), min(n, NAIVE_SAMPLE_RULES))
    per_dead = sample_time([[conds[i]] for i in rules])
    per_masked = 0.0
    if decision.hit_policy in ("first", "priority"):
        per_masked = sample_time([[eff[i]] for i in rules])
    per_pair = 0.0
    pairs = 0
    sample_pairs: list[tuple[int, int]] = []
    if decision.hit_policy != "first":
        pairs = n * (n - 1) // 2
        while len(sample_pairs) < min(pairs, NAIVE_SAMPLE_PAIRS):
            i, j = sorted(rng.sample(range(n), 2))
            sample_pairs.append((i, j))
        per_pair = sample_time([[conds[i], conds[j]] for i, j in sample_pairs])
    t = time.perf_counter()
    gap = ctx.query(z3.Not(enc.or_(conds)))
    gap_seconds = time.perf_counter() - t
    estimate = setup + n * (per_dead + per_masked) + pairs * per_pair + gap_seconds
    return {
        "seconds": estimate,
        "setup_s": setup,
        "sample_rules": len(rules),
        "sample_pairs": len(sample_pairs),
        "per_rule_ms": {"dead": per_dead * 1000, "masked": per_masked * 1000},
        "per_pair_ms": per_pair * 1000,
        "gap_query": {"seconds": gap_seconds, "verdict": vf.verdict_name(gap)},
        "pairs": pairs,
    }


NAIVE_SAMPLE_RULES = 200
NAIVE_SAMPLE_PAIRS = 2_000


def fast_verify(
    graph: DecisionGraph,
    opts: Any,
    repeats: int,
    correct: Callable[[vf.Findings], dict[str, Any]],
    *,
    verdicts: bool = False,
) -> dict[str, Any]:
    """The figures of verify_graph on the graph (`correct`: its findings against the truth)."""
    try:
        results, times = timed(lambda: vf.verify_graph(graph, opts), repeats)
    except vf.VerifierUnavailable as exc:
        return {"status": "unavailable", "reason": str(exc)}
    f = vf.read(results)
    out: dict[str, Any] = {
        "status": "ok",
        **summary(times),
        "checks": f.checks,
        "by_kind": f.count_by_kind,
        "seconds_by_kind": f.seconds_by_kind,
    }
    if verdicts:
        out["verdicts"] = f.properties
    out["rss_mb"] = rss_mb()
    out["correct"] = correct(f)
    return out


def run_table(case: Case, specs: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    name = case.id.replace("-", "_")
    tc = gen.table(case.n, case.k, policy=case.policy, seed=case.seed, finite=case.finite, path=f"{name}.vp")
    out["generate_s"] = time.perf_counter() - t0
    out["truth"] = tc.truth.counts()
    out["inputs"] = [f"{i.name}:{i.kind}{len(i.values) if i.kind == 'enum' else ''}" for i in tc.truth.inputs]
    if case.n <= PARSE_LIMIT:
        out["parse"] = parse_check(tc.model, tc.text, name, specs)
    t0 = time.perf_counter()
    graph = lower(tc.model)
    out["lower_s"] = time.perf_counter() - t0
    out["rss_generated_mb"] = rss_mb()
    out["space_points"] = bf.space_size(tc.model)
    opts = vf.options()
    out["fast"] = fast_verify(graph, opts, case.repeats, lambda f: compare_table(tc.truth, tc.model, f))
    if out["fast"]["status"] == "ok":
        try:
            big = max(1000, 4 * len(tc.truth.gaps))
            single, stimes = timed(
                lambda: vf.check_decision(tc.model, tc.model.decisions[0], opts, max_gaps=big), case.repeats
            )
            out["fast_table"] = {
                "status": "ok",
                **summary(stimes),
                "correct": compare_table(tc.truth, tc.model, vf.read(single)),
            }
        except vf.VerifierUnavailable as exc:
            out["fast_table"] = {"status": "unavailable", "reason": str(exc)}
    out["rss_fast_mb"] = rss_mb()
    out["naive"] = _guard(lambda: naive_table(case, tc, opts))
    out["brute"] = _guard(lambda: brute_table(case, tc))
    out["rss_end_mb"] = rss_mb()
    return out


def brute_table(case: Case, tc: gen.TableCase) -> dict[str, Any]:
    points = bf.space_size(tc.model)
    if not case.brute or points > BRUTE_POINTS:
        return {"status": "skipped", "points": points, "reason": f"space of {points:.3g} patients"}
    t0 = time.perf_counter()
    space = bf.Space.of(tc.model)
    found = bf.check_table(space, tc.model.decisions[0])
    seconds = time.perf_counter() - t0
    return {"status": "ok", "seconds": seconds, "points": points, **compare_brute_table(tc.truth, space, found)}


def _guard(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return fn()
    except vf.VerifierUnavailable as exc:
        return {"status": "unavailable", "reason": str(exc)}
    except Exception as exc:  # a baseline that breaks must not lose the case's other figures
        return {"status": "error", "reason": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()[-2000:]}


# ---- pathways -------------------------------------------------------------------------------------------


def count_paths(graph: DecisionGraph) -> int:
    """Paths from start to an end node (parallel rule edges count separately)."""
    count: dict[str, int] = {}
    g = graph.graph
    for node in reversed(graph.topological_order()):
        if graph.kind(node) == "end":
            count[node] = 1
        else:
            count[node] = sum(count[v] for _, v in g.out_edges(node))
    return count[graph.start]


def compare_pathway(pc: gen.PathwayCase, graph: DecisionGraph, f: vf.Findings) -> dict[str, Any]:
    expected = pc.truth.expected
    wrong: list[str] = []
    invalid: list[str] = []
    props = {p.name: p for p in pc.model.properties}
    for name, want in expected.items():
        got = f.properties.get(name, "MISSING")
        if got != want:
            wrong.append(f"{name}: {got}, expected {want}")
        elif got == "REFUTED":
            cex = f.counterexamples.get(name)
            if cex is None or not bf.violates(graph, props[name], to_patient(pc.model, cex)):
                invalid.append(name)
    table_findings = {
        "gaps": sum(len(v) for v in f.gaps.values()),
        "conflicts": len(f.conflicts),
        "redundant": len(f.redundant),
        "masked": len(f.masked),
        "dead": len(f.dead),
        "unreachable": len(f.unreachable),
        "other": len(f.other),
    }
    false_findings = sum(table_findings.values())
    return {
        "properties": len(expected),
        "decided": sum(f.properties.get(n) in ("PROVED", "REFUTED") for n in expected),
        "wrong": wrong,
        "invalid_counterexamples": invalid,
        "false_table_findings": table_findings,
        "unknown": len(f.unknown),
        "unknown_checks": f.unknown[:5],
        "correct": not wrong and not invalid and not false_findings and not f.unknown,
    }


def run_pathway(case: Case, specs: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    pc = gen.pathway(case.d, seed=case.seed, path=f"pathway_d{case.d}.vp")
    out["generate_s"] = time.perf_counter() - t0
    if case.d <= 200:
        out["parse"] = parse_check(pc.model, pc.text, f"pathway_d{case.d}", specs)
    t0 = time.perf_counter()
    graph = lower(pc.model)
    out["lower_s"] = time.perf_counter() - t0
    paths = count_paths(graph)
    out["graph"] = {
        "nodes": graph.graph.number_of_nodes(),
        "edges": graph.graph.number_of_edges(),
        "rules": sum(len(d.rules) for d in pc.model.decisions),
        "paths_log10": math.log10(paths),
        "paths_digits": len(str(paths)),
        "feasible_paths_at_least": f"2^{pc.truth.independent_bools}",
        "feasible_paths_log10_at_least": pc.truth.independent_bools * math.log10(2),
    }
    out["planted"] = pc.truth.planted
    out["expected"] = pc.truth.expected
    out["rss_generated_mb"] = rss_mb()
    opts = vf.options()
    out["fast"] = fast_verify(graph, opts, case.repeats, lambda f: compare_pathway(pc, graph, f), verdicts=True)
    out["rss_fast_mb"] = rss_mb()
    out["witnesses_valid"] = {
        name: bf.violates(graph, next(p for p in pc.model.properties if p.name == name), w)
        for name, w in pc.truth.witnesses.items()
    }
    out["brute"] = _guard(lambda: brute_pathway(case, pc, graph))
    out["path_enumeration"] = _guard(lambda: path_enumeration(graph, paths))
    out["rss_end_mb"] = rss_mb()
    return out


def brute_pathway(case: Case, pc: gen.PathwayCase, graph: DecisionGraph) -> dict[str, Any]:
    points = bf.space_size(pc.model)
    if not case.brute or points > BRUTE_POINTS:
        return {"status": "skipped", "points": points, "reason": f"space of {points:.3g} patients"}
    t0 = time.perf_counter()
    found = bf.check_pathway(graph)
    seconds = time.perf_counter() - t0
    verdicts = {k: "REFUTED" if v else "PROVED" for k, v in found.violated.items()}
    return {
        "status": "ok",
        "seconds": seconds,
        "points": points,
        "agrees_with_truth": verdicts == pc.truth.expected,
        "table_findings": len(found.gaps) + len(found.conflicts) + len(found.dead_rules),
        "correct": verdicts == pc.truth.expected and not found.gaps and not found.conflicts and not found.dead_rules,
    }


def path_enumeration(graph: DecisionGraph, paths: int) -> dict[str, Any]:
    """The naive way to decide path properties: one solver query per path (feasible?).

    Times the first PATH_SAMPLE paths in depth-first order and extrapolates to all of them.
    """
    import z3

    enc_mod = vf._module("verify.encode")
    solver_mod = vf._module("verify.solver")
    enc = enc_mod.Encoder(graph.model)
    solver = solver_mod.make_solver(enc.ctx, vf.options())
    solver.add(*enc.base())
    model = graph.model
    done = 0
    t0 = time.perf_counter()
    # iterative DFS over (node, guards so far)
    stack: list[tuple[str, list[Any]]] = [(graph.start, [])]
    while stack and done < PATH_SAMPLE:
        node, guards = stack.pop()
        kind = graph.kind(node)
        if kind == "end":
            solver.push()
            solver.add(*guards)
            solver.check()
            solver.pop()
            done += 1
            continue
        if kind == "order":
            stack.append((graph.next_node(node), guards))
            continue
        decision = model.decision(str(graph.graph.nodes[node]["decision"]))
        earlier: list[Any] = []
        edges = list(graph.rule_edges(node))
        for target, rule in edges:
            cond = enc.encode(rule.cond)
            guard = z3.And(cond, *[z3.Not(e) for e in earlier]) if decision.hit_policy == "first" and earlier else cond
            earlier.append(cond)
            stack.append((target, [*guards, guard]))
    seconds = time.perf_counter() - t0
    per_path = seconds / max(1, done)
    log10 = math.log10(per_path) + math.log10(paths) if per_path > 0 else None
    return {
        "status": "ok",
        "sampled_paths": done,
        "per_path_ms": per_path * 1000,
        "seconds": per_path * paths if log10 is not None and log10 < 300 else None,
        "seconds_log10": log10,
        "extrapolated": True,
    }


# ---- the shipped specs through the CLI ---------------------------------------------------------------


def run_cli(case: Case) -> dict[str, Any]:
    exe = ROOT / ".venv" / "bin" / "veripath"
    cmd = [str(exe), "check", "specs/"]
    runs: list[dict[str, Any]] = []
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"
    for _ in range(case.runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        assert proc.stderr is not None and proc.stdout is not None
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stdout.close()
        proc.stderr.close()
        runs.append(
            {
                "seconds": seconds,
                "exit_code": os.waitstatus_to_exitcode(status),
                "rss_mb": usage.ru_maxrss / 1024,
                "summary": err.strip().splitlines()[-1] if err.strip() else "",
            }
        )
    times = [r["seconds"] for r in runs]
    return {
        "command": ".venv/bin/veripath check specs/",  # run from the root of the checkout
        **summary(times),
        "first_run_s": times[0],
        "rss_mb": max(r["rss_mb"] for r in runs),
        "exit_codes": sorted({r["exit_code"] for r in runs}),
        "summary": runs[-1]["summary"],
        "runs_detail": runs,
    }


# ---- entry ------------------------------------------------------------------------------------------------


def run_case(case: Case, results: Path = RESULTS) -> dict[str, Any]:
    """Run one case in this process; generated .vp files go to RESULTS/specs."""
    started = time.perf_counter()
    out: dict[str, Any] = {"case": case.to_json(), "status": "ok", "code": source_hash("verify", "compiler", "dsl")}
    try:
        if case.kind == "table":
            out.update(run_table(case, results / "specs"))
        elif case.kind == "pathway":
            out.update(run_pathway(case, results / "specs"))
        elif case.kind == "cli":
            out.update(run_cli(case))
        else:
            raise ValueError(f"unknown case kind {case.kind}")
    except Exception as exc:
        out["status"] = "error"
        out["error"] = f"{type(exc).__name__}: {exc}"
        out["trace"] = traceback.format_exc()[-4000:]
    out["wall_s"] = time.perf_counter() - started
    out["rss_peak_mb"] = rss_mb()
    return out


def _json_default(x: object) -> object:
    if isinstance(x, Fraction):
        return float(x)
    if isinstance(x, set | frozenset):
        return sorted(x, key=str)
    raise TypeError(type(x))


def dump(result: Mapping[str, Any]) -> str:
    return json.dumps(result, indent=1, default=_json_default, sort_keys=False)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m benchmarks.worker CASE_JSON OUT_FILE", file=sys.stderr)
        return 2
    case = Case.from_json(json.loads(args[0]))
    out = Path(args[1])
    result = run_case(case, out.parent.parent)
    out.write_text(dump(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
