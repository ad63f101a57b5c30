"""DecisionGraph -> DMN 1.3 XML: one decision table per decision, with the requirements between them.

Each table has the decision's hit policy (`unique` UNIQUE, `first` FIRST, `priority`
PRIORITY on a `score` output listed from 9 down to 0, `any` ANY), one typed input column per
variable the decision reads, and S-FEEL input entries. The `orders` output is a string of
actions separated by ","; a choice (`order one of {...}`: the clinician takes one option) is
written `{a|b+c}`, options (sorted) separated by "|", the actions of an option by "+". A `ratings`
annotation column holds each rule's ratings in the language's own words (`rated radiograph
usually_appropriate 9; also rated ct_w usually_not_appropriate 2`, or `unrated "why"`). A rule whose condition is not a
single box becomes several DMN rules over disjoint boxes with the same outputs. The start
decision and loop bounds, which DMN has no place for, are kept in an extension element
(namespace `urn:veripath:dmn`) so that a walker can follow the pathway; when some path orders
a study twice, it also lists which action reveals each finding (`vp:reveals`): every order
reveals a fresh result, and a table is given the latest (the tables themselves are unchanged).

Named conditions (`define`) are inlined into the input entries, and named in the rule's description.
Numeric comparisons over several variables (`size_cm > 2 * depth_cm`) get an input column
whose input expression is the linear form they compare (`size_cm - 2 * depth_cm`, integer
coefficients), tested against constants like any number. Comparisons of two enumeration
inputs, and numbers with no exact decimal form, cannot be written as unary tests:
`export_dmn` raises `ExportError` with VP403 diagnostics rather than drop them. All text goes
through ElementTree (XML escaping) and `json.dumps` (FEEL string literals).
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction

from compiler.graph import DecisionGraph
from compiler.lookup import Box, Dim, NotABox, Space, disjoint, dnf, order_by
from compiler.pretty import ratings_text
from compiler.provenance import location, relative, source_digest, tool_version
from compiler.stamp import Stamp
from dsl import codes
from dsl import model as m
from dsl.cond import named
from dsl.diagnostics import Diagnostic, error

DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"
VP_NS = "urn:veripath:dmn"
POLICIES = {"unique": "UNIQUE", "first": "FIRST", "priority": "PRIORITY", "any": "ANY"}
SCORES = tuple(range(9, -1, -1))


class ExportError(Exception):
    """The spec uses a construct the format cannot express (VP403 diagnostics)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


def _q(tag: str) -> str:
    return f"{{{DMN_NS}}}{tag}"


def feel_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def feel_number(x: Fraction) -> str | None:
    """The exact decimal form of x (FEEL has no fractions), or None if it has none."""
    return m.exact_decimal(x, max_digits=sys.maxsize)


def _type(var: m.Variable) -> str:
    t = var.type
    if isinstance(t, m.BoolType):
        return "boolean"
    if isinstance(t, m.EnumType):
        return "string"
    return "number"


def dmn_orders(items: tuple[m.OrderItem, ...]) -> str:
    """The `orders` output: `a,b`, with a choice as `{a|b+c}`, its options sorted: a choice is the set of
    its options, so that two rules with the same choice have equal outputs (`any`, `priority`)."""
    return ",".join(i if isinstance(i, str) else "{" + "|".join("+".join(o) for o in i.key()) + "}" for i in items)


