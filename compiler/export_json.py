"""The JSON decision tables: `<guideline>.json`, format `veripath-tables` 2.1.

The document holds everything an evaluator in another language needs to run a patient
through the verified pathway, and nothing that depends on where or when it was built:

  header        format and version, generator version, SHA-256 of every source file,
                the verification stamp (verdict, solver settings, proved properties)
  guideline     name, title, version
  sources       the citation sources
  inputs        variables known from the start, with their domains and units
  findings      variables revealed by an action, with that action
  assumptions   conditions every patient satisfies
  defines       named conditions (only when the spec has some); each use in a condition
                is a `define` node that names it and carries its condition
  variants      published appropriateness tables (only when the spec declares some): the
                rating of every procedure each rates, citations, notes
  actions       kind, modality, contrast, cross-sectional, radiation, urgency, time frame
  dispositions  kind and time frame
  decisions     hit policy, visit bound and rules (structured condition, outcome with
                its choice, ratings of the rule and of each action it rates, the other
                procedures the source rates (`also_rated`), the rule's variant and reasons
                (only when it has them), citations, notes, location)
  pathway       the decision graph with bounded loops unrolled: start node, nodes and
                transitions (what the reference evaluator walks)
  properties    every property, and whether it was proved (its condition, action sets
                and disposition set as structured data)
  examples      the spec's scenario examples

Numbers are exact: a JSON integer where the value is integral, else a string "a/b"
(numerator/denominator in lowest terms). Conditions are structured data (see
`condition_json`), never source text. Locations are relative to the build root.
docs/embedding.md and schemas/veripath-tables.schema.json describe the format.
"""

from __future__ import annotations

import json
from fractions import Fraction
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from compiler.graph import LIMIT_NODE, DecisionGraph
from compiler.locations import location, source_digests
from compiler.stamp import VerificationStamp
from dsl import model as m
from dsl.cond import CondVisitor
from dsl.source import Span

FORMAT = "veripath-tables"
FORMAT_VERSION = "2.1"
SCHEMA_ID = "urn:veripath:schema:tables:2"

Json = dict[str, Any]


def _generator_version() -> str:
    try:
        return version("veripath")
    except PackageNotFoundError:  # a source tree without installation
        return "0.0.0"


def number_json(x: Fraction) -> int | str:
    """An exact number: an integer, or the string "a/b"."""
    return x.numerator if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _term_json(t: m.Linear) -> Json:
    """{var}, {const}, or a linear expression {terms: [{var, coef}], const}."""
    if t.var is not None:
        return {"var": t.var}
    if t.constant is not None:
        return {"const": number_json(t.constant)}
    return {"terms": [{"var": v, "coef": number_json(k)} for v, k in t.terms], "const": number_json(t.offset)}


class _CondJson(CondVisitor[Json]):
    """A model condition as structured JSON; `op` names the node kind.

    const {value}; bool {var} (a bool variable is true); in {var, values} (an
    enumeration variable's value is one of `values`); compare {cmp, left, right} with
    terms {var}, {const} or {terms: [{var, coef}], const} (the sum of coef * var, plus const:
    a linear expression, in the unit of the comparison's first variable); enum_compare
    {cmp, left, right} (two enumeration variables); not {operand}; and {operands}; or
    {operands} (empty `and` is true, empty `or` false); define {name, condition} (a named
    condition, true when its condition is).
    """

    def visit_const(self, c: m.Const) -> Json:
        return {"op": "const", "value": c.value}

    def visit_bool_var(self, c: m.BoolVar) -> Json:
        return {"op": "bool", "var": c.var}

    def visit_enum_in(self, c: m.EnumIn) -> Json:
        return {"op": "in", "var": c.var, "values": list(c.values)}

    def visit_compare(self, c: m.Compare) -> Json:
        return {"op": "compare", "cmp": c.op.symbol, "left": _term_json(c.left), "right": _term_json(c.right)}

    def visit_enum_compare(self, c: m.EnumCompare) -> Json:
        return {"op": "enum_compare", "cmp": c.op.symbol, "left": c.left, "right": c.right}

    def visit_not(self, c: m.Not) -> Json:
        return {"op": "not", "operand": self.visit(c.operand)}

    def visit_and(self, c: m.And) -> Json:
        return {"op": "and", "operands": [self.visit(o) for o in c.operands]}

    def visit_or(self, c: m.Or) -> Json:
        return {"op": "or", "operands": [self.visit(o) for o in c.operands]}

    def visit_named(self, c: m.Named) -> Json:
        return {"op": "define", "name": c.name, "condition": self.visit(c.body)}


def condition_json(c: m.Cond) -> Json:
    """A model condition as structured JSON (see `_CondJson`)."""
    return _CondJson().visit(c)


