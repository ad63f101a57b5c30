"""Diagrams of the decision graph (Mermaid, Graphviz DOT) and the build/ outputs.

Labels come from titles and conditions; everything is escaped, never pasted raw.
"""

from __future__ import annotations

import json
from typing import Any

from compiler.graph import DecisionGraph
from compiler.pretty import describe_cond
from compiler.provenance import relative
from compiler.stamp import Stamp
from dsl.escape import escape_text
from dsl.model import Rating, Rule
from dsl.source import Span


def _mermaid_ids(graph: DecisionGraph) -> dict[str, str]:
    """Readable Mermaid ids, made unique in node order (`review@1` and `review_1` would clash)."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for node in graph.graph.nodes:
        base = "n_" + "".join(ch if ch.isalnum() else "_" for ch in node)
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}_{n}"
        used.add(candidate)
        ids[node] = candidate
    return ids


def _mermaid_text(text: str) -> str:
    # Mermaid labels are quoted; quotes and angle brackets become entities, and control and
    # bidi characters visible escapes (a raw newline would end the label's line).
    return escape_text(text).replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _rating_mark(rating: Rating | None) -> str:
    """` [9]`, or the category where the source publishes no score: ` [usually_appropriate]`."""
    if rating is None:
        return ""
    return f" [{rating.score if rating.score is not None else rating.category}]"


def _rule_label(rule: Rule) -> str:
    cond = "otherwise" if rule.is_otherwise else describe_cond(rule.cond)
    own = rule.rating
    if own is None and rule.choice is None and rule.score is not None:  # its actions are rated by name
        own = max((r for r in rule.ratings if r.score is not None), key=lambda r: r.score or 0)
    elif own is None and rule.choice is None and rule.variant is not None and rule.ratings:
        own = rule.ratings[0]  # categories alone, from its variant's table
    variant = f" ({rule.variant})" if rule.variant is not None else ""
    return escape_text(f"{cond}{_rating_mark(own)}{variant}")


def _option_label(graph: DecisionGraph, choice: str, option: tuple[str, ...]) -> str:
    """An option edge: its actions, each with its rating (`us [9]`, `(us [9], xr [usually_appropriate])`)."""
    rule = _choice_rule(graph, choice)
    marked = [f"{a}{_rating_mark(next((r for r in rule.ratings if r.action == a), None))}" for a in option]
    return escape_text(marked[0] if len(marked) == 1 else "(" + ", ".join(marked) + ")")


def _choice_rule(graph: DecisionGraph, choice: str) -> Rule:
    rule_id = graph.graph.nodes[choice]["rule"]
    decision = graph.model.decision(rule_id.partition(".")[0])
    return next(r for r in decision.rules if r.id == rule_id)


def _node_label(graph: DecisionGraph, node: str) -> str:
    return escape_text(_raw_node_label(graph, node))


def _raw_node_label(graph: DecisionGraph, node: str) -> str:
    data = graph.graph.nodes[node]
    kind = data["kind"]
    if kind == "decision":
        return f"{data['title']}"
    if kind == "order":
        titles = [graph.model.action(a).title for a in data["actions"]]
        return "Order: " + "; ".join(titles)
    if kind == "choice":
        return "Order one of: " + " | ".join(
            "; ".join(graph.model.action(a).title for a in option) for option in data["choice"].options
        )
    return f"{data['title']}"


def to_mermaid(graph: DecisionGraph) -> str:
    lines = ["flowchart TD"]
    ids = _mermaid_ids(graph)
    shapes = {"decision": ('{"', '"}'), "order": ('["', '"]'), "choice": ('{{"', '"}}'), "end": ('(["', '"])')}
    for node, data in graph.graph.nodes(data=True):
        open_, close = shapes[data["kind"]]
        lines.append(f"    {ids[node]}{open_}{_mermaid_text(_node_label(graph, node))}{close}")
    for u, v, data in graph.graph.edges(data=True):
        if data["kind"] == "rule":
            label = _mermaid_text(_rule_label(data["rule"]))
            lines.append(f'    {ids[u]} -->|"{label}"| {ids[v]}')
        elif data["kind"] == "option":
            label = _mermaid_text(_option_label(graph, u, data["option"]))
            lines.append(f'    {ids[u]} -.->|"{label}"| {ids[v]}')
        else:
            lines.append(f"    {ids[u]} --> {ids[v]}")
    return "\n".join(lines) + "\n"


def to_dot(graph: DecisionGraph) -> str:
    shapes = {"decision": "diamond", "order": "box", "choice": "hexagon", "end": "ellipse"}
    # json.dumps quotes and escapes DOT strings; ensure_ascii=False keeps accents, so control and bidi
    # characters are escaped first (in the labels; names and node ids are identifiers).
    lines = [f"digraph {json.dumps(graph.model.name)} {{", "    rankdir=TB;"]
    for node, data in graph.graph.nodes(data=True):
        label = json.dumps(_node_label(graph, node), ensure_ascii=False)
        lines.append(f"    {json.dumps(node)} [shape={shapes[data['kind']]}, label={label}];")
    for u, v, data in graph.graph.edges(data=True):
        attrs = ""
        if data["kind"] == "rule":
            attrs = f" [label={json.dumps(_rule_label(data['rule']), ensure_ascii=False)}]"
        elif data["kind"] == "option":
            label = json.dumps(_option_label(graph, u, data["option"]), ensure_ascii=False)
            attrs = f" [label={label}, style=dashed]"
        lines.append(f"    {json.dumps(u)} -> {json.dumps(v)}{attrs};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_json(graph: DecisionGraph, root: str | None = None) -> dict[str, Any]:
    """A plain, deterministic JSON view of the graph (node-link form).

    Locations are `file:line:col`, the file relative to `root` (as diagnostics show it without one).
    """

    def where(span: Span) -> str:
        return str(span) if root is None else f"{relative(span.file, root)}:{span.line}:{span.column}"

    nodes = []
    for node, data in graph.graph.nodes(data=True):
        item: dict[str, Any] = {"id": node, "kind": data["kind"]}
        for key in ("decision", "title", "hit_policy", "disposition", "disposition_kind", "rule"):
            if key in data:
                item[key] = data[key]
        if "actions" in data:
            item["actions"] = list(data["actions"])
            item["reveals"] = list(data["reveals"])
        if "option" in data:
            item["option"] = list(data["option"])
        if data["kind"] == "choice":
            item["options"] = [list(o) for o in data["choice"].options]
        span = data.get("span")
        if span is not None:
            item["location"] = where(span)
        nodes.append(item)
    edges = []
    for u, v, key, data in graph.graph.edges(keys=True, data=True):
        edge: dict[str, Any] = {"from": u, "to": v, "kind": data["kind"]}
        if data["kind"] == "rule":
            rule: Rule = data["rule"]
            edge["rule"] = key
            edge["when"] = "otherwise" if rule.is_otherwise else describe_cond(rule.cond)
            edge["location"] = where(rule.span)
            if rule.rating:
                edge["rating"] = _rating_json(rule.rating)
            if rule.ratings and rule.rating is None:
                edge["action_ratings"] = [_rating_json(r) for r in rule.ratings]
            if rule.also_rated:
                edge["also_rated"] = [_rating_json(r) for r in rule.also_rated]
            if rule.unrated:
                edge["unrated"] = rule.unrated
            if rule.variant is not None:
                edge["variant"] = rule.variant
            if rule.reasons:
                edge["reasons"] = [{"action": x.action, "reason": x.reason} for x in rule.reasons]
            edge["citations"] = [{"source": c.source, "locator": c.locator} for c in rule.citations]
            if rule.reason:
                edge["reason"] = rule.reason
        elif data["kind"] == "option":
            edge["option"] = list(data["option"])
        edges.append(edge)
    return {
        "guideline": graph.model.name,
        "version": graph.model.version,
        "start": graph.start,
        "nodes": nodes,
        "edges": edges,
    }


def _rating_json(r: Rating) -> dict[str, Any]:
    out: dict[str, Any] = {"action": r.action} if r.action is not None else {}
    out.update({"category": r.category, "score": r.score, "disagreement": r.disagreement})
    return out


def diagram_outputs(graph: DecisionGraph, stamp: Stamp, root: str) -> dict[str, str]:
    """The Mermaid diagram of `graph` (`<guideline>.mmd`).

    An unverified diagram has a `%%` comment line that says so right after its first line.
    """
    warning = stamp.warning()
    mermaid = to_mermaid(graph)
    if warning is not None:  # after the diagram type, where every Mermaid version reads comments
        head, _, body = mermaid.partition("\n")
        mermaid = f"{head}\n%% {warning}\n{body}"
    return {f"{graph.model.name}.mmd": mermaid}
