"""Random small specs (hypothesis) for the differential tests.

A spec has up to four inputs (an enumeration, a bool, a small integer, a real number),
a finding revealed by an action the start decision always orders, two or three
decisions wired as a DAG (sometimes with a bounded loop), random conditions, hit
policies, ratings, orders and properties. Every generated spec is well formed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st

from compiler.graph import DecisionGraph

INPUTS = {
    "e": "input e: a | b | c",
    "g": "input g: a | b | c",
    "f": "input f: bool",
    "n": "input n: integer in [0, 5]",
    "k": "input k: integer in [0, 5]",
    "x": "input x: number in [0, 10]",
}
ACTIONS = ("scan", "probe", "extra")
CATEGORIES = {9: "usually_appropriate", 8: "usually_appropriate", 5: "may_be_appropriate", 2: "usually_not_appropriate"}


@dataclass
class Built:
    text: str
    inputs: tuple[str, ...]


@st.composite
def atoms(draw: st.DrawFn, inputs: tuple[str, ...], finding: bool) -> str:
    kinds = list(inputs) + (["res"] if finding else []) + ["const"]
    # comparisons of two variables (not boxes): both enumerations, or both small integers
    if "e" in inputs and "g" in inputs:
        kinds.append("e=g")
    if "n" in inputs and "k" in inputs:
        kinds.append("n<k")
    k = draw(st.sampled_from(kinds))
    if k == "const":
        return draw(st.sampled_from(["true", "false"]))
    if k == "e=g":
        return f"e {draw(st.sampled_from(['==', '!=']))} g"
    if k == "n<k":
        return f"n {draw(st.sampled_from(['<', '<=', '==', '!=', '>']))} k"
    if k in ("e", "g"):
        vals = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=2, unique=True))
        if len(vals) == 1:
            return f"{k} {draw(st.sampled_from(['==', '!=']))} {vals[0]}"
        return f"{k} {draw(st.sampled_from(['in', 'not in']))} {{{', '.join(vals)}}}"
    if k == "f":
        return draw(st.sampled_from(["f", "not f", "f == true", "f != true"]))
    if k in ("n", "k"):
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        return f"{k} {op} {draw(st.integers(0, 5))}"
    if k == "x":
        if draw(st.booleans()):
            lo = draw(st.sampled_from([0, 2, 2.5, 5]))
            hi = draw(st.sampled_from([5, 7.5, 10]))
            if lo >= hi:
                lo, hi = 0, 10
            return f"x in {draw(st.sampled_from('[('))}{lo}, {hi}{draw(st.sampled_from('])'))}"
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "=="]))
        return f"x {op} {draw(st.sampled_from([0, 2.5, 5, 10]))}"
    return f"res {draw(st.sampled_from(['==', '!=']))} {draw(st.sampled_from(['pos', 'neg']))}"


@st.composite
def conditions(draw: st.DrawFn, inputs: tuple[str, ...], finding: bool, depth: int = 2) -> str:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(atoms(inputs, finding))
    op = draw(st.sampled_from(["and", "or", "not", "and"]))
    if op == "not":
        return f"not ({draw(conditions(inputs, finding, depth - 1))})"
    parts = draw(st.lists(conditions(inputs, finding, depth - 1), min_size=2, max_size=3))
    return "(" + f" {op} ".join(parts) + ")"


@st.composite
def specs(draw: st.DrawFn) -> Built:
    inputs = tuple(draw(st.lists(st.sampled_from(sorted(INPUTS)), min_size=1, max_size=4, unique=True)))
    inputs = tuple(sorted(inputs, key=list(INPUTS).index))
    n_dec = draw(st.integers(1, 3))
    loop = n_dec >= 2 and draw(st.integers(0, 3)) == 0
    lines = ['guideline rnd "Random" version "1"', 'source s "S"']
    lines += [INPUTS[i] for i in inputs]
    if draw(st.booleans()) and draw(st.booleans()):
        lines.append(f"assume: {draw(conditions(inputs, False, 1))}")
    lines.append('action scan "Scan" imaging modality mri cross_sectional')
    lines.append('action probe "Probe" procedure')
    lines.append('action extra "Extra" imaging modality us')
    lines.append("finding res from scan: pos | neg")
    lines += ['disposition d1 "D1" reassure', 'disposition d2 "D2" refer']
    lines.append("start k0")
    # which later decision each decision must lead to, so that every decision is reachable
    must: dict[int, list[int]] = {k: [] for k in range(n_dec)}
    for k in range(1, n_dec):
        must[draw(st.integers(0, k - 1))].append(k)
    for k in range(n_dec):
        policy = draw(st.sampled_from(["unique", "first", "priority", "any"]))
        bound = " at most 2 visits" if loop and k == n_dec - 1 else ""
        lines.append(f'decision k{k} "K{k}" {policy}{bound}')
        n_rules = max(draw(st.integers(1, 4)), len(must[k]))
        otherwise = draw(st.integers(0, 3)) == 0
        for j in range(n_rules):
            last = j == n_rules - 1
            use_otherwise = otherwise and last and j > 0
            guard = "otherwise" if use_otherwise else "when " + draw(conditions(inputs, k > 0))
            targets = [f"then k{t}" for t in range(k + 1, n_dec)] + ["end d1", "end d2"]
            if loop and k == n_dec - 1:
                targets.append(f"then k{k}")
            target = f"then k{must[k][j]}" if j < len(must[k]) else draw(st.sampled_from(targets))
            orders: list[str] = []
            if k == 0 and target.startswith("then"):
                orders = ["scan"]
            if draw(st.booleans()):
                orders += draw(st.lists(st.sampled_from(ACTIONS), max_size=2))
            order = f"order {', '.join(orders)} " if orders else ""
            score = draw(st.sampled_from([9, 8, 5, 2, 0]))
            rating = f"rated {CATEGORIES[score]} {score}" if score else 'unrated "u"'
            lines.append(f"  {guard} {order}{target} {rating} cite s")
    props = draw(
        st.lists(
            st.sampled_from(
                [
                    "never probe before scan",
                    "never probe before any cross_sectional",
                    "never extra",
                    "always ends",
                    "no repeated orders",
                    "no repeated orders except scan",
                    "at most 2 steps",
                    "at most 1 steps",
                    "when COND always eventually probe",
                    "when COND never extra",
                ]
            ),
            max_size=4,
            unique=True,
        )
    )
    for i, p in enumerate(props):
        if "COND" in p:
            p = p.replace("COND", draw(conditions(inputs, False, 1)))
        lines.append(f"property p{i}: {p}")
    return Built("\n".join(lines) + "\n", inputs)


# The hypothesis settings of every test over random specs (building and verifying one is slow).
RANDOM_SPECS = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)


def load_random(built: Built, folder: Path) -> DecisionGraph:
    """The graph of a random spec, written to `folder/rnd.vp`; specs the front end rejects are skipped."""
    from veripath.api import load_spec

    path = folder / "rnd.vp"
    path.write_text(built.text, encoding="utf-8")
    loaded = load_spec(str(path))
    assume(loaded.graph is not None)
    assert loaded.graph is not None
    return loaded.graph
