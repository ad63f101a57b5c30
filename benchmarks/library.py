"""A library of guidelines: `veripath check` over N generated specs, as whole processes.

    python -m benchmarks.library [--count 300] [--out benchmarks/results/library.json]

Generates N specs (deterministic: `benchmarks.generate.table`, one decision table each,
clean except every tenth, which has planted gaps and conflicts) into a temporary folder,
then times through the CLI (start, discovery, parse, verify, report, exit):

  cold -j 1   --no-cache, one process
  cold -j 2   --no-cache, two worker processes
  cold cache  an empty cache folder, default jobs (fills the cache)
  warm        the same cache folder again (median of --repeats runs)

and checks that every run reports the same thing (exit status and output).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.generate import table


def generate(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        planted = i % 10 == 9
        zero = None if planted else 0
        case = table(24, 3, seed=i, gaps=zero, defects=zero, controls=zero, path=f"g{i:03d}.vp")
        text = case.text.replace("guideline table_", f"guideline g{i:03d}_table_", 1)
        (folder / f"g{i:03d}.vp").write_text(text, encoding="utf-8")


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "veripath", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    return time.perf_counter() - t0, done.returncode, done.stdout + done.stderr


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    opts = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="veripath-library-") as tmp:
        root = Path(tmp)
        generate(root / "lib", opts.count)
        env = {**os.environ, "VERIPATH_CACHE_DIR": str(root / "cache")}
        env.pop("VERIPATH_JOBS", None)
        check = ["check", "lib", "--format", "json"]
        runs: dict[str, Any] = {}
        outputs = set()
        for label, extra in (("cold -j 1", ["-j", "1", "--no-cache"]), ("cold -j 2", ["-j", "2", "--no-cache"])):
            seconds, status, out = timed([*check, *extra], root, env)
            runs[label] = {"seconds": round(seconds, 3), "exit": status}
            outputs.add(out)
        seconds, status, out = timed(check, root, env)
        runs["cold, filling the cache"] = {"seconds": round(seconds, 3), "exit": status}
        outputs.add(out)
        warm = []
        for _ in range(opts.repeats):
            seconds, status, out = timed(check, root, env)
            warm.append(seconds)
            outputs.add(out)
        median = round(statistics.median(warm), 3)
        runs["warm"] = {"seconds": median, "all": [round(w, 3) for w in warm], "exit": status}
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        python_start = time.perf_counter() - t0
    result = {
        "specs": opts.count,
        "runs": runs,
        "same_output": len(outputs) == 1,
        "speedup_j2": round(runs["cold -j 1"]["seconds"] / runs["cold -j 2"]["seconds"], 2),
        "python_start_seconds": round(python_start, 3),
        "machine": {"cpus": os.cpu_count(), "load": os.getloadavg(), "python": platform.python_version()},
    }
    print(f"{opts.count} specs; every run reports the same: {result['same_output']}")
    print("| run | seconds |\n|---|---|")
    for label, r in runs.items():
        print(f"| {label} | {r['seconds']:.2f} |")
    load = os.getloadavg()[0]
    print(f"speed-up with -j 2: {result['speedup_j2']}x; load average {load:.1f} on {os.cpu_count()} cpus")
    if opts.out is not None:
        opts.out.parent.mkdir(parents=True, exist_ok=True)
        opts.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