def _type_json(t: m.Type) -> Json:
    match t:
        case m.BoolType():
            return {"type": "bool"}
        case m.EnumType(values=values):
            return {"type": "enum", "values": list(values)}
        case m.NumberType(low=low, high=high, unit=unit, integer=integer):
            return {
                "type": "integer" if integer else "number",
                "min": number_json(low),
                "max": number_json(high),
                "unit": unit,
            }
        case _:
            raise AssertionError(f"unknown type {type(t).__name__}")


def _duration(d: m.Duration | None) -> Json | None:
    return None if d is None else {"amount": number_json(d.amount), "unit": d.unit}


def _citation(c: m.Citation) -> Json:
    return {"source": c.source, "locator": c.locator}


def _rating(r: m.Rating) -> Json:
    """A rating: `score` is null where the source publishes the category alone."""
    out: Json = {"action": r.action} if r.action is not None else {}
    out.update({"category": r.category, "score": r.score, "disagreement": r.disagreement})
    return out


def orders_json(items: tuple[m.OrderItem, ...]) -> list[Any]:
    """An order list: action names, and a choice as `{"one_of": [[actions of an option], ...]}`."""
    return [i if isinstance(i, str) else {"one_of": [list(o) for o in i.options]} for i in items]


class _Exporter:
    def __init__(self, graph: DecisionGraph, stamp: VerificationStamp, root: str) -> None:
        self.graph = graph
        self.model = graph.model
        self.stamp = stamp
        self.root = root

    def loc(self, span: Span | None) -> str | None:
        return None if span is None else location(span, self.root)

    def document(self, generator_version: str) -> Json:
        model = self.model
        doc: Json = {
            "$schema": SCHEMA_ID,
            "header": {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "generator": {"name": "veripath", "version": generator_version},
                "files": [{"path": d.path, "sha256": d.sha256} for d in source_digests(model, self.root)],
                "verification": self.stamp.to_json(),
            },
            "guideline": {
                "name": model.name,
                "title": model.title,
                "version": model.version,
            },
            "sources": [
                {"name": s.name, "title": s.title, "url": s.url, "location": self.loc(s.span)} for s in model.sources
            ],
            "inputs": [self.variable(v) for v in model.inputs],
            "findings": [self.variable(v) for v in model.findings],
            "assumptions": [
                {"title": a.title, "condition": condition_json(a.cond), "location": self.loc(a.span)}
                for a in model.assumptions
            ],
            # only when the spec has named conditions, so specs without them export as before
            **({"defines": [self.define(d) for d in model.defines]} if model.defines else {}),
            **({"variants": [self.variant(v) for v in model.variants]} if model.variants else {}),
            "actions": [self.action(a) for a in model.actions],
            "dispositions": [
                {
                    "name": d.name,
                    "title": d.title,
                    "kind": d.kind,
                    "within": _duration(d.within),
                    "location": self.loc(d.span),
                }
                for d in model.dispositions
            ],
            "decisions": [self.decision(d) for d in model.decisions],
            "pathway": self.pathway(),
            "properties": [self.prop(p) for p in model.properties],
            "examples": [self.example(e) for e in model.examples],
        }
        if model.waivers:  # only when the spec has waivers, so specs without them export as before
            doc["waivers"] = [self.waiver(w) for w in model.waivers]
        return doc

    def variable(self, v: m.Variable) -> Json:
        out: Json = {"name": v.name, "title": v.title, **_type_json(v.type)}
        if v.is_finding:
            out["revealed_by"] = v.revealed_by
        out["location"] = self.loc(v.span)
        return out

    def define(self, d: m.Define) -> Json:
        return {"name": d.name, "title": d.title, "condition": condition_json(d.cond), "location": self.loc(d.span)}

    def variant(self, v: m.Variant) -> Json:
        return {
            "name": v.name,
            "title": v.title,
            "ratings": [_rating(r) for r in v.ratings],
            "citations": [_citation(c) for c in v.citations],
            "notes": list(v.notes),
            "location": self.loc(v.span),
        }

    def action(self, a: m.Action) -> Json:
        return {
            "name": a.name,
            "title": a.title,
            "kind": a.kind,
            "modality": a.modality,
            "contrast": a.contrast,
            "cross_sectional": a.cross_sectional,
            "radiation": a.radiation,
            "pediatric_radiation": a.pediatric_radiation,
            "urgency": a.urgency,
            "within": _duration(a.within),
            "location": self.loc(a.span),
        }

    def decision(self, d: m.Decision) -> Json:
        return {
            "name": d.name,
            "title": d.title,
            "hit_policy": d.hit_policy,
            "max_visits": d.max_visits,
            "location": self.loc(d.span),
            "rules": [self.rule(r) for r in d.rules],
        }

    def rule(self, r: m.Rule) -> Json:
        out: Json = {
            "id": r.id,
            "index": r.index,
            "label": r.label,
            "otherwise": r.is_otherwise,
            # `otherwise` has no condition of its own: it matches when no earlier rule does.
            "condition": None if r.is_otherwise else condition_json(r.cond),
            "orders": orders_json(r.orders),
            "then": r.goto,
            "end": r.end,
            "reason": r.reason,
            "rating": None if r.rating is None else _rating(r.rating),
            "action_ratings": [_rating(x) for x in r.ratings if x.action is not None],
            "also_rated": [_rating(x) for x in r.also_rated],
            "unrated": r.unrated,
            "citations": [_citation(c) for c in r.citations],
            "notes": list(r.notes),
            "location": self.loc(r.span),
            "condition_location": self.loc(r.cond_span),
        }
        if r.variant is not None:  # only for rules in a variant, so other rules export as before
            out["variant"] = r.variant
        if r.reasons:
            out["reasons"] = [
                {"action": x.action, "reason": x.reason, "citation": _citation(x.citation)} for x in r.reasons
            ]
        return out

    def pathway(self) -> Json:
        g = self.graph.graph
        nodes: list[Json] = []
        for node, data in g.nodes(data=True):
            kind = data["kind"]
            item: Json = {"id": node, "kind": kind}
            if kind == "decision":
                item["decision"] = data["decision"]
            elif kind == "order":
                item["rule"] = data["rule"]
                item["actions"] = list(data["actions"])
                item["reveals"] = list(data["reveals"])
                if "option" in data:  # one option of a choice
                    item["option"] = list(data["option"])
            elif kind == "choice":
                item["rule"] = data["rule"]
                item["options"] = self.graph.option_nodes(node)
            elif node == LIMIT_NODE:
                item["kind"] = "revisit_limit"
            else:
                item["disposition"] = data["disposition"]
            nodes.append(item)
        transitions: list[Json] = []
        for u, v, data in g.edges(data=True):
            rule = data["rule"].id if data["kind"] == "rule" else None
            transitions.append({"from": u, "rule": rule, "to": v})
            if data["kind"] == "option":  # which option of the choice (0-based), so transitions stay distinct
                transitions[-1]["option"] = self.graph.option_nodes(u).index(v)
        return {"start": self.graph.start, "nodes": nodes, "transitions": transitions}

    def prop(self, p: m.Property) -> Json:
        def actions(s: m.ActionSet | None) -> Json | None:
            return None if s is None else {"description": s.description, "actions": list(s.actions)}

        def ends(s: m.DispositionSet | None) -> Json | None:
            return None if s is None else {"description": s.description, "dispositions": list(s.dispositions)}

        return {
            "name": p.name,
            "title": p.title,
            "kind": p.kind,
            "proved": p.name in self.stamp.proved,
            "condition": None if p.condition is None else condition_json(p.condition),
            "target": actions(p.target),
            "other": actions(p.other),
            "ends": ends(p.ends),
            "exceptions": list(p.exceptions),
            "bound": p.bound,
            "location": self.loc(p.span),
        }

    def example(self, e: m.Example) -> Json:
        return {
            "title": e.title,
            "citations": [_citation(c) for c in e.citations],
            "given": {name: fact_json(value) for name, value in e.given},
            "expect": {
                "orders": None if e.expect_orders is None else list(e.expect_orders),
                "end": e.expect_end,
            },
            "location": self.loc(e.span),
        }

    def waiver(self, w: m.Waiver) -> Json:
        return {
            "code": w.code,
            "target": {"kind": w.target_kind, "name": w.target},
            "rules": list(w.rules),
            "check": w.check,
            "reason": w.reason,
            "location": self.loc(w.span),
        }


