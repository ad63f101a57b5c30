"""The garbage collector's cost under each policy, one fresh process per run (issue 11).

    .venv/bin/python -m benchmarks.collector POLICY FILE_OR_FOLDER

POLICY is one of `POLICIES`. Runs the passes of `veripath check` (`pipeline.CHECK`) on the
path and prints one JSON line: seconds per pass, the time spent inside collections (from
`gc.callbacks`) per generation and per pass, the number of collections, CPU time and peak
RSS. `command` is what the `veripath` command does (`veripath.entry.start`, then the
pipeline's own `entry.collector` around each pass); the others set the collector by hand and
are the alternatives measured against it in REPORT.md.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import resource
import sys
import time
from typing import Any

POLICIES = ("default", "mypy", "freeze-imports", "disable-all", "command")


def main(policy: str, path: str) -> None:
    if policy not in POLICIES:
        raise SystemExit(f"policy: one of {', '.join(POLICIES)}")
    spent = [0.0, 0.0, 0.0]
    count = [0, 0, 0]
    by_pass: dict[str, float] = {}
    current = ["imports"]
    started = [0.0]

    def measure(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
            return
        seconds = time.perf_counter() - started[0]
        spent[info["generation"]] += seconds
        count[info["generation"]] += 1
        by_pass[current[0]] = by_pass.get(current[0], 0.0) + seconds

    gc.callbacks.append(measure)
    from veripath import entry

    if policy == "command":
        entry.start()
    elif policy != "default":
        gc.set_threshold(*entry.GC_THRESHOLDS)
    from veripath import cli, pipeline
    from veripath.api import discover

    if policy in ("freeze-imports", "disable-all"):
        gc.freeze()
    files, _ = discover([path])
    report = pipeline.Report(files=[pipeline.FileResult.for_path(p) for p in files], options=pipeline.Options())
    if policy == "disable-all":
        gc.disable()
    for p in pipeline.CHECK:
        current[0] = p.name
        for f in report.files:
            pipeline.run_pass(p, f, report)
    current[0] = "report"
    gc.enable()
    with contextlib.redirect_stdout(io.StringIO()):
        cli._report(report, "json", color=False)  # what the command does next, as it does it
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "policy": policy,
        "passes": {k: round(v, 3) for k, v in report.timings().items()},
        "gc_seconds": [round(s, 3) for s in spent],
        "gc_collections": count,
        "gc_seconds_by_pass": {k: round(v, 3) for k, v in by_pass.items()},
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "rss_mib": round(usage.ru_maxrss / 1024),
        "diagnostics": sum(len(f.diagnostics) for f in report.files),
    }
    print(json.dumps(result), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
