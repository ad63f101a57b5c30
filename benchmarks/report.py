"""The Markdown report: targets, then one table per family of cases.

The runner rewrites only the block between the BEGIN/END GENERATED markers of the
report, so hand-written analysis below the block survives a re-run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.cases import TARGETS

BEGIN = "<!-- BEGIN GENERATED: `python -m benchmarks.run` rewrites this block; write analysis below it -->"
END = "<!-- END GENERATED -->"

Result = Mapping[str, Any]


def secs(x: float | None) -> str:
    if x is None:
        return "-"
    if x < 0.001:
        return f"{x * 1e6:.0f} µs"
    if x < 1:
        return f"{x * 1000:.0f} ms"
    if x < 120:
        return f"{x:.2f} s"
    if x < 7200:
        return f"{x / 60:.0f} min"
    if x < 3 * 86400:
        return f"{x / 3600:.1f} h"
    if x < 3 * 365 * 86400:
        return f"{x / 86400:.0f} days"
    years = x / (365.25 * 86400)
    if years < 1e6:
        return f"{years:,.0f} years"
    return f"10^{math.log10(years):.0f} years"


def mib(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f} MiB"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0:
        return "-"
    r = a / b
    if r >= 1e6:
        return f"10^{math.log10(r):.0f}×"
    if r >= 100:
        return f"{r:,.0f}×"
    if r >= 0.1:
        return f"{r:.1f}×"
    return f"{r:.2g}×"


def yes(flag: bool | None) -> str:
    return "-" if flag is None else ("yes" if flag else "**NO**")


def _get(r: Result, *keys: str) -> Any:
    cur: Any = r
    for k in keys:
        if not isinstance(cur, Mapping) or k not in cur:
            return None
        cur = cur[k]
    return cur


def fast_seconds(r: Result) -> float | None:
    v = _get(r, "fast", "seconds")
    return float(v) if isinstance(v, int | float) else None


def baseline_seconds(r: Result, key: str) -> float | None:
    if _get(r, key, "status") != "ok":
        return None
    v = _get(r, key, "seconds")
    return float(v) if isinstance(v, int | float) else None


def one_line(r: Result) -> str:
    status = r.get("status")
    if status != "ok":
        return f"{status}: {r.get('error', '')}"
    kind = _get(r, "case", "kind")
    if kind == "cli":
        return f"median {secs(r.get('seconds'))}, exit {r.get('exit_codes')}"
    fast = r.get("fast", {})
    if fast.get("status") != "ok":
        return f"verifier {fast.get('status')}: {fast.get('reason', '')}"
    correct = _get(r, "fast", "correct", "correct")
    return f"verifier {secs(fast_seconds(r))}, correct={correct}, peak {mib(r.get('rss_fast_mb'))}"


# ---- targets -------------------------------------------------------------------------------------------


def targets(results: Sequence[Result]) -> list[tuple[str, str, str, str]]:
    """(target, what, measured, met?)."""
    by_target: dict[str, list[Result]] = {}
    for r in results:
        t = _get(r, "case", "target")
        if t:
            by_target.setdefault(str(t), []).append(r)
    rows: list[tuple[str, str, str, str]] = []
    mem_ok: list[bool] = []
    for t in ("T1", "T2", "T3", "T4"):
        rs = by_target.get(t, [])
        if not rs:
            rows.append((t, TARGETS[t], "not measured", "-"))
            continue
        measured: list[str] = []
        met = True
        for r in rs:
            cid = _get(r, "case", "id")
            if r.get("status") != "ok":
                measured.append(f"{cid}: {r.get('status')}")
                met = False
                continue
            if t == "T4":
                s = r.get("seconds")
                measured.append(
                    f"median {secs(s)} of {len(r.get('runs', []))} runs (first {secs(r.get('first_run_s'))})"
                )
                codes = set(r.get("exit_codes", []))
                if not codes <= {0, 1}:
                    measured.append(f"exit codes {sorted(codes)}: the check did not complete")
                met = met and isinstance(s, int | float) and s < 1.5 and codes <= {0, 1}
                mem_ok.append(float(r.get("rss_mb") or 0) < 2048)
                continue
            fs = fast_seconds(r)
            correct = bool(_get(r, "fast", "correct", "correct"))
            mem_ok.append(float(r.get("rss_fast_mb") or 0) < 2048)
            if fs is None:
                measured.append(f"{cid}: verifier {_get(r, 'fast', 'status')}")
                met = False
                continue
            text = f"{cid}: {secs(fs)}, {'all found' if correct else 'NOT all correct'}"
            if t == "T1":
                naive = baseline_seconds(r, "naive")
                text += f", naive {secs(naive)} ({ratio(naive, fs)})"
                met = met and fs < 2 and correct and naive is not None and naive / fs >= 50
            elif t == "T2":
                met = met and fs < 30 and correct
            elif t == "T3":
                digits = _get(r, "graph", "paths_log10")
                text += f", 10^{digits:.0f} paths" if isinstance(digits, int | float) else ""
                met = met and fs < 10 and correct and isinstance(digits, int | float) and digits > 9
            measured.append(text)
        rows.append((t, TARGETS[t], "; ".join(measured), yes(met)))
    rows.append(("MEM", TARGETS["MEM"], f"{sum(mem_ok)} of {len(mem_ok)} measured cases", yes(all(mem_ok) or None)))
    return rows


# ---- tables ----------------------------------------------------------------------------------------------


def table_rows(results: Sequence[Result]) -> list[list[str]]:
    rows = []
    for r in results:
        case = r["case"]
        if case["kind"] != "table":
            continue
        if r.get("status") != "ok":
            rows.append([case["id"], str(case["n"]), str(case["k"]), case["policy"], r.get("status", "?"), *["-"] * 9])
            continue
        truth = r.get("truth", {})
        planted = (
            f"{truth.get('gaps')} g, {truth.get('conflicts')} c, {truth.get('redundant')} r"
            if case["policy"] == "unique"
            else f"{truth.get('gaps')} g, {truth.get('masked')} m, {truth.get('shadowing')} s"
        )
        fs = fast_seconds(r)
        naive = baseline_seconds(r, "naive")
        brute = baseline_seconds(r, "brute")
        naive_txt = secs(naive)
        if _get(r, "naive", "extrapolated"):
            naive_txt = f"≈ {naive_txt} (est.)"
        elif _get(r, "naive", "status") not in (None, "ok"):
            naive_txt = str(_get(r, "naive", "status"))
        brute_txt = secs(brute) if brute is not None else f"skip ({_get(r, 'brute', 'points') or 0:.1e} pts)"
        rows.append(
            [
                case["id"] + (f" **{case['target']}**" if case.get("target") else ""),
                f"{case['n']:,}",
                str(case["k"]),
                planted,
                secs(fs),
                secs(_get(r, "fast_table", "seconds")),
                mib(r.get("rss_fast_mb")),
                naive_txt,
                ratio(naive, fs),
                brute_txt,
                ratio(brute, fs),
                yes(_get(r, "fast", "correct", "correct")),
                yes(_get(r, "brute", "correct")),
            ]
        )
    return rows


def pathway_rows(results: Sequence[Result]) -> list[list[str]]:
    rows = []
    for r in results:
        case = r["case"]
        if case["kind"] != "pathway":
            continue
        if r.get("status") != "ok":
            rows.append([case["id"], str(case["d"]), r.get("status", "?"), *["-"] * 9])
            continue
        g = r.get("graph", {})
        fs = fast_seconds(r)
        brute = baseline_seconds(r, "brute")
        enum = baseline_seconds(r, "path_enumeration")
        enum_log = _get(r, "path_enumeration", "seconds_log10")
        if enum is None and isinstance(enum_log, int | float):
            enum_txt = f"≈ 10^{enum_log - math.log10(365.25 * 86400):.0f} years (est.)"
        else:
            enum_txt = f"≈ {secs(enum)} (est.)" if enum is not None else "-"
        correct = _get(r, "fast", "correct") or {}
        decided = f"{correct.get('decided', '-')}/{correct.get('properties', '-')}" if correct else "-"
        rows.append(
            [
                case["id"] + (f" **{case['target']}**" if case.get("target") else ""),
                f"{case['d']:,}",
                f"{g.get('rules', 0):,}",
                f"10^{g.get('paths_log10', 0):.1f}",
                f"≥ {g.get('feasible_paths_at_least', '-')}",
                secs(fs),
                mib(r.get("rss_fast_mb")),
                decided,
                yes(correct.get("correct") if correct else None),
                secs(brute) if brute is not None else "skip",
                yes(_get(r, "brute", "correct")),
                enum_txt,
            ]
        )
    return rows


def md_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out.extend("| " + " | ".join(row) + " |" for row in rows)
    return out


def problems(results: Sequence[Result]) -> list[str]:
    out = []
    for r in results:
        cid = _get(r, "case", "id")
        if r.get("status") != "ok":
            out.append(f"- `{cid}`: {r.get('status')}: {r.get('error', '')}")
            continue
        for key in ("fast", "fast_table", "naive", "brute", "path_enumeration"):
            sub = r.get(key)
            if isinstance(sub, Mapping) and sub.get("status") not in (None, "ok", "skipped", "off"):
                out.append(f"- `{cid}` {key}: {sub.get('status')}: {str(sub.get('reason', ''))[:300]}")
        for key in ("fast", "fast_table"):
            c = _get(r, key, "correct")
            if isinstance(c, Mapping) and not c.get("correct", True):
                detail = {k: v for k, v in c.items() if v and k not in ("correct",) and not k.endswith("_planted")}
                out.append(f"- `{cid}` {key} disagrees with the planted truth: {detail}")
        if _get(r, "case", "kind") == "cli" and not set(r.get("exit_codes", [])) <= {0, 1}:
            runs = _get(r, "runs_detail") or [{}]
            out.append(f"- `{cid}`: exit codes {r.get('exit_codes')} (3 = internal error): {runs[-1].get('summary')}")
        parse = r.get("parse")
        if isinstance(parse, Mapping) and (parse.get("errors") or not parse.get("same_model")):
            out.append(f"- `{cid}` parser path: errors {parse.get('errors')}, same model: {parse.get('same_model')}")
    return out


def render(results: Sequence[Result], env: Mapping[str, Any], *, quick: bool) -> str:
    lines: list[str] = []
    cmd = "python -m benchmarks.run --quick" if quick else "python -m benchmarks.run"
    mem = str(env.get("memory") or "")
    if mem.endswith(" kB") and mem[:-3].strip().isdigit():
        mem = f"{int(mem[:-3]) / 1024**2:.1f} GiB"
    changed = env.get("uncommitted_changes")
    lines.append(
        f"Measured with `.venv/bin/{cmd}` on {env.get('cpus')} CPUs ({env.get('cpu') or 'unknown CPU'}, "
        f"{mem or '? GiB'} RAM), Python {env.get('python')}, Z3 {env.get('z3')}, at commit `{env.get('commit')}`"
        + (f" with uncommitted changes in {', '.join(changed)}." if changed else ".")
    )
    codes = sorted({str(r.get("code")) for r in results if r.get("code")})
    if codes:
        lines.append("")
        lines.append(
            f"Code measured (hash of verify/, compiler/, dsl/): {', '.join(f'`{c}`' for c in codes)}"
            + (" — **the code changed during the run**." if len(codes) > 1 else f" (now `{env.get('code')}`).")
        )
    lines.append("")
    lines.append("### Targets (issue #3)")
    lines.append("")
    lines.extend(md_table(["", "target", "measured", "met?"], [list(t) for t in targets(results)]))
    lines.append("")
    lines.append("### (a) One decision table")
    lines.append("")
    lines.append(
        "Planted: g gaps, c conflicts, r redundant overlaps (same outcome), m masked rules, "
        "s shadowing rules (overlap, not masked). *verify_graph*: the whole verifier on the lowered graph "
        "(median of the runs); *check_decision*: the single-table entry point. Peak memory: the worker "
        "process's maximum RSS through the fast verifier (generation included). *naive*: one Z3 query per "
        "pair of rules and per decision (`verify.baseline`); where marked (est.), estimated from a random sample "
        "of its own queries on the full table (below). *brute force*: every patient of the (finite, or exactly "
        "abstracted) input space. *correct?*: the findings are exactly the planted ones."
    )
    lines.append("")
    lines.extend(
        md_table(
            [
                "case",
                "N",
                "K",
                "planted",
                "verify_graph",
                "check_decision",
                "peak mem",
                "naive",
                "naive/fast",
                "brute force",
                "brute/fast",
                "correct?",
                "brute correct?",
            ],
            table_rows(results),
        )
    )
    naive_notes = []
    for r in results:
        nv = r.get("naive")
        if not isinstance(nv, Mapping) or not nv.get("extrapolated"):
            continue
        n = r["case"]["n"]
        per_rule = nv.get("per_rule_ms", {})
        text = (
            f"- `{r['case']['id']}`: {nv['sample_rules']} rules and {nv['sample_pairs']:,} pairs sampled at random; "
            f"setup {secs(nv.get('setup_s'))} + {n:,} × ({per_rule.get('dead', 0):.3f} ms dead"
            + (f" + {per_rule.get('masked', 0):.3f} ms masked" if per_rule.get("masked") else "")
            + ")"
            + (f" + {nv['pairs']:,} pairs × {nv['per_pair_ms']:.3f} ms" if nv.get("pairs") else "")
            + f" + one gap query, run: {secs(_get(nv, 'gap_query', 'seconds'))} ({_get(nv, 'gap_query', 'verdict')})"
            + f" = {secs(nv.get('seconds'))}"
        )
        full = nv.get("full")
        if isinstance(full, Mapping):
            text += f"; the full naive run took {secs(full.get('seconds'))} (estimate / actual = "
            text += f"{float(nv['seconds']) / float(full['seconds']):.2f})" if full.get("seconds") else "-)"
        naive_notes.append(text + ".")
    if naive_notes:
        lines.append("")
        lines.append("Naive baseline estimates (its own queries, sampled on the full table, then multiplied out):")
        lines.append("")
        lines.extend(naive_notes)
    lines.append("")
    lines.append("### (b) Pathways")
    lines.append("")
    lines.append(
        "A ladder of D decisions that branch and reconverge; paths counted on the lowered graph by dynamic "
        "programming; *feasible ≥ 2^b*: b decisions branch on b distinct independent booleans, so at least 2^b "
        "paths have a patient. 10 properties per pathway, 4 of them violated (one deep in the ladder, feasible "
        "only by avoiding cross-sectional imaging at every earlier decision) and one violation planted behind "
        "contradictory guards (must be proved). *correct?*: every property has the expected verdict, every "
        "counterexample replays to a violation, and no table finding is reported (every decision is complete and "
        "unique by construction). *path enumeration*: one Z3 feasibility query per path, timed on the first "
        "200 paths and extrapolated to all."
    )
    lines.append("")
    lines.extend(
        md_table(
            [
                "case",
                "D",
                "rules",
                "paths",
                "feasible",
                "verify_graph",
                "peak mem",
                "decided",
                "correct?",
                "brute force",
                "brute correct?",
                "path enumeration",
            ],
            pathway_rows(results),
        )
    )
    cli = [r for r in results if _get(r, "case", "kind") == "cli"]
    if cli:
        lines.append("")
        lines.append("### The shipped specs from a cold start")
        lines.append("")
        rows = []
        for r in cli:
            if r.get("status") != "ok":
                rows.append([str(r.get("command", "")), r.get("status", "?"), "-", "-", "-", "-", "-"])
                continue
            rows.append(
                [
                    f"`{r.get('command')}`",
                    f"{len(r.get('runs', []))}",
                    secs(r.get("seconds")),
                    f"{secs(r.get('min'))} – {secs(r.get('max'))}",
                    secs(r.get("first_run_s")),
                    mib(r.get("rss_mb")),
                    f"{r.get('exit_codes')} ({r.get('summary', '')})",
                ]
            )
        lines.extend(md_table(["command", "runs", "median", "min – max", "first run", "peak mem", "exit"], rows))
    issues = problems(results)
    if issues:
        lines.append("")
        lines.append("### Problems in this run")
        lines.append("")
        lines.extend(issues)
    return "\n".join(lines) + "\n"


def write(path: Path, results: Sequence[Result], env: Mapping[str, Any], *, quick: bool) -> None:
    block = f"{BEGIN}\n\n{render(results, env, quick=quick)}\n{END}"
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if BEGIN in old and END in old:
            head, rest = old.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            path.write_text(head + block + tail, encoding="utf-8")
            return
    title = "# veripath benchmarks: quick run\n\n" if quick else "# veripath benchmarks: report\n\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(title + block + "\n", encoding="utf-8")
