"""Where the verifier's time goes on one generated case.

    .venv/bin/python -m benchmarks.profile table 50000 10 unique     # N K policy
    .venv/bin/python -m benchmarks.profile pathway 2000
    .venv/bin/python -m benchmarks.profile pathway 500 --cprofile 40  # and the top 40 of cProfile

Phase timers: wall-clock timers wrapped around the verifier's main methods (outermost
calls only, so nested calls are not counted twice), at almost no overhead; phases overlap
(e.g. `matched` runs inside `check_conflicts`), so they do not add up to the total. cProfile
slows Z3- and call-heavy code about 2x: read its shares, not its seconds. The wrapped
names are internals of `verify`; a name that no longer exists is reported and skipped.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from benchmarks import generate as gen
from compiler.lower import lower

PHASES: list[tuple[str, str, str]] = [  # module, attribute path, label
    ("verify.pathway", "PathwayVerifier.__init__", "pathway: encoder, product graph"),
    ("verify.pathway", "PathwayVerifier._record", "pathway: run sample patients through the graph"),
    ("verify.pathway", "PathwayVerifier.reach_expr", "pathway: reachability encodings"),
    ("verify.pathway", "PathwayVerifier.context", "pathway: contexts of decisions"),
    ("verify.tables.checker", "DecisionChecker.__init__", "tables: rules -> boxes, index"),
    ("verify.tables.dead", "check_dead", "tables: dead rules"),
    ("verify.tables.masked", "check_masked", "tables: masked rules"),
    ("verify.tables.conflict", "check_conflicts", "tables: conflicts"),
    ("verify.tables.gap", "check_gaps", "tables: gaps"),
    ("verify.tables.checker", "DecisionChecker.matched", "tables: rules matching a patient (index)"),
    ("verify.context", "Context.witness_in", "context: witnesses (path re-checks)"),
    ("verify.paths", "check_properties", "paths: properties"),
    ("verify.counterexample", "Minimiser.__init__", "counterexamples: constants"),
    ("verify.counterexample", "Minimiser.improve", "counterexamples: simplification"),
    ("verify.space", "Space.__init__", "boxes: space (constants)"),
    ("verify.tables.checker", "extract", "boxes: rule -> box"),  # the name the checker calls
    ("verify.context", "Session.query", "Z3 queries (Session.query)"),
]


class Timers:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._depth: dict[str, int] = defaultdict(int)
        self.missing: list[str] = []

    def wrap(self, module: str, path: str, label: str) -> None:
        try:
            owner: Any = importlib.import_module(module)
        except ImportError:
            self.missing.append(f"{module}.{path}")
            return
        *parents, name = path.split(".")
        for p in parents:
            owner = getattr(owner, p, None)
        fn = getattr(owner, name, None) if owner is not None else None
        if fn is None:
            self.missing.append(f"{module}.{path}")
            return

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._depth[label] += 1
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self._depth[label] -= 1
                if self._depth[label] == 0:
                    self.seconds[label] += time.perf_counter() - t0
                    self.calls[label] += 1

        setattr(owner, name, timed)


def build(kind: str, args: Sequence[str]) -> Any:
    if kind == "table":
        n, k = int(args[0]), int(args[1])
        policy = args[2] if len(args) > 2 else "unique"
        return lower(gen.table(n, k, policy=policy).model)
    return lower(gen.pathway(int(args[0])).model)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__.split("\n\n")[0])
    ap.add_argument("kind", choices=["table", "pathway"])
    ap.add_argument("size", nargs="+", help="table: N K [unique|first]; pathway: D")
    ap.add_argument("--cprofile", type=int, default=0, metavar="TOP", help="also print the top TOP of cProfile")
    args = ap.parse_args(argv)
    graph = build(args.kind, args.size)
    import verify

    timers = Timers()
    for module, path, label in PHASES:
        timers.wrap(module, path, label)
    run: Callable[[], Any] = lambda: verify.verify_graph(graph)  # noqa: E731
    t0 = time.perf_counter()
    run()
    total = time.perf_counter() - t0
    print(f"verify_graph: {total:.2f} s (phases overlap; see the module docstring)")
    for label, seconds in sorted(timers.seconds.items(), key=lambda kv: -kv[1]):
        print(f"  {seconds:8.2f} s {100 * seconds / total:5.1f} %  {timers.calls[label]:7d} calls  {label}")
    for name in timers.missing:
        print(f"  (not found: {name})")
    if args.cprofile:
        prof = cProfile.Profile()
        prof.enable()
        run()
        prof.disable()
        pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(args.cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
