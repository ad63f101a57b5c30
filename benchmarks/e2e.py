"""End to end: what a user waits for (`veripath check FILE` as a process) beside the verifier alone.

    .venv/bin/python -m benchmarks.run --e2e                      # the plan below, then REPORT.md's e2e block
    .venv/bin/python -m benchmarks.run --e2e --quick              # one small table, seconds; results/e2e-quick.*
    .venv/bin/python -m benchmarks.run --e2e --sizes 10000x6 --compare before=/tmp/base/.venv/bin/veripath

For each table, in one run: the shared generator (`../shared/bench/gen.py`, run where it is)
writes the table and `to_vp.py --compact` its `.vp`; then, each as a fresh process,
`veripath check FILE --format json` (wall time, CPU time, peak RSS from `wait4`; median
of the repeats), a stage worker that times each stage of the front end and the verifier
(`STAGES`), and the shared baselines `brute_bitset`, `boxpair` (and `z3pair` on small
tables), each as a whole process, as their README asks. Ratios are of whole processes.
Before timing, the checkout's packages are byte-compiled, and every timed process runs with
bytecode caching on, as an installed veripath does (`process_env`); a `--compare` checkout
should be byte-compiled too (`python -m compileall -q dsl compiler verify veripath` in it).

Pathways (`E2EPathway`, e.g. `--sizes d2000`): the benchmark generator (`benchmarks.generate.pathway`)
writes the ladder of D decisions as `.vp` text, timed the same way (process and stages); no shared
baseline decides path properties, so there is none. *Correct* means the report names exactly the
planted property violations (VP307 for each property expected to be refuted, no other finding).

The stages (`STAGES`: start, read, parse, resolve, lower, verify, report, exit) come from a
worker process (`benchmarks.e2e_stages`) that runs what the command runs, the pipeline's
passes included, with the command's collector settings and exit; each stage is the sum of
the timings the passes record (see `e2e_stages.PASS_STAGE`), `parse` the reader's own share
of `read`. `e2e-specs` (`check specs/`) gets stages too.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import e2e_stages

ROOT = Path(__file__).resolve().parent.parent
# The reference baselines live in ../shared/bench from the project root (a worktree one level deeper
# finds them a folder further up); VERIPATH_SHARED_BENCH names another place.
SHARED = Path(
    os.environ.get("VERIPATH_SHARED_BENCH")
    or next(
        (str(p) for p in (ROOT.parent / "shared" / "bench", ROOT.parent.parent / "shared" / "bench") if p.is_dir()),
        str(ROOT.parent / "shared" / "bench"),
    )
)
BEGIN = "<!-- BEGIN GENERATED E2E: `python -m benchmarks.run --e2e` rewrites this block -->"
END = "<!-- END GENERATED E2E -->"


@dataclass(frozen=True)
class E2ECase:
    rules: int
    inputs: int = 6
    repeats: int = 3
    baselines: tuple[str, ...] = ("brute_bitset", "boxpair")
    seed: int = 1
    target: str = ""

    @property
    def id(self) -> str:
        return f"e2e-{self.rules}x{self.inputs}"

    @property
    def defects(self) -> int:
        """Gaps and overlapping pairs planted (each): 1 per 100 rules, 3 to 100."""
        return min(100, max(3, self.rules // 100))


@dataclass(frozen=True)
class E2EPathway:
    """A pathway ladder of `decisions` decisions (`benchmarks.generate.pathway`), written as `.vp`
    text, checked as a file like the tables. No shared baseline decides path properties."""

    decisions: int
    repeats: int = 3
    baselines: tuple[str, ...] = ()
    seed: int = 0

    @property
    def id(self) -> str:
        return f"e2e-pathway-{self.decisions}"


@dataclass(frozen=True)
class Target:
    wall_s: float
    vs_bitset: float | None = None
    vs_boxpair: float | None = None
    rss_mib: float | None = None


# Issue 11: whole process through `veripath check`.
TARGETS: dict[str, Target] = {
    "e2e-1000x6": Target(0.5, vs_bitset=3),
    "e2e-10000x6": Target(2.0, vs_bitset=5, vs_boxpair=3),
    "e2e-50000x6": Target(10.0, rss_mib=500),
    "e2e-50000x10": Target(15.0),
    "e2e-5000x7": Target(1.5),
    "e2e-pathway-2000": Target(5.0),
    "e2e-specs": Target(0.5),
}

PLAN: list[E2ECase | E2EPathway] = [
    E2ECase(1000, baselines=("brute_bitset", "boxpair", "z3pair")),
    E2ECase(5000, 7),
    E2ECase(10000),
    E2ECase(50000, repeats=1),
    E2ECase(50000, 10, repeats=1),
    E2EPathway(2000),
]
QUICK: list[E2ECase | E2EPathway] = [E2ECase(200, repeats=1, baselines=("brute_bitset",))]


def parse_e2e_size(token: str) -> E2ECase | E2EPathway:
    """`10000x6` (rules x inputs), `10000` (6 inputs), or `d2000` / `pathway-2000` (a pathway of
    2,000 decisions)."""
    for prefix in ("pathway-", "d"):
        if token.startswith(prefix) and token[len(prefix) :].isdigit():
            d = int(token[len(prefix) :])
            return next((c for c in PLAN if isinstance(c, E2EPathway) and c.decisions == d), E2EPathway(d))
    rules, _, inputs = token.partition("x")
    n, k = int(rules), int(inputs or 6)
    for case in PLAN:
        if isinstance(case, E2ECase) and (case.rules, case.inputs) == (n, k):
            return case
    return E2ECase(n, k, repeats=1 if n > 10000 else 3)


# ---- processes ------------------------------------------------------------------------------


@dataclass
class ProcessRun:
    wall_s: float
    cpu_s: float
    rss_mib: float
    status: int
    stdout: str = field(repr=False, default="")


PACKAGES = ("dsl", "compiler", "verify", "veripath", "benchmarks")


def process_env() -> dict[str, str]:
    """The environment of every timed process: bytecode caching on, as installed. (This machine sets
    PYTHONDONTWRITEBYTECODE, under which an editable install compiles every module in every process:
    about 0.15 s of CPU per `veripath check`, which no installed copy pays.)"""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_bytecode(python: str) -> None:
    """Byte-compile this checkout's packages before timing, as `pip install` does, so that no timed
    run (a single one at the large sizes) pays for compiling them."""
    subprocess.run([python, "-m", "compileall", "-q", *PACKAGES], cwd=ROOT, check=True, capture_output=True)


def run_process(cmd: Sequence[str], cwd: Path, timeout_s: float = 900) -> ProcessRun:
    """Run one process to its end: wall time, and CPU time (user + sys) and peak RSS from `wait4`."""
    started = time.monotonic()
    proc = subprocess.Popen(
        list(cmd), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=process_env()
    )
    timer = threading.Timer(timeout_s, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen
    return ProcessRun(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, out)


def _cold_cache() -> None:
    """Every timed `veripath check` starts with an empty results cache (a warm cache would time a lookup)."""
    folder = Path(os.environ.setdefault("VERIPATH_CACHE_DIR", tempfile.mkdtemp(prefix="veripath-bench-cache-")))
    shutil.rmtree(folder, ignore_errors=True)
    os.environ["VERIPATH_JOBS"] = "1"  # one process, as the stages are timed


def median_run(cmd: Sequence[str], cwd: Path, repeats: int) -> dict[str, Any]:
    runs = []
    for _ in range(max(1, repeats)):
        _cold_cache()
        runs.append(run_process(cmd, cwd))
    return {
        "wall_s": statistics.median(r.wall_s for r in runs),
        "cpu_s": statistics.median(r.cpu_s for r in runs),
        "walls": [r.wall_s for r in runs],
        "rss_mib": max(r.rss_mib for r in runs),
        "status": sorted({r.status for r in runs}),
        "stdout": runs[-1].stdout,
    }


def result_line(stdout: str) -> dict[str, Any] | None:
    """The `RESULT {json}` line a shared baseline prints."""
    for line in reversed(stdout.splitlines()):
        if line.startswith("RESULT "):
            found: dict[str, Any] = json.loads(line[len("RESULT ") :])
            return found
    return None


def findings(stdout: str) -> dict[str, int]:
    """Diagnostic codes in a `veripath check --format json` document, with their counts."""
    try:
        doc = json.loads(stdout)
    except json.JSONDecodeError:
        return {}
    counts: dict[str, int] = {}
    for f in doc.get("files", []):
        for d in f.get("diagnostics", []):
            counts[d["code"]] = counts.get(d["code"], 0) + 1
    return dict(sorted(counts.items()))


# ---- the table ------------------------------------------------------------------------------


def make_table(case: E2ECase, folder: Path, python: str) -> Path:
    """The shared generator's table for this case (reused if already there); returns its folder."""
    out = folder / f"{case.rules}x{case.inputs}-s{case.seed}-d{case.defects}"
    if not (out / "table_c.vp").exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        gen = [python, "gen.py", "--rules", str(case.rules), "--inputs", str(case.inputs)]
        gen += ["--gaps", str(case.defects), "--overlaps", str(case.defects), "--seed", str(case.seed)]
        gen += ["--n-inputs", "100", "--out", str(out)]
        subprocess.run(gen, cwd=SHARED, check=True, capture_output=True)
        subprocess.run([python, "to_vp.py", str(out), "--compact"], cwd=SHARED, check=True, capture_output=True)
    return out


