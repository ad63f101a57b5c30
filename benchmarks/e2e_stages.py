"""The stage worker of the end-to-end benchmark: `veripath check PATH --format json`, stage by stage.

    python -m benchmarks.e2e_stages PATH OUT_FILE SPAWNED

A fresh process that does what the command does, in the same order, timing each stage:
`start` (interpreter and the modules `check` imports before its first pass, with the command's
collector settings from `veripath.entry`; networkx and Z3 are imported by the passes that use
them, so their import counts in `lower` and `verify`), then the pipeline's passes
(`pipeline.CHECK`) grouped into `STAGES`, then the JSON report written to stdout as the
command writes it, then `exit` (the command's
`hard_exit`; the parent measures from the worker's last mark to the end of the process).
It imports nothing the command does not (this module's own imports are the standard library's
`json`, `sys` and `time`), so `start` is the command's. Left out: reading the config and the
results cache (the whole-process figures include them; the stages run with neither).
"""

from __future__ import annotations

import json
import sys
import time

STAGES = ("start", "read", "parse", "resolve", "lower", "verify", "report", "exit")

# The stage of each pass of `pipeline.CHECK`. `read` is the read pass less the time its reader
# spent parsing (`ReadResult.parse_seconds`), which is `parse`.
PASS_STAGE = {
    "read": "read",
    "resolve": "resolve",
    "lower": "lower",
    "wellformed": "lower",
    "verify-tables": "verify",
    "verify-paths": "verify",
    "examples": "verify",
    "waive": "verify",
}


def stages_of(files: list[tuple[dict[str, float], float]]) -> dict[str, float]:
    """Seconds per stage from each file's pass timings and parse seconds."""
    out = dict.fromkeys(STAGES[1:-2], 0.0)
    for timings, parse in files:
        for name, seconds in timings.items():
            out[PASS_STAGE[name]] += seconds
        out["read"] -= parse
        out["parse"] += parse
    return out


def main(path: str, out_file: str, spawned: float) -> None:
    from veripath import entry

    entry.start()
    from veripath import cli, pipeline
    from veripath.api import discover

    marks = {"start": time.monotonic() - spawned}
    files, _ = discover([path])
    report = pipeline.run(files, pipeline.Options(), pipeline.CHECK)
    marks.update(stages_of([(f.timings, f.read.parse_seconds if f.read else 0.0) for f in report.files]))
    t0 = time.monotonic()
    cli._report(report, "json", color=False)
    sys.stdout.flush()
    marks["report"] = time.monotonic() - t0
    with open(out_file, "w", encoding="utf-8") as fh:
        json.dump({"stages": marks, "ended": time.monotonic()}, fh)
    entry.hard_exit(0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