def unary_tests(dim: Dim, cells: frozenset[int]) -> str:
    """S-FEEL unary tests for a cell set of one dimension ('-' for all of it)."""
    if cells == dim.full:
        return "-"
    if dim.kind == "bool":
        return "true" if cells == frozenset({1}) else "false"
    if dim.kind == "enum":
        return ",".join(feel_string(dim.values[c]) for c in sorted(cells))
    runs: list[tuple[int, int]] = []
    for c in sorted(cells):
        if runs and runs[-1][1] == c - 1:
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append((c, c))
    parts = []
    for a, b in runs:
        lo, hi = dim.points[a // 2], dim.points[(b + 1) // 2]
        lo_s, hi_s = feel_number(lo), feel_number(hi)
        if lo_s is None or hi_s is None:
            raise ValueError(f"{lo if lo_s is None else hi} has no exact decimal form")
        if a == b and a % 2 == 0:
            parts.append(lo_s)
            continue
        parts.append(f"{'[' if a % 2 == 0 else '('}{lo_s}..{hi_s}{']' if b % 2 == 0 else ')'}")
    return ",".join(parts)


def export_dmn(graph: DecisionGraph, *, stamp: Stamp, root: str) -> str:
    """The DMN 1.3 XML text (the caller writes it); ExportError if the spec cannot be expressed."""
    model = graph.model
    ET.register_namespace("", DMN_NS)
    ET.register_namespace("vp", VP_NS)
    defs = ET.Element(
        _q("definitions"),
        {"id": f"definitions_{model.name}", "name": model.title, "namespace": f"urn:veripath:{model.name}"},
    )
    warning = stamp.warning()
    ET.SubElement(defs, _q("description")).text = (
        f"Generated by veripath {tool_version()} from {relative(model.path, root)}; "
        f"sources sha256 {source_digest(model, root)}; verdict {stamp.verdict}. Do not edit."
        + (f" {warning}" if warning else "")
    )
    ext = ET.SubElement(defs, _q("extensionElements"))
    assert model.start is not None
    pathway = ET.SubElement(ext, f"{{{VP_NS}}}pathway", {"start": model.start})
    for d in model.decisions:
        if d.max_visits is not None:
            ET.SubElement(pathway, f"{{{VP_NS}}}visits", {"decision": d.name, "max": str(d.max_visits)})
    if graph.fresh is not None:
        # A study some path orders twice: each order reveals a fresh result of its findings, and a
        # decision reads the latest. A walker counts the orders of each study to know which.
        for v in model.findings:
            assert v.revealed_by is not None
            ET.SubElement(pathway, f"{{{VP_NS}}}reveals", {"action": v.revealed_by, "finding": v.name})

    problems: list[Diagnostic] = []
    requires = _requirements(model)
    for d in model.decisions:
        _decision(defs, model, d, requires.get(d.name, []), root, problems)
    for v in model.variables:
        inp = ET.SubElement(defs, _q("inputData"), {"id": f"input_{v.name}", "name": v.name})
        if v.title:
            ET.SubElement(inp, _q("description")).text = v.title
        ET.SubElement(inp, _q("variable"), {"id": f"variable_{v.name}", "name": v.name, "typeRef": _type(v)})
    if problems:
        raise ExportError(problems)
    ET.indent(defs)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(defs, encoding="unicode") + "\n"


def _requirements(model: m.Model) -> dict[str, list[str]]:
    """decision -> the decisions that lead to it, keeping the requirement graph acyclic."""
    edges: dict[str, list[str]] = {}
    order = {d.name: i for i, d in enumerate(model.decisions)}
    seen: set[str] = set()
    stack: list[str] = []

    def visit(name: str) -> None:  # depth-first from start: edges back into the stack are loops
        seen.add(name)
        stack.append(name)
        for r in model.decision(name).rules:
            if r.goto is None or r.goto in stack:
                continue
            if name not in edges.setdefault(r.goto, []):
                edges[r.goto].append(name)
            if r.goto not in seen:
                visit(r.goto)
        stack.pop()

    assert model.start is not None
    visit(model.start)
    return {k: sorted(v, key=order.__getitem__) for k, v in edges.items()}


def _decision(
    defs: ET.Element, model: m.Model, d: m.Decision, parents: list[str], root: str, problems: list[Diagnostic]
) -> None:
    dec = ET.SubElement(defs, _q("decision"), {"id": f"decision_{d.name}", "name": d.name})
    ET.SubElement(dec, _q("description")).text = f"{d.title} ({location(d.span, root)})"
    space = Space(model, [r.cond for r in d.rules], linear=True)
    for p in parents:
        req = ET.SubElement(dec, _q("informationRequirement"), {"id": f"req_{d.name}_{p}"})
        ET.SubElement(req, _q("requiredDecision"), {"href": f"#decision_{p}"})
    reads = order_by(model, list(dict.fromkeys(v for dim in space.dims.values() for v in dim.reads)))
    for var in reads:
        req = ET.SubElement(dec, _q("informationRequirement"), {"id": f"req_{d.name}_input_{var}"})
        ET.SubElement(req, _q("requiredInput"), {"href": f"#input_{var}"})
    table = ET.SubElement(dec, _q("decisionTable"), {"id": f"table_{d.name}", "hitPolicy": POLICIES[d.hit_policy]})
    forms = 0
    for key, dim in space.dims.items():
        # a variable's column reads it; a linear form's column computes it (`size_cm - 2 * depth_cm`)
        if dim.terms:
            forms += 1
            ident, typ = f"{d.name}_linear{forms}", "number"
        else:
            ident, typ = f"{d.name}_{key}", _type(model.variable(key))
        col = ET.SubElement(table, _q("input"), {"id": f"in_{ident}", "label": key})
        expr = ET.SubElement(col, _q("inputExpression"), {"id": f"inexpr_{ident}", "typeRef": typ})
        ET.SubElement(expr, _q("text")).text = key
    outputs = ["score", "rule", "orders", "next", "end"] if d.hit_policy == "priority" else [
        "rule", "orders", "next", "end"
    ]  # fmt: skip
    for name in outputs:
        out = ET.SubElement(
            table,
            _q("output"),
            {"id": f"out_{d.name}_{name}", "name": name, "typeRef": "number" if name == "score" else "string"},
        )
        if name == "score":
            ET.SubElement(ET.SubElement(out, _q("outputValues")), _q("text")).text = ",".join(map(str, SCORES))
    ET.SubElement(table, _q("annotation"), {"name": "ratings"})
    n = 0
    for r in d.rules:
        try:
            boxes: list[Box] = (
                [{}] if r.is_otherwise and d.hit_policy == "first" else disjoint(space, dnf(space, r.cond))
            )
            entries = [[unary_tests(space.dims[v], b.get(v, space.dims[v].full)) for v in space.dims] for b in boxes]
        except NotABox:
            problems.append(
                error(
                    codes.EXPORT_UNSUPPORTED,
                    f"rule '{r.id}' compares two enumeration inputs with each other, "
                    "which DMN unary tests cannot express",
                    r.cond_span,
                    hint="compare each input with its values, or do not export this spec to DMN",
                )
            )
            continue
        except ValueError as e:
            problems.append(
                error(codes.EXPORT_UNSUPPORTED, f"rule '{r.id}': {e}; DMN numbers are decimals", r.cond_span)
            )
            continue
        values = {
            "score": str(r.score or 0),
            "rule": feel_string(r.id),
            "orders": feel_string(dmn_orders(r.orders)),
            "next": feel_string(r.goto or ""),
            "end": feel_string(r.end or ""),
        }
        # Named conditions are inlined into the input entries (a unary test reads one input); the
        # description keeps their names.
        uses = ", ".join(u.name for u in named(r.cond))
        described = f"{r.id} ({location(r.span, root)})" + (f"; named conditions: {uses}" if uses else "")
        for entry in entries:
            n += 1
            rule = ET.SubElement(table, _q("rule"), {"id": f"rule_{d.name}_{n}"})
            ET.SubElement(rule, _q("description")).text = described
            for k, text in enumerate(entry):
                ie = ET.SubElement(rule, _q("inputEntry"), {"id": f"ie_{d.name}_{n}_{k}"})
                ET.SubElement(ie, _q("text")).text = text
            for name in outputs:
                oe = ET.SubElement(rule, _q("outputEntry"), {"id": f"oe_{d.name}_{n}_{name}"})
                ET.SubElement(oe, _q("text")).text = values[name]
            ET.SubElement(ET.SubElement(rule, _q("annotationEntry")), _q("text")).text = ratings_text(r)