# ---- stages (a fresh process: `python -m benchmarks.e2e_stages PATH OUT SPAWNED`) ----------------

STAGES = e2e_stages.STAGES


def run_stages(python: str, path: Path | str, cwd: Path, out_file: Path) -> dict[str, float]:
    """The stages of `veripath check PATH` (`benchmarks.e2e_stages`), one fresh process."""
    out_file.unlink(missing_ok=True)
    _cold_cache()
    spawned = time.monotonic()
    cmd = [python, "-m", "benchmarks.e2e_stages", str(path), str(out_file), repr(spawned)]
    subprocess.run(
        cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900, env=process_env()
    )
    ended = time.monotonic()
    data = json.loads(out_file.read_text(encoding="utf-8"))
    stages: dict[str, float] = data["stages"]
    stages["exit"] = ended - data["ended"]
    return {name: stages[name] for name in STAGES}


def _count(x: Any) -> int:
    return len(x) if isinstance(x, list) else int(x)


# ---- one case -------------------------------------------------------------------------------


def run_case(
    case: E2ECase, folder: Path, commands: Mapping[str, Sequence[str]], bench_python: str, stages: bool = True
) -> dict[str, Any]:
    table = make_table(case, folder / "tables", bench_python)
    vp = table / "table_c.vp"
    truth = json.loads((table / "table.json").read_text(encoding="utf-8"))["truth"]
    out: dict[str, Any] = {
        "case": asdict(case),
        "id": case.id,
        "bytes": vp.stat().st_size,
        "truth": {"gap_boxes": _count(truth["gap_boxes"]), "overlap_pairs": _count(truth["overlap_pairs"])},
        "veripath": {},
        "baselines": {},
    }
    for label, cmd in commands.items():
        run = median_run([*cmd, "check", str(vp), "--format", "json"], ROOT, case.repeats)
        run["findings"] = findings(run.pop("stdout"))
        out["veripath"][label] = run
    if stages:
        out["stages"] = run_stages(sys.executable, vp, ROOT, table / "stages.json")
    for what in case.baselines:
        repeats = 1 if what == "z3pair" else case.repeats  # z3pair: minutes, and never close
        run = median_run([bench_python, "bench_baselines.py", str(table), what, "--repeat", "1"], SHARED, repeats)
        found = result_line(run.pop("stdout"))
        run["inner_s"] = found.get("seconds") if found else None
        run["timed_out"] = bool(found.get("timed_out")) if found else True
        out["baselines"][what] = run
    return out


