"""DecisionGraph -> a standalone, typed Python module (`<guideline>.py`).

The module needs only the standard library and passes `mypy --strict`. It exposes
`recommend(facts)` (the next step), `walk(facts)` (the whole path), `check(facts)` and
the fast inner `lookup(decision, facts)`. Its semantics are those of `verify.simulate`:
hit policies, `otherwise`, unrolled loops with their revisit limit, partial facts
(three-valued evaluation: a missing fact is named, never guessed), and, for a pathway that
orders a study more than once, a finding's results in order (each decision reads the latest).

Each decision is compiled into a tree of single-variable tests (`compiler.lookup`) whose
leaves hold the few rules that can still match; with `lookup="chain"` the same rules are
written as a linear if-chain instead (the benchmark baseline).

Safety: every string from the spec is written through `codewriter.literal` (`repr`),
comments through `codewriter.comment`; generated identifiers are numbered (`_t0`, `_K3`),
never derived from spec names.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal as TLiteral
from typing import assert_never

from compiler.codewriter import CodeWriter, comment, literal
from compiler.export_json import orders_json
from compiler.graph import LIMIT_NODE, DecisionGraph
from compiler.lookup import Index, Space, approx, build_index
from compiler.provenance import location, relative, source_digest, tool_version
from compiler.stamp import Stamp
from dsl import model as m
from dsl.cond import named, reads
from dsl.model import Model

LookupKind = TLiteral["index", "chain"]


def export_python(graph: DecisionGraph, *, stamp: Stamp, root: str, lookup: LookupKind = "index") -> str:
    """The text of the generated module (the caller writes it, atomically)."""
    return _Writer(graph, stamp, root, lookup).module()


def _uses(c: m.Cond) -> list[str]:
    """Variables a condition reads, in source order, each once (as `verify.evaluate.missing`)."""
    return list(dict.fromkeys(v for v, _ in reads(c)))


def _score(rule: m.Rule) -> int:
    return rule.score or 0


def _action_ratings(rule: m.Rule) -> dict[str, list[object]]:
    """Each action the rule may order -> [category, score or None, disagreement] of its rating (the one
    naming it, else the rule's own); actions without one are left out."""
    out: dict[str, list[object]] = {}
    for a in rule.actions:
        r = rule.rating_of(a)
        if r is not None:
            out[a] = [r.category, r.score, r.disagreement]
    return out


def _json_number(x: Fraction) -> int | str:
    """An exact number for JSON: an int, or "a/b" (the module decodes it to a Fraction)."""
    return x.numerator if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _json_cond(c: m.Cond) -> list[object]:
    """A condition as JSON data for the three-valued evaluator (`_ev3` in the module)."""
    match c:
        case m.Const(value=value):
            return ["const", value]
        case m.BoolVar(var=v):
            return ["bool", v]
        case m.EnumIn(var=v, values=vals):
            return ["in", v, sorted(vals)]
        case m.EnumCompare(op=op, left=a, right=b):
            return ["ecmp", op.symbol, a, b]
        case m.Compare(op=op, left=left, right=right):
            return ["cmp", op.symbol, _json_term(left), _json_term(right)]
        case m.Not(operand=o):
            return ["not", _json_cond(o)]
        case m.And(operands=ops):
            return ["and", [_json_cond(o) for o in ops]]
        case m.Or(operands=ops):
            return ["or", [_json_cond(o) for o in ops]]
        case m.Named(body=body):  # inlined: the module runs the meaning, it prints no condition
            return _json_cond(body)
        case _:
            assert_never(c)


def _json_term(t: m.Linear) -> list[object]:
    """["var", name], ["const", number], or ["lin", [[name, coefficient], ...], constant]."""
    if t.var is not None:
        return ["var", t.var]
    if t.constant is not None:
        return ["const", _json_number(t.constant)]
    return ["lin", [[v, _json_number(k)] for v, k in t.terms], _json_number(t.offset)]


@dataclass
class _Consts:
    """Numeric constants hoisted to module level (`_K0 = Fraction(5, 2)`): built once, compared fast."""

    names: dict[Fraction, str]

    def ref(self, x: Fraction) -> str:
        if x.denominator == 1:
            return literal(x)
        if x not in self.names:
            self.names[x] = f"_K{len(self.names)}"
        return self.names[x]


class _Writer:
    def __init__(self, graph: DecisionGraph, stamp: Stamp, root: str, lookup: LookupKind) -> None:
        self.graph = graph
        self.model: Model = graph.model
        self.stamp = stamp
        self.root = root
        self.lookup = lookup
        self.consts = _Consts({})
        self.hits = 0
        self.decisions = list(self.model.decisions)
        self.dindex = {d.name: k for k, d in enumerate(self.decisions)}

    # -- expressions over complete, checked facts `f` ---------------------------------
    def fact(self, name: str) -> str:
        return f"f[{literal(name)}]"

    def expr(self, c: m.Cond) -> str:
        match c:
            case m.Const(value=value):
                return literal(value)
            case m.BoolVar(var=v):
                return self.fact(v)
            case m.EnumIn(var=v, values=vals):
                if len(vals) == 1:
                    return f"{self.fact(v)} == {literal(vals[0])}"
                return f"{self.fact(v)} in {{{', '.join(literal(x) for x in sorted(vals))}}}"
            case m.EnumCompare(op=op, left=a, right=b):
                return f"{self.fact(a)} {op.symbol} {self.fact(b)}"
            case m.Compare(op=op, left=left, right=right):
                return f"{self.term(left)} {op.symbol} {self.term(right)}"
            case m.Not(operand=o):
                return f"not ({self.expr(o)})"
            case m.And(operands=ops):
                return "(" + " and ".join(self.expr(o) for o in ops) + ")" if ops else "True"
            case m.Or(operands=ops):
                return "(" + " or ".join(self.expr(o) for o in ops) + ")" if ops else "False"
            case m.Named(body=body):
                return f"({self.expr(body)})"
            case _:
                assert_never(c)

    def term(self, t: m.Linear) -> str:
        if t.var is not None:
            return self.fact(t.var)
        if t.constant is not None:
            return self.consts.ref(t.constant)
        parts = [self.fact(v) if k == 1 else f"{self.consts.ref(k)} * {self.fact(v)}" for v, k in t.terms]
        if t.offset:
            parts.append(self.consts.ref(t.offset))
        return "(" + " + ".join(parts) + ")"

    # -- the module ---------------------------------------------------------------------
    def module(self) -> str:
        # The parts that hoist numeric constants are written first, the constants before them.
        decls = CodeWriter()
        self.declarations(decls)
        fast = CodeWriter()
        self.fast_functions(fast)
        w = CodeWriter()
        self.header(w)
        w.line("# ---- numeric constants ----")
        for value, name in sorted(self.consts.names.items(), key=lambda kv: int(kv[1][2:])):
            w.line(f"{name}: Final = Fraction({value.numerator}, {value.denominator})")
        w.line()
        for part in (decls, fast):
            for line in part.text().splitlines():
                w.line(line)
            w.line()
            w.line()
        self.runtime(w)
        return w.text()

    def header(self, w: CodeWriter) -> None:
        model = self.model
        w.line('"""Decision tables of one clinical pathway, generated by veripath. Do not edit.')
        w.line("")
        w.line("Standard library only, fully typed. The guideline is named in GUIDELINE and TITLE;")
        w.line("SOURCES_SHA256 identifies the spec files it was generated from, VERDICT says whether")
        w.line("the verifier proved the pathway (PROVED lists the properties).")
        w.line("")
        w.line("Facts are a mapping from input or finding names to values: an enumeration value (str),")
        w.line("a bool, or a number (int, Fraction, or float read as its decimal repr). Unknown names and")
        w.line("values outside an input's domain raise ValueError naming the input and what it allows.")
        if self.graph.fresh is not None:
            w.line("A study may be ordered more than once on a path, and each order reveals a fresh result:")
            w.line("give a finding's results in order as a list or tuple (a single value is the first one);")
            w.line("each decision reads the latest result on the path.")
        w.line("")
        w.line("    recommend(facts) -> Recommendation   the next step given what is known so far: the")
        w.line("        orders to place now (with rating, radiation level and urgency), or the disposition,")
        w.line("        and `needs`, the facts still missing to go further (never a guess); plus the")
        w.line("        decision and rule that fired last.")
        w.line("    walk(facts) -> Path                  the whole path: every decision, order and the end.")
        w.line("    check(facts) -> dict                 the facts, validated and normalised.")
        w.line("    lookup(decision, checked) -> int     fast inner lookup of one decision on checked facts")
        w.line("        giving every value it reads: the 0-based rule position, -1 no rule, -2 conflict.")
        w.line('"""')
        w.line()
        w.line(f"# Generated by veripath {comment(tool_version())} from {comment(relative(model.path, self.root))}")
        w.line(f"# sources sha256 {source_digest(model, self.root)}; verdict {comment(self.stamp.verdict)}")
        warning = self.stamp.warning()
        if warning is not None:
            w.line(f"# {comment(warning)}")
        w.line("# Each rule below carries its source location as a comment.")
        w.line()
        w.line("from __future__ import annotations")
        w.line()
        w.line("import json")
        w.line("import math")
        w.line("from bisect import bisect_left, bisect_right")
        w.line("from collections.abc import Callable, Mapping")
        w.line("from dataclasses import dataclass")
        w.line("from fractions import Fraction")
        w.line("from typing import Any, Final, Literal")
        w.line()
        w.line(
            '__all__ = ["GUIDELINE", "PROVED", "SOURCES_SHA256", "TITLE", "VARIANTS", "VERDICT", "VERSION", '
            '"Disposition", "OneOf", "Order", "Path", "RATINGS", "RULE_VARIANTS", "Rating", "Recommendation", '
            '"Step", "check", "lookup", "recommend", "walk"]'
        )
        w.line()
        w.line(f"GUIDELINE: Final = {literal(model.name)}")
        w.line(f"TITLE: Final = {literal(model.title)}")
        w.line(f"VERSION: Final[str | None] = {literal(model.version)}")
        w.line(f"VERIPATH_VERSION: Final = {literal(tool_version())}")
        w.line(f"SOURCES_SHA256: Final = {literal(source_digest(model, self.root))}")
        w.line(f"VERDICT: Final = {literal(self.stamp.verdict)}")
        proved = tuple(str(p) for p in getattr(self.stamp, "proved", ()))
        w.line(f"PROVED: Final[tuple[str, ...]] = {literal(proved)}")
        w.line()
        w.line("Fact = bool | int | float | Fraction | str")
        w.line('Problem = Literal["no_rule", "conflict", "revisit_limit"]')
        w.line()
        for line in _CLASSES.splitlines():
            w.line(line)

    def declarations(self, w: CodeWriter) -> None:
        model = self.model
        w.line("# ---- inputs and findings: name -> domain ----")
        w.line("_DOMAINS: Final[dict[str, tuple[Any, ...]]] = {")
        with w.indent():
            for v in model.variables:
                t = v.type
                if isinstance(t, m.BoolType):
                    dom = "('bool',)"
                elif isinstance(t, m.EnumType):
                    dom = f"('enum', frozenset({literal(t.values)}), {literal(t.values)})"
                else:
                    dom = f"('number', {self.consts.ref(t.low)}, {self.consts.ref(t.high)}, {literal(t.integer)})"
                w.line(f"{literal(v.name)}: {dom},  # {comment(location(v.span, self.root))}")
        w.line("}")
        w.line("_REVEALS: Final[dict[str, tuple[str, ...]]] = {")
        with w.indent():
            for a in model.actions:
                found = tuple(v.name for v in model.findings if v.revealed_by == a.name)
                if found:
                    w.line(f"{literal(a.name)}: {literal(found)},")
        w.line("}")
        w.line("_ACTIONS: Final[dict[str, tuple[Any, ...]]] = {")
        with w.indent():
            for a in model.actions:
                fields = (
                    a.title,
                    a.kind,
                    a.modality,
                    a.radiation,
                    a.pediatric_radiation,
                    a.urgency,
                    a.within.describe() if a.within else None,
                )
                w.line(f"{literal(a.name)}: {literal(fields)},  # {comment(location(a.span, self.root))}")
        w.line("}")
        w.line("_DISPOSITIONS: Final[dict[str, tuple[Any, ...]]] = {")
        with w.indent():
            for d in model.dispositions:
                fields2 = (d.title, d.kind, d.within.describe() if d.within else None)
                w.line(f"{literal(d.name)}: {literal(fields2)},  # {comment(location(d.span, self.root))}")
        w.line("}")
        w.line()
        w.line("# ---- ratings: rule id -> every rating it records (its own, its actions', also rated) ----")
        w.line("RATINGS: Final[dict[str, tuple[Rating, ...]]] = {")
        with w.indent():
            for dec in self.decisions:
                for r in dec.rules:
                    rows = [(x, False) for x in r.ratings] + [(x, True) for x in r.also_rated]
                    if not rows:
                        continue
                    w.line(f"{literal(r.id)}: (")
                    with w.indent():
                        for x, also in rows:
                            fields3 = (x.action, x.category, x.score, x.disagreement, also)
                            w.line(f"Rating{literal(fields3)},")
                    w.line("),")
        w.line("}")
        w.line()
        w.line("# ---- variants: the published tables (name -> title and ratings), and each rule's variant ----")
        w.line("VARIANTS: Final[dict[str, tuple[str, tuple[Rating, ...]]]] = {")
        with w.indent():
            for table in model.variants:
                w.line(f"{literal(table.name)}: (  # {comment(location(table.span, self.root))}")
                with w.indent():
                    w.line(f"{literal(table.title)},")
                    w.line("(")
                    with w.indent():
                        for x in table.ratings:
                            w.line(f"Rating{literal((x.action, x.category, x.score, x.disagreement, False))},")
                    w.line("),")
                w.line("),")
        w.line("}")
        w.line("RULE_VARIANTS: Final[dict[str, str]] = {")
        with w.indent():
            for dec in self.decisions:
                for r in dec.rules:
                    if r.variant is not None:
                        w.line(f"{literal(r.id)}: {literal(r.variant)},")
        w.line("}")
        w.line()
        w.line("# ---- decisions: (name, title, hit policy) ----")
        w.line("_DECISIONS: Final[tuple[tuple[str, str | None, str], ...]] = (")
        with w.indent():
            for dec in self.decisions:
                head = (literal(dec.name), literal(dec.title), literal(dec.hit_policy))
                w.line(f"({', '.join(head)}),  # {comment(location(dec.span, self.root))}")
        w.line(")")
        w.line()
        w.line("# ---- the rules of each decision: one JSON array per rule, decoded on first use (_rules) ----")
        w.line("# a rule: [id, condition, variables it reads, orders, next decision, disposition, reason,")
        w.line("#          rating category, score (for priority), disagreement, outcome key, ratings of the")
        w.line("#          actions it orders]; orders are names and choices {'one_of': [[names], ...]};")
        w.line('#          a number that is not an integer is written "a/b" and decoded to a Fraction')
        w.line("_RULE_TEXT: Final[tuple[tuple[str, ...], ...]] = (")
        with w.indent():
            for dec in self.decisions:
                w.line(f"# decision {comment(dec.name)}: {comment(location(dec.span, self.root))}")
                with w.indent("("):
                    outcomes: dict[tuple[object, ...], int] = {}
                    for r in dec.rules:
                        key = outcomes.setdefault(r.outcome, len(outcomes))
                        uses = ", ".join(u.name for u in named(r.cond))  # inlined below; named here
                        w.line(f"# {comment(location(r.span, self.root) + (f' ({uses})' if uses else ''))}")
                        rating = r.rating
                        row: list[object] = [
                            r.id,
                            _json_cond(r.cond),
                            _uses(r.cond),
                            orders_json(r.orders),
                            r.goto,
                            r.end,
                            r.reason,
                            rating.category if rating else None,
                            _score(r),
                            rating.disagreement if rating else False,
                            key,
                            _action_ratings(r),
                        ]
                        w.line(f"{literal(json.dumps(row, ensure_ascii=True, separators=(',', ':')))},")
                w.line("),")
        w.line(")")
        w.line()
        w.line("# ---- the decision graph (loops unrolled): node -> (decision index, target per rule) ----")
        w.line(f"_START: Final = {literal(self.graph.start)}")
        w.line(f"_LIMIT: Final = {literal(LIMIT_NODE)}")
        w.line("_GRAPH: Final[dict[str, tuple[int, tuple[str, ...]]]] = {")
        with w.indent():
            for node in self.graph.graph.nodes:
                if self.graph.kind(node) != "decision":
                    continue
                targets: list[str] = []
                for target, _rule in self.graph.rule_edges(node):
                    targets.append(self.graph.past_orders(target))  # the orders come from the rule
                k = self.dindex[self.graph.attrs(node)["decision"]]
                # the targets as one JSON string: a constant, however many rules (cheap to compile)
                text = json.dumps(targets, ensure_ascii=True, separators=(",", ":"))
                w.line(f"{literal(node)}: ({k}, tuple(json.loads({literal(text)}))),")
        w.line("}")

    # -- fast lookups -------------------------------------------------------------------
    def fast_functions(self, w: CodeWriter) -> None:
        w.line("# ---- fast lookups: one function per decision, on complete checked facts ----")
        if self.lookup == "index":
            for line in _INDEX_HELPERS.splitlines():
                w.line(line)
        loose: list[str] = []
        for k, d in enumerate(self.decisions):
            if self.lookup == "chain":
                loose.append("0")
                w.line()
                w.line()
                with w.indent(f"def _t{k}(f: Mapping[str, Any]) -> int:"):
                    w.line(self.decision_comment(d))
                    self.leaf_code(w, d, list(range(len(d.rules))))
                continue
            space = Space(self.model, [r.cond for r in d.rules])
            index = build_index(space, [approx(space, r.cond) for r in d.rules])
            loose.append(f"_masks({literal(_changes([tuple(sorted(index.loose))]))})[0]" if index.loose else "0")
            self.index_code(w, k, d, index)
        w.line()
        w.line()
        names = ", ".join(f"_t{k}" for k in range(len(self.decisions)))
        trail = "," if self.decisions else ""
        w.line(f"_FAST: Final[tuple[Callable[[Mapping[str, Any]], int], ...]] = ({names}{trail})")
        w.line("_READS: Final[tuple[frozenset[str], ...]] = (")
        with w.indent():
            for d in self.decisions:
                reads = sorted({v for r in d.rules for v in _uses(r.cond)})
                w.line(f"frozenset({literal(tuple(reads))}),")
        w.line(")")
        w.line("# per decision: the rules whose condition is checked on the facts (not one exact box)")
        w.line(f"_LOOSE: Final[tuple[int, ...]] = ({''.join(x + ', ' for x in loose).rstrip()})")

    def decision_comment(self, d: m.Decision) -> str:
        return f"# decision {comment(d.name)}, {comment(d.hit_policy)}: {comment(location(d.span, self.root))}"

    def index_code(self, w: CodeWriter, k: int, d: m.Decision, index: Index) -> None:
        """Per indexed variable a table from its value (or cell) to the bitset of admitted rules;
        the decision's function ANDs one entry per variable and applies the hit policy."""
        w.line()
        w.line()
        w.line(f"# decision {comment(d.name)} ({k}): bit i of an entry is rule i of _DECISIONS[{k}]")
        terms: list[str] = []
        temps: list[str] = []
        for j, (dim, changes) in enumerate(zip(index.dims, index.changes, strict=True)):
            name = f"_M{k}_{j}"
            masks = f"_masks({literal(_changes(changes))})"
            fact = self.fact(dim.var)
            if dim.kind == "enum":
                w.line(f"{name}: Final[dict[str, int]] = dict(zip({literal(dim.values)}, {masks}))")
                terms.append(f"{name}[{fact}]")
            elif dim.kind == "bool":
                w.line(f"{name}: Final[tuple[int, ...]] = {masks}")
                terms.append(f"{name}[{fact}]")
            else:
                points = f"({''.join(self.consts.ref(p) + ', ' for p in dim.points).rstrip()})"
                low, high = dim.points[0], dim.points[-1]
                if dim.integer and low.denominator == 1 and high.denominator == 1 and high - low <= _DIRECT:
                    # a small integer range: one entry per value, shared with the cells' bitsets
                    w.line(f"{name}: Final[tuple[int, ...]] = _per_integer({masks}, {points}, {int(low)}, {int(high)})")
                    terms.append(f"{name}[{fact}]" if low == 0 else f"{name}[{fact} - {int(low)}]")
                else:
                    w.line(f"_P{k}_{j}: Final[tuple[int | Fraction, ...]] = {points}")
                    w.line(f"{name}: Final[tuple[int, ...]] = {masks}")
                    x = f"x{j}"
                    temps.append(f"{x} = {fact}")
                    terms.append(f"{name}[bisect_left(_P{k}_{j}, {x}) + bisect_right(_P{k}_{j}, {x}) - 1]")
        if not terms:
            terms.append(f"_masks({literal(_changes([tuple(sorted(index.live))]))})[0]" if index.live else "0")
        w.line()
        w.line()
        with w.indent(f"def _t{k}(f: Mapping[str, Any]) -> int:"):
            w.line(self.decision_comment(d))
            for t in temps:
                w.line(t)
            w.line(f"c: int = {' & '.join(terms)}")
            if index.loose:
                w.line(f"return _settle({k}, c, f)")
            elif d.hit_policy == "first":
                w.line("return (c & -c).bit_length() - 1  # the lowest rule; -1 when c is 0")
            else:
                w.line("low = c & -c")
                with w.indent("if c == low:  # one rule or none"):
                    w.line("return low.bit_length() - 1")
                w.line(f"return _settle({k}, c, f)")

    def leaf_code(self, w: CodeWriter, d: m.Decision, rules: list[int]) -> None:
        policy = d.hit_policy
        if not rules:
            w.line("return -1")
            return
        if policy == "first" or (len(rules) == 1 and policy in ("unique", "any", "priority")):
            for i in rules:
                w.line(f"# {comment(location(d.rules[i].span, self.root))}")
                with w.indent(f"if {self.expr(d.rules[i].cond)}:"):
                    w.line(f"return {i}")
            w.line("return -1")
            return
        self.hits += 1
        hits = f"hits{self.hits}"
        w.line(f"{hits}: list[int] = []")
        for i in rules:
            w.line(f"# {comment(location(d.rules[i].span, self.root))}")
            with w.indent(f"if {self.expr(d.rules[i].cond)}:"):
                w.line(f"{hits}.append({i})")
        w.line(f"return _resolve({self.dindex[d.name]}, {hits})")

    def runtime(self, w: CodeWriter) -> None:
        if self.graph.fresh is None:
            parts = [_RUNTIME, _variant(_WALK, "plain")]
        else:  # a repeated study: results in order, the walk reads the latest
            assert _RUNTIME.count(_CHECK_ONE) == 1
            one = _CHECK_ONE.replace("def check(", "def _check_values(")
            parts = [_RUNTIME.replace(_CHECK_ONE, one), _CHECK_RESULTS, _variant(_WALK, "repeats")]
        for line in "\n\n\n".join(parts).splitlines():
            w.line(line)


_DIRECT = 4096  # integer ranges up to this wide are tables indexed by the value itself


def _changes(changes: Sequence[Sequence[int]]) -> str:
    """Bitsets as text for `_masks`: the first one's members, then per bitset the members that change."""
    return ";".join(" ".join(str(i) for i in flip) for flip in changes)


_INDEX_HELPERS = """
def _masks(text: str) -> tuple[int, ...]:
    \"\"\"Bitsets from `text`: the first one's members, then per bitset the members that change.\"\"\"
    out: list[int] = []
    bits = 0
    for part in text.split(";"):
        flips = [int(i) for i in part.split()]
        if len(flips) > 16:  # one big XOR instead of one per member
            delta = bytearray((max(flips) >> 3) + 1)
            for i in flips:
                delta[i >> 3] |= 1 << (i & 7)
            bits ^= int.from_bytes(delta, "little")
        else:
            for i in flips:
                bits ^= 1 << i
        out.append(bits)
    return tuple(out)


def _per_integer(masks: tuple[int, ...], points: tuple[int | Fraction, ...], low: int, high: int) -> tuple[int, ...]:
    \"\"\"One bitset per integer in [low, high]: the bitset of its cell (2i: the point, 2i+1: after it).\"\"\"
    return tuple(masks[bisect_left(points, x) + bisect_right(points, x) - 1] for x in range(low, high + 1))"""


_CLASSES = '''
@dataclass(frozen=True, slots=True)
class Order:
    """One action to order, with its rating (the one naming it, else the rule's)."""

    action: str
    title: str
    kind: str  # imaging | procedure | referral
    modality: str | None
    radiation: str | None  # relative radiation level: none, rrl1..rrl5, varies
    pediatric_radiation: str | None
    urgency: str | None
    within: str | None
    rating: str | None  # usually_appropriate | may_be_appropriate | usually_not_appropriate
    score: int | None  # None also for a category without a published score
    disagreement: bool
    decision: str
    rule: str


@dataclass(frozen=True, slots=True)
class OneOf:
    """A choice (`order one of {...}`): the clinician takes exactly one option, its orders in order."""

    options: tuple[tuple[Order, ...], ...]
    decision: str
    rule: str


@dataclass(frozen=True, slots=True)
class Rating:
    """A rating a rule records: its own (`action` None), that of an action it orders, or, with
    `also`, that of another procedure the source rates for the same variant."""

    action: str | None
    category: str  # usually_appropriate | may_be_appropriate | usually_not_appropriate
    score: int | None  # None: the source publishes the category alone
    disagreement: bool
    also: bool


@dataclass(frozen=True, slots=True)
class Disposition:
    name: str
    title: str
    kind: str  # reassure | follow_up | refer | uncovered | discharge
    within: str | None
    reason: str | None  # why, for an uncovered disposition


@dataclass(frozen=True, slots=True)
class Step:
    decision: str
    rule: str


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The next step: `orders` to place now, and the `disposition` if the pathway ends here.

    `needs` names the facts still missing to go further (the results of the orders, or inputs).
    `decision` and `rule` are the decision and rule that fired last; `stopped_at` the decision
    where the walk stopped (missing facts or a problem); `problem` is set only for a spec that
    did not verify (no rule applies, two rules conflict, or a loop reached its revisit limit).
    A choice (`OneOf`) among the orders is for the clinician: the facts do not say which option.
    """

    orders: tuple[Order | OneOf, ...]
    disposition: Disposition | None
    needs: tuple[str, ...]
    decision: str | None
    rule: str | None
    stopped_at: str | None = None
    problem: Problem | None = None


@dataclass(frozen=True, slots=True)
class Path:
    """The whole path for the facts: every decision taken, every order, and the end."""

    steps: tuple[Step, ...]
    orders: tuple[Order | OneOf, ...]  # a choice stays a OneOf: the facts do not say which option
    disposition: Disposition | None
    needs: tuple[str, ...]
    stopped_at: str | None = None
    problem: Problem | None = None'''


_RUNTIME = '''# ---- runtime ----
_INDEX: Final[dict[str, int]] = {d[0]: k for k, d in enumerate(_DECISIONS)}
_RULES: Final[list[list[Any] | None]] = [None] * len(_DECISIONS)


def _rules(k: int) -> list[Any]:
    """The rules of decision k, decoded from _RULE_TEXT on first use (then cached)."""
    rules = _RULES[k]
    if rules is None:
        text = "[" + ",".join(_RULE_TEXT[k]) + "]"
        rules = json.loads(text)
        if "/" in text:  # maybe a Fraction, written "a/b"
            for rule in rules:
                _exact(rule[1])
        _RULES[k] = rules
    return rules


def _exact(c: list[Any]) -> None:
    """Turn the "a/b" constants of a decoded condition into Fractions, in place."""
    tag = c[0]
    if tag == "cmp":
        for t in (c[2], c[3]):
            if t[0] == "const" and type(t[1]) is str:
                t[1] = Fraction(t[1])
            elif t[0] == "lin":
                for term in t[1]:
                    if type(term[1]) is str:
                        term[1] = Fraction(term[1])
                if type(t[2]) is str:
                    t[2] = Fraction(t[2])
    elif tag == "not":
        _exact(c[1])
    elif tag == "and" or tag == "or":
        for o in c[1]:
            _exact(o)


def check(facts: Mapping[str, Fact]) -> dict[str, Fact]:
    """The facts with numbers made exact (int or Fraction); ValueError for unknown names or values."""
    out: dict[str, Fact] = {}
    for name, value in facts.items():
        dom = _DOMAINS.get(name) if isinstance(name, str) else None
        if dom is None:
            raise ValueError(f"unknown fact {name!r}; the facts are: {', '.join(sorted(_DOMAINS))}")
        kind = dom[0]
        if type(value) is int and kind == "number" and dom[1] <= value <= dom[2]:
            out[name] = value  # the common case: an int inside the domain is already exact
        elif kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{name!r} is true or false (a bool), not {value!r}")
            out[name] = value
        elif kind == "enum":
            if not isinstance(value, str) or value not in dom[1]:
                raise ValueError(f"{name!r} is one of {', '.join(dom[2])}, not {value!r}")
            out[name] = value
        else:
            out[name] = _number(name, value, dom)
    return out


def _number(name: str, value: object, dom: tuple[Any, ...]) -> int | Fraction:
    low, high, integer = dom[1], dom[2], dom[3]
    allowed = f"{'an integer' if integer else 'a number'} in [{low}, {high}]"
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        raise ValueError(f"{name!r} is {allowed}, not {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{name!r} is {allowed}, not {value!r}")
        exact = Fraction(repr(value))
    else:
        exact = Fraction(value)
    if not low <= exact <= high or (integer and exact.denominator != 1):
        raise ValueError(f"{name!r} is {allowed}, not {value!r}")
    return int(exact) if exact.denominator == 1 else exact


def lookup(decision: str, checked: Mapping[str, Any]) -> int:
    """The rule of `decision` that applies (0-based position; -1 none, -2 conflict).

    `checked` must come from check() and give every value the decision reads."""
    return _FAST[_INDEX[decision]](checked)


def _resolve(k: int, matched: list[int]) -> int:
    """unique / any / priority on the rules that match (complete facts)."""
    if not matched:
        return -1
    rules = _RULES[k] or _rules(k)
    if _DECISIONS[k][2] == "priority":
        top = max(rules[i][8] for i in matched)
        matched = [i for i in matched if rules[i][8] == top]
    first = rules[matched[0]][10]
    for i in matched:
        if rules[i][10] != first:
            return -2
    return matched[0]


def _settle(k: int, c: int, f: Mapping[str, Any]) -> int:
    """The hit policy on the candidate rules `c` (a bitset), checking the loose ones on the facts."""
    rules = _RULES[k] or _rules(k)
    first = _DECISIONS[k][2] == "first"
    loose = _LOOSE[k]
    matched: list[int] = []
    while c:
        low = c & -c
        c ^= low
        i = low.bit_length() - 1
        if low & loose and not _ev3(rules[i][1], f):
            continue
        if first:
            return i
        matched.append(i)
    return _resolve(k, matched)


def _ev3(c: list[Any], f: Mapping[str, Any]) -> bool | None:
    """Kleene three-valued truth of a condition on partial facts (None: not known)."""
    tag = c[0]
    if tag == "const":
        return bool(c[1])
    if tag == "bool":
        v = f.get(c[1])
        return None if v is None else bool(v)
    if tag == "in":
        v = f.get(c[1])
        return None if v is None else bool(v in c[2])
    if tag == "ecmp":
        a, b = f.get(c[2]), f.get(c[3])
        if a is None or b is None:
            return None
        return bool(a == b) if c[1] == "==" else bool(a != b)
    if tag == "cmp":
        x, y = _term(c[2], f), _term(c[3], f)
        if x is None or y is None:
            return None
        op = c[1]
        if op == "==":
            return bool(x == y)
        if op == "!=":
            return bool(x != y)
        if op == "<":
            return bool(x < y)
        if op == "<=":
            return bool(x <= y)
        if op == ">":
            return bool(x > y)
        return bool(x >= y)
    if tag == "not":
        inner = _ev3(c[1], f)
        return None if inner is None else not inner
    unknown = False
    if tag == "and":
        for o in c[1]:
            r = _ev3(o, f)
            if r is False:
                return False
            if r is None:
                unknown = True
        return None if unknown else True
    for o in c[1]:
        r = _ev3(o, f)
        if r is True:
            return True
        if r is None:
            unknown = True
    return None if unknown else False


def _term(t: list[Any], f: Mapping[str, Any]) -> Any:
    """A number: a constant, a fact, or a linear expression of facts (None when a fact is missing)."""
    if t[0] == "const":
        return t[1]
    if t[0] == "var":
        return f.get(t[1])
    total = t[2]
    for name, coef in t[1]:
        v = f.get(name)
        if v is None:
            return None
        total += coef * v
    return total


def _choose3(k: int, f: Mapping[str, Any]) -> tuple[int, tuple[str, ...]]:
    """The rule that applies on partial facts: (position, ()), (-1, ()), (-2, ()) or (-3, needed names)."""
    name, _, policy = _DECISIONS[k]
    rules = _RULES[k] or _rules(k)
    values = [_ev3(r[1], f) for r in rules]

    def need(which: list[int]) -> tuple[int, tuple[str, ...]]:
        names: list[str] = []
        for i in which:
            for v in rules[i][2]:
                if v not in f and v not in names:
                    names.append(v)
        return -3, tuple(names)

    if policy == "first":
        for i, v in enumerate(values):
            if v is None:
                return need([i])
            if v:
                return i, ()
        return -1, ()
    matched = [i for i, v in enumerate(values) if v is True]
    unknown = [i for i, v in enumerate(values) if v is None]
    if policy == "priority":
        if not matched:
            return need(unknown) if unknown else (-1, ())
        top = max(rules[i][8] for i in matched)
        pending = [i for i in unknown if rules[i][8] >= top]
        if pending:
            return need(pending)
        matched = [i for i in matched if rules[i][8] == top]
    if not matched:
        return need(unknown) if unknown else (-1, ())
    if len({rules[i][10] for i in matched}) > 1:
        return -2, ()
    return matched[0], ()


def _choose(k: int, f: Mapping[str, Any]) -> tuple[int, tuple[str, ...]]:
    if _READS[k] <= f.keys():
        return _FAST[k](f), ()
    return _choose3(k, f)


def _order(action: str, decision: str, rule: list[Any]) -> Order:
    title, kind, modality, radiation, pediatric, urgency, within = _ACTIONS[action]
    rated = rule[11].get(action)
    rating, score, disagreement = rated if rated is not None else (None, None, False)
    fields = (action, title, kind, modality, radiation, pediatric, urgency, within)
    return Order(*fields, rating, score, disagreement, decision, rule[0])


def _item(item: Any, decision: str, rule: list[Any]) -> Order | OneOf:
    """An entry of a rule's order list: an action, or a choice {"one_of": [[actions], ...]}."""
    if isinstance(item, str):
        return _order(item, decision, rule)
    options = tuple(tuple(_order(a, decision, rule) for a in option) for option in item["one_of"])
    return OneOf(options, decision, rule[0])


def _actions(group: tuple[Order | OneOf, ...]) -> list[str]:
    """The actions of a group of orders, those of every option of a choice included."""
    out: list[str] = []
    for item in group:
        if isinstance(item, Order):
            out.append(item.action)
        else:
            out.extend(o.action for option in item.options for o in option)
    return out


def _disposition(name: str, reason: str | None) -> Disposition:
    title, kind, within = _DISPOSITIONS[name]
    return Disposition(name, title, kind, within, reason)


_PROBLEMS: Final[dict[int, Problem]] = {-1: "no_rule", -2: "conflict"}'''


_WALK = '''def _run(f: Mapping[str, Any]) -> tuple[Path, list[tuple[int, tuple[Order | OneOf, ...]]]]:  # [plain]
def _run(f: Mapping[str, Any]) -> tuple[Path, list[tuple[int, tuple[Order | OneOf, ...], bool]]]:  # [repeats]
    node = _START
    reason: str | None = None  # of the rule that fired last
    steps: list[Step] = []
    groups: list[tuple[int, tuple[Order | OneOf, ...]]] = []  # (step number, orders of one rule)  # [plain]
    # (step number, orders of one rule, whether a result they reveal is given)  # [repeats]
    groups: list[tuple[int, tuple[Order | OneOf, ...], bool]] = []  # [repeats]
    seen = {n: (v[0] if isinstance(v, tuple) else v) for n, v in f.items()}  # the latest results  # [repeats]
    revealed: dict[str, int] = {}  # finding -> orders of its study so far  # [repeats]
    while True:
        if node == _LIMIT:
            return Path(tuple(steps), _flat(groups), None, (), None, "revisit_limit"), groups
        entry = _GRAPH.get(node)
        if entry is None:  # an end node
            name = node[len("end:") :]
            return Path(tuple(steps), _flat(groups), _disposition(name, reason), ()), groups
        k, targets = entry
        dname = _DECISIONS[k][0]
        i, needs = _choose(k, f)  # [plain]
        i, needs = _choose(k, seen)  # [repeats]
        if i < 0:
            problem = None if i == -3 else _PROBLEMS[i]
            return Path(tuple(steps), _flat(groups), None, needs, dname, problem), groups
        rule = (_RULES[k] or _rules(k))[i]
        steps.append(Step(dname, rule[0]))
        reason = rule[6]
        if rule[3]:
            groups.append((len(steps), tuple(_item(a, dname, rule) for a in rule[3])))  # [plain]
            group = tuple(_item(a, dname, rule) for a in rule[3])  # [repeats]
            for a in _counted(rule[3]):  # [repeats]
                for x in _REVEALS.get(a, ()):  # [repeats]
                    n = revealed[x] = revealed.get(x, 0) + 1  # [repeats]
                    if n > 1:  # [repeats]
                        v = _result(f, x, n)  # [repeats]
                        if v is None:  # [repeats]
                            seen.pop(x, None)  # [repeats]
                        else:  # [repeats]
                            seen[x] = v  # [repeats]
            revealing = [x for a in _actions(group) for x in _REVEALS.get(a, ())]  # [repeats]
            known = any(_result(f, x, max(revealed.get(x, 0), 1)) is not None for x in revealing)  # [repeats]
            groups.append((len(steps), group, known))  # [repeats]
        node = targets[i]


def _flat(groups: list[tuple[int, tuple[Order | OneOf, ...]]]) -> tuple[Order | OneOf, ...]:  # [plain]
    return tuple(o for _, g in groups for o in g)  # [plain]
def _flat(groups: list[tuple[int, tuple[Order | OneOf, ...], bool]]) -> tuple[Order | OneOf, ...]:  # [repeats]
    return tuple(o for _, g, _ in groups for o in g)  # [repeats]


def walk(facts: Mapping[str, Fact]) -> Path:  # [plain]
def walk(facts: Mapping[str, Fact | Results]) -> Path:  # [repeats]
    """Follow the pathway as far as the facts allow; `needs` names what is missing to go on."""
    return _run(check(facts))[0]


def recommend(facts: Mapping[str, Fact]) -> Recommendation:  # [plain]
def recommend(facts: Mapping[str, Fact | Results]) -> Recommendation:  # [repeats]
    """The next step given what is known so far.

    The orders are those on the path after the last order whose results are known (some  # [plain]
    finding it reveals is given); the disposition is set when the path ends."""  # [plain]
    The orders are those on the path after the last order whose results are known (some  # [repeats]
    finding it reveals has its result for that order given); the disposition is set when  # [repeats]
    the path ends."""  # [repeats]
    f = check(facts)
    path, groups = _run(f)
    done = 0
    for n, (_, group) in enumerate(groups):  # [plain]
        if any(x in f for a in _actions(group) for x in _REVEALS.get(a, ())):  # [plain]
            done = n + 1  # [plain]
    todo = tuple(o for _, g in groups[done:] for o in g)  # [plain]
    for n, (_, _, known) in enumerate(groups):  # [repeats]
        if known:  # [repeats]
            done = n + 1  # [repeats]
    todo = tuple(o for _, g, _ in groups[done:] for o in g)  # [repeats]
    last = path.steps[-1] if path.steps else None
    return Recommendation(
        todo,
        path.disposition,
        path.needs,
        last.decision if last else None,
        last.rule if last else None,
        path.stopped_at,
        path.problem,
    )'''


def _variant(template: str, keep: str) -> str:
    """The lines of a runtime template for one variant: lines marked `  # [plain]` or
    `  # [repeats]` are kept (without the mark) only in that variant; unmarked lines in both."""
    out: list[str] = []
    for line in template.split("\n"):
        body, mark, which = line.rpartition("  # [")
        if not mark:
            out.append(line)
        elif which == f"{keep}]":
            out.append(body)
    return "\n".join(out)


# With a repeated study (some path orders an action with findings twice), `check` takes a
# finding's results in order, and the walk reads the latest result at each decision.
_CHECK_ONE = "def check(facts: Mapping[str, Fact]) -> dict[str, Fact]:"
_CHECK_RESULTS = '''# ---- repeated studies: each order reveals the next result of its findings ----
Results = list[Fact] | tuple[Fact, ...]
_FINDINGS: Final[frozenset[str]] = frozenset(x for found in _REVEALS.values() for x in found)


def check(facts: Mapping[str, Fact | Results]) -> dict[str, Any]:
    """The facts with numbers made exact (int or Fraction); ValueError for unknown names or values.

    A finding may be given a list or tuple of results, in order: each order of its study on
    the path reveals the next one (a single value is the first result)."""
    out: dict[str, Any] = {}
    for name, value in facts.items():
        if not isinstance(value, list | tuple):
            out.update(_check_values({name: value}))
            continue
        if name not in _FINDINGS:
            if name not in _DOMAINS:
                _check_values({name: False})  # raises: an unknown fact, naming the facts there are
            raise ValueError(f"{name!r} is an input: give one value, not {value!r}")
        if not value:
            raise ValueError(f"{name!r}: give at least one result, not {value!r}")
        results = tuple(_check_values({name: v})[name] for v in value)
        out[name] = results if len(results) > 1 else results[0]
    return out


def _result(f: Mapping[str, Any], name: str, k: int) -> Any:
    """The k-th result of a finding in the checked facts (None when it is not given)."""
    v = f.get(name)
    if isinstance(v, tuple):
        return v[k - 1] if k <= len(v) else None
    return v if k == 1 else None


def _counted(items: list[Any]) -> list[str]:
    """The actions a rule's order list orders, a choice counted by its first option (every option
    orders each repeated study as often)."""
    return [a for item in items for a in ([item] if isinstance(item, str) else item["one_of"][0])]'''
