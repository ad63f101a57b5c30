"""Random small specs (hypothesis) for the differential tests.

A spec has up to four inputs (an enumeration, a bool, a small integer, a real number),
a finding revealed by an action the start decision always orders (and sometimes a numeric
finding, integer or real), two or three decisions wired as a DAG (sometimes with a bounded
loop), random conditions, hit policies, ratings (with and without a score, per option, `also
rated`), orders (with choices `one of {...}` between actions or sequences) and properties of
every form (their `when` conditions may test the finding).
Conditions include linear comparisons: one variable scaled and shifted (`2 * x + 1 > 6`, half
points `n + 1/2 >= 7/2`), and several (`x > 2 * n`, `(n + k) / 2 >= 5/2`), with at most one
real variable each, so that the brute-force reference enumerates them exactly. Every generated
spec is well formed.

Conditions may use named conditions (`define cond0: ...`), declared in a random order,
nested (a define may use the ones drawn before it), one of them possibly reading the
finding (and then used only where the finding is known). Each spec also comes as
`inlined` (every use replaced by its condition in brackets, no `define`) and as `split`
(a guideline with the start decision and the properties, importing a catalogue with the
declarations and the other decisions): both must mean exactly what `text` means.

Repeated studies: later decisions often order the study again (a loop back into the
bounded decision, its first target, re-orders it two times in three),
so that decisions after it read a fresh result, and so do the `when` conditions of the
properties (the latest result where they are checked); an assumption may read the finding
too (it then holds for every result).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st

from compiler.graph import DecisionGraph
from tests.verify.reference import space_size

# The most patients a random spec may have for the brute-force reference (see `load_random`).
BRUTE_FORCE_LIMIT = 150_000

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
# the choices a rule may order (besides plain actions): between actions, or between sequences
CHOICES = (
    "one of {probe, extra}",
    "one of {extra, probe}",
    "one of {(scan, probe), extra}",
    "one of {probe, (extra, probe)}",
)


def _choice_actions(choice: str) -> list[str]:
    return list(dict.fromkeys(a for a in ACTIONS if a in choice))


@st.composite
def rating(draw: st.DrawFn, policy: str, action: str | None = None) -> str:
    """`rated [action] CATEGORY [SCORE]`; the score is left out only where `priority` does not need it."""
    score = draw(st.sampled_from([9, 8, 5, 2]))
    shown = "" if policy != "priority" and draw(st.integers(0, 3)) == 0 else f" {score}"
    return f"rated {action + ' ' if action else ''}{CATEGORIES[score]}{shown}"


@dataclass
class Built:
    text: str
    inputs: tuple[str, ...]
    inlined: str = ""  # the same spec with every named condition written out where it is used
    split: dict[str, str] = field(default_factory=dict)  # the same spec as two files: file name -> text


@dataclass(frozen=True)
class Named:
    """The named conditions atoms may use: those that read only inputs, and those that may read `res`."""

    plain: tuple[str, ...] = ()
    finding: tuple[str, ...] = ()

    def usable(self, finding: bool) -> tuple[str, ...]:
        return self.plain + (self.finding if finding else ())


NO_DEFINES = Named()


COEFFICIENTS = ("1", "2", "-1", "1/2", "3/2", "-1/2")
OFFSETS = ("0", "1/2", "1", "5/2", "3", "-1")
OPS = ("<", "<=", ">", ">=", "==", "!=")


def _term(coef: str, var: str) -> str:
    if coef == "1":
        return var
    if coef == "-1":
        return f"-{var}"
    return f"{coef} * {var}"


@st.composite
def linear(draw: st.DrawFn, ints: list[str], reals: list[str]) -> str:
    """A linear comparison over one or two numbers (at most one real), with fractional coefficients."""
    pool = [*([draw(st.sampled_from(reals))] if reals else []), *ints]  # at most one real variable
    count = min(len(pool), draw(st.integers(1, 2)))
    names: list[str] = draw(st.lists(st.sampled_from(pool), min_size=count, max_size=count, unique=True))
    coefficients = [draw(st.sampled_from(COEFFICIENTS)) for _ in names]
    if coefficients == ["1"]:
        coefficients = ["2"]  # `x op c` is an atom of its own; a constant outside the domain would be an error there
    terms = [_term(c, v) for c, v in zip(coefficients, names, strict=True)]
    op = draw(st.sampled_from(OPS))
    offset = draw(st.sampled_from(OFFSETS))
    shape = draw(st.integers(0, 2)) if len(terms) > 1 else draw(st.sampled_from([0, 2]))
    if shape == 1:  # split across the sides: `n + 1/2 > 2 * k`
        return f"{terms[0]} + {offset} {op} {' + '.join(terms[1:])}"
    if shape == 2:  # scaled as a whole: `(n - k) / 2 >= 1/2`, `2 * (x + 1) < 3`
        inner = " + ".join(terms)
        if draw(st.booleans()):
            return f"({inner}) / 2 {op} {offset}"
        return f"{offset} {op} 2 * ({inner} - 1)"
    return f"{' + '.join(terms)} {op} {offset}"


@st.composite
def atoms(
    draw: st.DrawFn, inputs: tuple[str, ...], finding: bool, named: Named = NO_DEFINES, level: str | None = None
) -> str:
    usable = named.usable(finding)
    if usable and draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(usable))
    kinds = list(inputs) + (["res"] if finding else []) + ["const"]
    ints = [v for v in ("n", "k") if v in inputs] + (["lvl"] if finding and level == "integer" else [])
    reals = (["x"] if "x" in inputs else []) + (["lvl"] if finding and level == "number" else [])
    if ints or reals:
        kinds += ["lin", "lin"]
    if finding and level is not None:
        kinds.append("lvl")
    # comparisons of two variables (not boxes): both enumerations, or both small integers
    if "e" in inputs and "g" in inputs:
        kinds.append("e=g")
    if "n" in inputs and "k" in inputs:
        kinds.append("n<k")
    k = draw(st.sampled_from(kinds))
    if k == "lin":
        return draw(linear(ints, reals))
    if k == "lvl":
        op = draw(st.sampled_from(OPS))
        if draw(st.booleans()):
            return f"lvl in [{draw(st.sampled_from(['0', '1', '3/2']))}, {draw(st.sampled_from(['2', '5/2', '3']))})"
        return f"lvl {op} {draw(st.sampled_from(['0', '1', '3/2', '2', '3']))}"
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
def conditions(
    draw: st.DrawFn,
    inputs: tuple[str, ...],
    finding: bool,
    depth: int = 2,
    named: Named = NO_DEFINES,
    level: str | None = None,
) -> str:
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(atoms(inputs, finding, named, level))
    op = draw(st.sampled_from(["and", "or", "not", "and"]))
    if op == "not":
        return f"not ({draw(conditions(inputs, finding, depth - 1, named, level))})"
    parts = draw(st.lists(conditions(inputs, finding, depth - 1, named, level), min_size=2, max_size=3))
    return "(" + f" {op} ".join(parts) + ")"


PROPERTIES = (
    "never probe before scan",
    "never probe before any cross_sectional",
    "never extra",
    "always ends",
    "no repeated orders",
    "no repeated orders except scan",
    "at most 2 steps",
    "at most 1 steps",
    "always scan before probe",
    "never end d1",
    "never end in any reassure",
    "always end in {d1, d2}",
)
# The forms with a condition (COND): three-valued where it tests the finding and the finding is not known.
CONDITIONAL = (
    "when COND always eventually probe",
    "when COND never extra",
    "when COND never probe before scan",
    "when COND never probe before extra",
    "when COND always scan before any procedure",
    "when COND always extra before probe",
    "when COND never end in {d1}",
    "when COND always end in any refer",
    "when COND always end d1",
)


@st.composite
def defines(draw: st.DrawFn, inputs: tuple[str, ...]) -> tuple[Named, dict[str, str]]:
    """Up to three named conditions (name -> condition), each possibly using the ones before it;
    sometimes the last one reads the finding."""
    named = NO_DEFINES
    bodies: dict[str, str] = {}
    for k in range(draw(st.integers(0, 3))):
        name = f"cond{k}"
        reads_finding = draw(st.integers(0, 3)) == 0
        bodies[name] = draw(conditions(inputs, reads_finding, 1, named))
        uses_finding = reads_finding or any(re.search(rf"\b{d}\b", bodies[name]) for d in named.finding)
        if uses_finding:
            named = Named(named.plain, (*named.finding, name))
        else:
            named = Named((*named.plain, name), named.finding)
    return named, bodies


def inline(text: str, bodies: dict[str, str]) -> str:
    """`text` with every named condition replaced by its condition, in brackets (recursively)."""
    for name in reversed(bodies):  # a define uses only earlier ones: expand the latest first
        text = re.sub(rf"\b{name}\b", f"({bodies[name]})", text)  # bodies hold no backslash
    return text


@st.composite
def specs(draw: st.DrawFn, conditional: bool = False) -> Built:
    """A random spec; `conditional`: its properties are conditional ones whose conditions test the finding."""
    inputs = tuple(draw(st.lists(st.sampled_from(sorted(INPUTS)), min_size=1, max_size=4, unique=True)))
    inputs = tuple(sorted(inputs, key=list(INPUTS).index))
    n_dec = draw(st.integers(1, 3))
    loop = n_dec >= 2 and draw(st.integers(0, 3)) == 0
    named, bodies = draw(defines(inputs))
    lines = ['source s "S"']  # the declarations: in the catalogue when the spec is split
    lines += [INPUTS[i] for i in inputs]
    if draw(st.booleans()) and draw(st.booleans()):
        # sometimes about the study's result too: it holds for every result
        lines.append(f"assume: {draw(conditions(inputs, draw(st.booleans()), 1, named))}")
    lines.append('action scan "Scan" imaging modality mri cross_sectional')
    lines.append('action probe "Probe" procedure')
    lines.append('action extra "Extra" imaging modality us')
    lines.append("finding res from scan: pos | neg")
    # sometimes a numeric finding of the same study: a small integer score, or a real number
    level = draw(st.sampled_from([None, None, "integer", "number"]))
    if level == "integer":
        lines.append("finding lvl from scan: integer in [0, 3]")
    elif level == "number":
        lines.append("finding lvl from scan: number in [0, 3]")
    lines += ['disposition d1 "D1" reassure', 'disposition d2 "D2" refer']
    lines += draw(st.permutations([f"define {name}: {body}" for name, body in bodies.items()]))
    decisions: list[list[str]] = []
    # which later decision each decision must lead to, so that every decision is reachable
    must: dict[int, list[int]] = {k: [] for k in range(n_dec)}
    for k in range(1, n_dec):
        must[draw(st.integers(0, k - 1))].append(k)
    for k in range(n_dec):
        policy = draw(st.sampled_from(["unique", "first", "priority", "any"]))
        bound = " at most 2 visits" if loop and k == n_dec - 1 else ""
        decisions.append([f'decision k{k} "K{k}" {policy}{bound}'])
        n_rules = max(draw(st.integers(1, 4)), len(must[k]))
        otherwise = draw(st.integers(0, 3)) == 0
        for j in range(n_rules):
            last = j == n_rules - 1
            use_otherwise = otherwise and last and j > 0
            guard = (
                "otherwise" if use_otherwise else "when " + draw(conditions(inputs, k > 0, named=named, level=level))
            )
            targets = [f"then k{t}" for t in range(k + 1, n_dec)] + ["end d1", "end d2"]
            if loop and k == n_dec - 1:
                targets.insert(0, f"then k{k}")  # the loop back first: drawn more often, it often re-orders the study
            target = f"then k{must[k][j]}" if j < len(must[k]) else draw(st.sampled_from(targets))
            orders: list[str] = []
            if k == 0 and target.startswith("then"):
                orders = ["scan"]
            elif target.startswith("then") and draw(st.integers(0, 2)) == 0:
                orders = ["scan"]  # the study again: the next decision reads a fresh result
            elif target == f"then k{k}" and draw(st.booleans()):
                orders = ["scan"]  # a loop that repeats the study
            if conditional and (orders or k > 0):
                # actions ordered with the study (its result not yet known) and again after it
                orders += draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=2))
            elif draw(st.booleans()):
                orders += draw(st.lists(st.sampled_from(ACTIONS), max_size=2))
            choice = draw(st.sampled_from(CHOICES)) if draw(st.integers(0, 3)) == 0 else None
            if choice is not None:
                orders.insert(draw(st.integers(len(orders) > 0 and orders[0] == "scan", len(orders))), choice)
            order = f"order {', '.join(orders)} " if orders else ""
            if draw(st.integers(0, 4)) == 0:
                rated = 'unrated "u"'
            elif choice is not None:  # every option's actions rated by name
                rated = " ".join(draw(rating(policy, a)) for a in _choice_actions(choice))
            else:
                rated = draw(rating(policy))
            ordered = {a for a in ACTIONS if any(a in o for o in orders)}
            others = [a for a in ACTIONS if a not in ordered]
            if others and draw(st.integers(0, 3)) == 0:
                also = draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
                rated += " also rated " + ", ".join(draw(rating("first", a))[len("rated ") :] for a in also)
            decisions[k].append(f"  {guard} {order}{target} {rated} cite s")
    forms = CONDITIONAL if conditional else PROPERTIES + CONDITIONAL
    props = draw(st.lists(st.sampled_from(forms), min_size=int(conditional), max_size=5, unique=True))
    properties: list[str] = []
    for i, p in enumerate(props):
        if "COND" in p:
            # property conditions may test the finding: three-valued where it is not yet revealed
            cond = draw(conditions(inputs, False, 1, named))
            if conditional or draw(st.booleans()):
                res: str
                if len(named.finding) > 0 and draw(st.booleans()):
                    res = draw(st.sampled_from(named.finding))
                else:
                    res = draw(atoms(inputs, True).filter(lambda a: a.startswith("res")))
                joined = [cond, res] if draw(st.booleans()) else [res, cond]
                cond = "(" + f" {draw(st.sampled_from(['and', 'or']))} ".join(joined) + ")"
                cond = f"not {cond}" if draw(st.integers(0, 3)) == 0 else cond
            p = p.replace("COND", cond)
        properties.append(f"property p{i}: {p}")
    header = 'guideline rnd "Random" version "1"'
    text = _text([header, *lines, "start k0", *(line for d in decisions for line in d), *properties])
    inlined = inline(_text([header, *(x for x in lines if not x.startswith("define")), "start k0"]), bodies)
    inlined += inline(_text([*(line for d in decisions for line in d), *properties]), bodies)
    split = {
        "rnd.vp": _text([header, 'import "part.vp"', "start k0", *decisions[0], *properties]),
        "part.vp": _text(['catalogue part "Part"', *lines, *(line for d in decisions[1:] for line in d)]),
    }
    return Built(text, inputs, inlined, split)


def _text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


# The hypothesis settings of every test over random specs (building and verifying one is slow).
RANDOM_SPECS = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)


def load_random(built: Built, folder: Path, form: str = "text") -> DecisionGraph:
    """The graph of a random spec, written to `folder/rnd.vp`; specs the front end rejects are skipped.

    `form`: "text" (the spec as drawn), "inlined" or "split" (see `Built`); each means the same."""
    from veripath.api import load_spec

    path = folder / "rnd.vp"
    files = built.split if form == "split" else {"rnd.vp": built.inlined if form == "inlined" else built.text}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    loaded = load_spec(str(path))
    assume(loaded.graph is not None)
    assert loaded.graph is not None
    # The brute-force reference enumerates every patient, with a result per order of a repeated
    # study: a spec that orders two findings' study four times has millions. Such draws are
    # rare (6 of 73 conditional specs); they are skipped, not allowed to take hours.
    assume(space_size(loaded.graph) <= BRUTE_FORCE_LIMIT)
    return loaded.graph