def make_pathway(case: E2EPathway, folder: Path) -> tuple[Path, dict[str, str]]:
    """The generator's pathway for this case as a `.vp` file (rewritten only when its text changed),
    and the expected verdict of each property."""
    from benchmarks import generate

    folder.mkdir(parents=True, exist_ok=True)
    vp = folder / f"pathway_d{case.decisions}_s{case.seed}.vp"
    made = generate.pathway(case.decisions, seed=case.seed, path=str(vp))
    if not vp.exists() or vp.read_text(encoding="utf-8") != made.text:
        tmp = vp.with_suffix(".tmp")
        tmp.write_text(made.text, encoding="utf-8")
        tmp.replace(vp)
    return vp, dict(made.truth.expected)


def run_pathway(
    case: E2EPathway, folder: Path, commands: Mapping[str, Sequence[str]], stages: bool = True
) -> dict[str, Any]:
    """`veripath check` on a generated pathway as a process (and its stages): every property
    expected to be violated must be reported (VP307), and nothing else."""
    vp, expected = make_pathway(case, folder / "pathways")
    violated = sum(1 for verdict in expected.values() if verdict == "REFUTED")
    out: dict[str, Any] = {
        "case": asdict(case),
        "id": case.id,
        "bytes": vp.stat().st_size,
        "planted": f"planted {violated} violated properties of {len(expected)}",
        "expected": {"VP307": violated},
        "veripath": {},
        "baselines": {},
    }
    for label, cmd in commands.items():
        run = median_run([*cmd, "check", str(vp), "--format", "json"], ROOT, case.repeats)
        run["findings"] = findings(run.pop("stdout"))
        run["correct"] = run["findings"] == out["expected"]
        out["veripath"][label] = run
    if stages:
        out["stages"] = run_stages(sys.executable, vp, ROOT, vp.with_suffix(".stages.json"))
    return out