def value_json(v: m.Value) -> bool | int | str:
    """A patient's value: true/false, an enumeration value, or an exact number."""
    if isinstance(v, Fraction):
        return number_json(v)
    return v


def fact_json(fact: m.Fact) -> bool | int | str | list[bool | int | str]:
    """A given fact: a value, or a finding's results in order as a list of values."""
    if isinstance(fact, tuple):
        return [value_json(v) for v in fact]
    return value_json(fact)


def export_document(
    graph: DecisionGraph, *, verification: VerificationStamp, root: str, generator_version: str | None = None
) -> Json:
    """The tables as a JSON-ready dict (see the module docstring)."""
    return _Exporter(graph, verification, root).document(generator_version or _generator_version())


def export_json(
    graph: DecisionGraph, *, verification: VerificationStamp, root: str, generator_version: str | None = None
) -> str:
    """The text of `<guideline>.json`: UTF-8, two-space indent, a final newline, byte-identical for equal input.

    `root` is the folder locations and file paths are relative to (the folder given on
    the command line, or `compiler.locations.find_root`). Writing it is the caller's job
    (`veripath build` writes it with the guideline's other outputs, `compiler.outputs.write_group`).
    """
    doc = export_document(graph, verification=verification, root=root, generator_version=generator_version)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def output_name(graph: DecisionGraph) -> str:
    """The file name of the tables in the build folder."""
    return f"{graph.model.name}.json"
