"""Decisions per second of the generated Python module, against a linear if-chain and pyDMNrules.

For tables of 10, 100, 1,000 and 10,000 rules over 6-10 inputs (benchmarks.generate.table),
in one run: the generated module's `lookup()` (bitset index), the same module written as
a linear if-chain, `recommend()` (which also validates the facts and builds the answer),
pyDMNrules on the DMN export (optional: `pip install -e '.[bench]'`), and the time to import
each generated module in a fresh interpreter (first import compiles the source and writes
the .pyc; the second reads the cached .pyc, as an installed module does). The patients are
1,000 random complete patients per size, so every lookup takes the complete-facts path.

    python -m benchmarks.lookup [--sizes 10 100 1000 10000] [--inputs 8] [--seconds 0.6]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.generate import table
from compiler.export_dmn import ExportError, export_dmn
from compiler.export_python import export_python
from compiler.lower import lower
from compiler.stamp import Stamp
from dsl import model as m


def _Stamp() -> Stamp:
    return Stamp(verdict="skipped")


def _import(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def _patients(model: m.Model, n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        p: dict[str, Any] = {}
        for v in model.inputs:
            t = v.type
            if isinstance(t, m.BoolType):
                p[v.name] = rng.random() < 0.5
            elif isinstance(t, m.EnumType):
                p[v.name] = rng.choice(t.values)
            else:
                p[v.name] = rng.randint(int(t.low), int(t.high))
        out.append(p)
    return out


def _rate(fn: Callable[[int], None], items: int, seconds: float) -> float:
    """Calls per second: fn(i) is one call on item i; the best of three rounds of seconds / 3."""
    best = 0.0
    for _ in range(3):
        calls, start = 0, time.perf_counter()
        while True:
            for _ in range(16):
                fn(calls % items)
                calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / 3:
                break
        best = max(best, calls / elapsed)
    return best


def _import_time(folder: Path, name: str) -> float:
    """Seconds to import the module in a fresh interpreter (bytecode caching on, as installed)."""
    code = (
        f"import sys, time; sys.path.insert(0, {str(folder)!r}); t = time.perf_counter(); "
        f"import {name}; print(time.perf_counter() - t)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return float(out.stdout)


def run(n: int, k: int, seconds: float, folder: Path, dmn: bool) -> dict[str, Any]:
    case = table(n, k, policy="unique", seed=1, path=str(folder / f"t{n}.vp"))
    Path(case.model.path).write_text(case.text, encoding="utf-8")
    graph = lower(case.model)
    decision = case.model.decisions[0].name
    t0 = time.perf_counter()
    text = export_python(graph, stamp=_Stamp(), root=str(folder))
    gen = time.perf_counter() - t0
    (folder / f"index{n}.py").write_text(text, encoding="utf-8")
    (folder / f"chain{n}.py").write_text(
        export_python(graph, stamp=_Stamp(), root=str(folder), lookup="chain"), encoding="utf-8"
    )
    result: dict[str, Any] = {
        "rules": n,
        "inputs": k,
        "generate_s": gen,
        "module_lines": text.count("\n"),
        "module_bytes": len(text.encode()),
    }
    result["import_first_s"] = _import_time(folder, f"index{n}")
    result["import_cached_s"] = _import_time(folder, f"index{n}")
    index, chain = _import(folder / f"index{n}.py"), _import(folder / f"chain{n}.py")
    raw = _patients(case.model, 1000, n)
    pats = [index.check(p) for p in raw]
    for p in pats[:200]:
        assert index.lookup(decision, p) == chain.lookup(decision, p)

    def looker(mod: ModuleType) -> Callable[[int], None]:
        look = mod.lookup

        def go(i: int) -> None:
            look(decision, pats[i])

        return go

    def rec(i: int) -> None:
        index.recommend(raw[i])

    result["index_per_s"] = _rate(looker(index), len(pats), seconds)
    result["chain_per_s"] = _rate(looker(chain), len(pats), seconds)
    result["recommend_per_s"] = _rate(rec, len(raw), seconds)
    result["pydmnrules_per_s"] = _pydmnrules(graph, raw, seconds) if dmn else None
    return result


def _pydmnrules(graph: Any, raw: list[dict[str, Any]], seconds: float) -> float | None:
    try:
        import pyDMNrules
    except ImportError:
        return None
    try:
        xml = export_dmn(graph, stamp=_Stamp(), root=".")
    except ExportError:
        return None
    dmn = pyDMNrules.DMN()
    status = dmn.useXML(xml)
    if "errors" in status:
        return None
    budget = max(seconds / 3, 0.2)
    calls, start = 0, time.perf_counter()
    while calls == 0 or time.perf_counter() - start < budget:
        p = raw[calls % len(raw)]
        dmn.decide({k: (float(v) if isinstance(v, Fraction) else v) for k, v in p.items()})
        calls += 1
    return calls / (time.perf_counter() - start)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.lookup", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", type=int, default=[10, 100, 1000, 10000])
    ap.add_argument("--inputs", type=int, default=8, help="inputs per table (6-10)")
    ap.add_argument("--seconds", type=float, default=0.6, help="time per measurement")
    ap.add_argument("--dmn-max", type=int, default=10000, help="skip pyDMNrules above this many rules")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args(argv)
    results = []
    facts = {"x": 1}

    def trivial(i: int) -> None:
        facts["x"]  # one call and one dict lookup: how loaded the machine is

    print(f"load average {os.getloadavg()[0]:.1f}; trivial calls {_rate(trivial, 1, args.seconds):,.0f}/s")
    print("rules | index/s | chain/s | x chain | recommend/s | pyDMNrules/s | x pyDMNrules | import first, cached")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            r = run(n, args.inputs, args.seconds, Path(tmp), n <= args.dmn_max)
            results.append(r)
            dmn = r["pydmnrules_per_s"]
            print(
                f"{n:>6} | {r['index_per_s']:>11,.0f} | {r['chain_per_s']:>11,.0f} "
                f"| x{r['index_per_s'] / r['chain_per_s']:,.1f} | {r['recommend_per_s']:>9,.0f} | "
                + (f"{dmn:>8,.2f} | x{r['index_per_s'] / dmn:,.0f} | " if dmn else "n/a | n/a | ")
                + f"{r['import_first_s']:.3f}s, {r['import_cached_s']:.3f}s",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
