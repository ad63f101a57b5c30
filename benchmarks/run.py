"""The benchmark runner.

    .venv/bin/python -m benchmarks.run                 # the full plan (tens of minutes), then REPORT.md
    .venv/bin/python -m benchmarks.run --quick         # a few small cases, seconds; results/quick.{json,md}
    .venv/bin/python -m benchmarks.run --sizes 5000x7 d500 cli   # some cases; REPORT.md from all results so far
    .venv/bin/python -m benchmarks.run --report-only   # rebuild REPORT.md from results/cases/*.json

Each case runs in its own process (`benchmarks.worker`), so its timings and its peak
memory are its own, with a time limit per case. Results go to benchmarks/results/
(git-ignored): one JSON file per case under cases/ (quick/ for --quick), and the whole
plan in full.json (quick.json).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import e2e, report
from benchmarks.cases import FULL, QUICK, Case, parse_size
from benchmarks.worker import RESULTS, ROOT, dump, run_case, source_hash


def environment() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20, check=False)
            return done.stdout
        except OSError:
            return ""

    try:
        import z3

        z3_version = z3.get_version_string()
    except ImportError:
        z3_version = "missing"
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            mem = fh.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), "")
    except OSError:
        pass
    dirty = git("status", "--porcelain", "--", "verify", "compiler", "dsl", "veripath")
    return {
        "python": platform.python_version(),
        "z3": z3_version,
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory": mem,
        "commit": git("rev-parse", "--short", "HEAD").strip(),
        "uncommitted_changes": sorted({ln[3:].split("/")[0] for ln in dirty.splitlines() if ln}),
        "code": source_hash("verify", "compiler", "dsl"),
    }


def run_in_subprocess(case: Case, out_file: Path) -> dict[str, Any]:
    out_file.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "benchmarks.worker", json.dumps(case.to_json()), str(out_file)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stderr=subprocess.PIPE)
    try:
        _, err = proc.communicate(timeout=case.timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        result: dict[str, Any] = {
            "case": case.to_json(),
            "status": "timeout",
            "error": f"no result within {case.timeout_s} s",
            "wall_s": time.perf_counter() - started,
        }
        out_file.write_text(dump(result), encoding="utf-8")
        return result
    if proc.returncode != 0 or not out_file.exists():
        result = {
            "case": case.to_json(),
            "status": "crashed",
            "error": f"worker exit code {proc.returncode}",
            "stderr": err.decode("utf-8", "replace")[-4000:],
            "wall_s": time.perf_counter() - started,
        }
        out_file.write_text(dump(result), encoding="utf-8")
        return result
    loaded: dict[str, Any] = json.loads(out_file.read_text(encoding="utf-8"))
    return loaded


def load_results(folder: Path, plan: Sequence[Case]) -> list[dict[str, Any]]:
    """The latest result of every case of the plan that has one, in plan order."""
    out = []
    for case in plan:
        f = folder / f"{case.id}.json"
        if f.exists():
            out.append(json.loads(f.read_text(encoding="utf-8")))
    return out


def run_e2e(args: argparse.Namespace) -> int:
    """`--e2e`: the whole process through the CLI beside the verifier and the shared baselines."""
    plan = e2e.QUICK if args.quick else e2e.PLAN
    cases = [e2e.parse_e2e_size(t) for t in args.sizes if t != "specs"] if args.sizes else list(plan)
    if args.repeats:
        cases = [dataclasses.replace(c, repeats=args.repeats) for c in cases]
    with_specs = not args.quick and (not args.sizes or "specs" in args.sizes)
    if args.list:
        for c in cases:
            print(f"{c.id:20} repeats={c.repeats} baselines={','.join(c.baselines)}")
        return 0
    name = "e2e-quick" if args.quick else "e2e"
    out_file = args.out / f"{name}.json"
    commands: dict[str, list[str]] = {}
    for item in args.compare:
        label, _, cmd = item.partition("=")
        commands[label] = cmd.split()
    commands["now"] = [str(Path(sys.executable).parent / "veripath")]
    env = environment()
    env["load"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    results: list[dict[str, Any]] = []
    if args.report_only:
        saved = json.loads(out_file.read_text(encoding="utf-8"))
        env, results = saved["environment"], saved["results"]
    else:
        e2e.compile_bytecode(sys.executable)
        for i, case in enumerate(cases, start=1):
            print(f"[{i}/{len(cases)}] {case.id} ...", end=" ", flush=True)
            if isinstance(case, e2e.E2EPathway):
                result = e2e.run_pathway(case, args.out / "e2e", commands)
            else:
                result = e2e.run_case(case, args.out / "e2e", commands, args.bench_python)
            results.append(result)
            print(", ".join(f"{lb} {v['wall_s']:.2f} s" for lb, v in result["veripath"].items()), flush=True)
        if with_specs:
            results.append(e2e.run_specs(commands, args.out / "e2e"))
        # keep the other cases of earlier runs (one case per run is the norm on a shared machine)
        earlier = json.loads(out_file.read_text(encoding="utf-8"))["results"] if out_file.exists() else []
        ran = {r["id"] for r in results}
        order = [c.id for c in e2e.PLAN] + ["e2e-specs"]
        merged = [r for r in earlier if r["id"] not in ran] + results
        results = sorted(merged, key=lambda r: order.index(r["id"]) if r["id"] in order else len(order))
        args.out.mkdir(parents=True, exist_ok=True)
        out_file.write_text(dump({"environment": env, "results": results}), encoding="utf-8")
    labels = list(dict.fromkeys(lb for r in results for lb in r["veripath"])) or ["now"]
    labels = [*(lb for lb in labels if lb != "now"), "now"]
    block = e2e.markdown(results, env, labels)
    target = args.report or (args.out / "e2e-quick.md" if args.quick else ROOT / "benchmarks" / "REPORT.md")
    if target.name == "REPORT.md":
        e2e.write_block(target, block)
    else:
        target.write_text(block + "\n", encoding="utf-8")
    print(block)
    print(f"wrote {out_file} and {target}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a few small cases (seconds); does not touch REPORT.md")
    ap.add_argument("--sizes", nargs="+", metavar="SIZE", help="run only these: 5000x7, 5000x7-first, d500, cli, ...")
    ap.add_argument("--out", type=Path, default=RESULTS, help="results folder (default benchmarks/results)")
    ap.add_argument("--report", type=Path, help="Markdown report (default REPORT.md; OUT/quick.md with --quick)")
    ap.add_argument("--report-only", action="store_true", help="rebuild the report from the saved results")
    ap.add_argument("--in-process", action="store_true", help="run the cases in this process (tests; memory is shared)")
    ap.add_argument("--list", action="store_true", help="list the cases of the plan and exit")
    ap.add_argument(
        "--e2e", action="store_true", help="end to end: `veripath check FILE` as a process, stages, baselines"
    )
    ap.add_argument(
        "--compare",
        nargs="+",
        default=[],
        metavar="LABEL=VERIPATH",
        help="--e2e: also time these veripath commands (e.g. before=/tmp/base/.venv/bin/veripath)",
    )
    ap.add_argument(
        "--bench-python",
        default=sys.executable,
        help="--e2e: the Python that runs ../shared/bench (needs numpy and z3-solver; default this one)",
    )
    ap.add_argument("--repeats", type=int, help="--e2e: runs of each process (default per case)")
    ap.add_argument("--lookup", action="store_true", help="run benchmarks.lookup (generated-module lookups) instead")
    args, rest = ap.parse_known_args(argv)
    if args.e2e:
        if rest:
            ap.error(f"unrecognized arguments: {' '.join(rest)}")
        return run_e2e(args)
    if args.lookup:
        from benchmarks import lookup

        return lookup.main(rest)
    if rest:
        ap.error(f"unrecognized arguments: {' '.join(rest)}")

    plan = QUICK if args.quick else FULL
    cases = [c for token in args.sizes for c in parse_size(token)] if args.sizes else list(plan)
    folder = args.out / ("quick" if args.quick else "cases")
    if args.list:
        for c in cases:
            print(f"{c.id:32} {c.target or '':4} {c.kind}")
        return 0
    if not args.report_only:
        for i, case in enumerate(cases, start=1):
            print(f"[{i}/{len(cases)}] {case.id} ...", end=" ", flush=True)
            out_file = folder / f"{case.id}.json"
            if args.in_process:
                result = run_case(case, args.out)
                out_file.parent.mkdir(parents=True, exist_ok=True)
                out_file.write_text(dump(result), encoding="utf-8")
            else:
                result = run_in_subprocess(case, out_file)
            print(report.one_line(result), flush=True)
    known = {c.id for c in plan}
    extra = [c for c in cases if c.id not in known]
    results = load_results(folder, [*plan, *extra])
    env = environment()
    name = "quick" if args.quick else "full"
    (args.out / f"{name}.json").write_text(dump({"environment": env, "results": results}), encoding="utf-8")
    target = args.report or (args.out / "quick.md" if args.quick else ROOT / "benchmarks" / "REPORT.md")
    report.write(target, results, env, quick=args.quick)
    print(f"wrote {args.out / f'{name}.json'} and {target}")
    bad = [r["case"]["id"] for r in results if r.get("status") != "ok"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