def run_specs(commands: Mapping[str, Sequence[str]], folder: Path, repeats: int = 7) -> dict[str, Any]:
    out: dict[str, Any] = {"id": "e2e-specs", "veripath": {}}
    for label, cmd in commands.items():
        run = median_run([*cmd, "check", "specs/", "--format", "json"], ROOT, repeats)
        run["findings"] = findings(run.pop("stdout"))
        out["veripath"][label] = run
    folder.mkdir(parents=True, exist_ok=True)
    out["stages"] = run_stages(sys.executable, "specs/", ROOT, folder / "specs-stages.json")
    return out


# ---- report ----------------------------------------------------------------------------------


def _s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def _r(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b <= 0 else f"{a / b:.1f}×"


def _rr(cur: Mapping[str, Any], baselines: Mapping[str, Any], key: str) -> str:
    """Ratio of wall times (of CPU times in brackets: steadier on a loaded machine)."""
    base = baselines.get(key)
    if not cur or base is None or base.get("timed_out"):
        return "-"
    return f"{_r(cur['wall_s'], base['wall_s'])} ({_r(cur['cpu_s'], base['cpu_s'])})"


def markdown(results: Sequence[Mapping[str, Any]], env: Mapping[str, Any], labels: Sequence[str]) -> str:
    """The e2e tables: whole process per command, stages, baselines and ratios, and the targets."""
    now = labels[-1]
    lines = [
        BEGIN,
        "",
        f"Measured with `python -m benchmarks.run --e2e` at commit `{env.get('commit', '?')}` on "
        f"{env.get('cpus', '?')} CPUs (load average at the start {env.get('load', '?')}). Whole processes; "
        "medians of the repeats; CPU = user + sys of that process; ratios of wall times (of CPU times).",
        "",
        "| case | file | " + " | ".join(f"`{lb}` wall (CPU)" for lb in labels) + " | peak RSS | findings "
        "| brute_bitset | boxpair | z3pair | vs bitset | vs boxpair |",
        "|---|---|" + "---|" * len(labels) + "---|---|---|---|---|---|---|",
    ]
    for r in results:
        v = r["veripath"]
        walls = " | ".join(f"{_s(v[lb]['wall_s'])} ({_s(v[lb]['cpu_s'])})" if lb in v else "-" for lb in labels)
        b = r.get("baselines", {})
        base = {
            k: b[k]["wall_s"] if k in b and not b[k]["timed_out"] else None
            for k in ("brute_bitset", "boxpair", "z3pair")
        }
        cur = v.get(now, {})
        found = ", ".join(f"{k} {n}" for k, n in cur.get("findings", {}).items()) or "none"
        if "truth" in r:
            found += f" (planted {r['truth']['gap_boxes']} gaps, {r['truth']['overlap_pairs']} overlaps)"
        elif "planted" in r:
            found += f" ({r['planted']})"
        size = f"{r['bytes'] / 2**20:.2f} MiB" if "bytes" in r else "specs/"
        rss = f"{cur['rss_mib']:.0f} MiB" if cur else "-"
        lines.append(
            f"| {r['id']} | {size} | {walls} | {rss} | {found} | {_s(base['brute_bitset'])} | "
            f"{_s(base['boxpair'])} | {_s(base['z3pair'])} | {_rr(cur, b, 'brute_bitset')} | {_rr(cur, b, 'boxpair')} |"
        )
    staged = [r for r in results if "stages" in r]
    if staged:
        lines += ["", f"Stages of `{now}` (one fresh process each, the command's gc settings and exit):", ""]
        lines += [
            "| case | " + " | ".join(STAGES) + " | in-memory verifier share |",
            "|---|" + "---|" * (len(STAGES) + 1),
        ]
        for r in staged:
            st = r["stages"]
            total = sum(st.values())
            lines.append(
                f"| {r['id']} | "
                + " | ".join(_s(st.get(s)) for s in STAGES)
                + f" | {100 * st.get('verify', 0) / total:.0f}% of {_s(total)} |"
            )
    lines += ["", "Targets (issue 11, whole process through `veripath check`):", ""]
    lines += ["| case | target | measured | met? |", "|---|---|---|---|"]
    for r in results:
        t = TARGETS.get(r["id"])
        cur = r["veripath"].get(now)
        if t is None or cur is None:
            continue
        b = r.get("baselines", {})
        want = [f"≤ {t.wall_s:g} s"]
        got = [_s(cur["wall_s"])]
        ok = cur["wall_s"] <= t.wall_s and cur["status"] in ([0], [1]) and cur.get("correct", True)
        for key, limit in (("brute_bitset", t.vs_bitset), ("boxpair", t.vs_boxpair)):
            if limit is not None and key in b:
                want.append(f"≤ {limit:g}× {key}")
                got.append(_r(cur["wall_s"], b[key]["wall_s"]))
                ok = ok and cur["wall_s"] <= limit * b[key]["wall_s"]
        if t.rss_mib is not None:
            want.append(f"≤ {t.rss_mib:g} MiB")
            got.append(f"{cur['rss_mib']:.0f} MiB")
            ok = ok and cur["rss_mib"] <= t.rss_mib
        lines.append(f"| {r['id']} | {', '.join(want)} | {', '.join(got)} | {'yes' if ok else '**no**'} |")
    lines += ["", END]
    return "\n".join(lines)


def write_block(report: Path, block: str) -> None:
    """Replace the e2e block of the report (or add it after the main generated block)."""
    text = report.read_text(encoding="utf-8") if report.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## End to end (issue 11)\n\n" + block + "\n"
    report.write_text(text, encoding="utf-8")
