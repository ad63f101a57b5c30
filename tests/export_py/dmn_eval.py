"""A tiny evaluator for the DMN that veripath writes: S-FEEL unary tests, the four hit policies,
input expressions that are a name or a linear FEEL expression (`size_cm - 2 * depth_cm`), and a
walk through the pathway (start and loop bounds from the veripath extension element)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/", "vp": "urn:veripath:dmn"}


@dataclass(frozen=True)
class Table:
    policy: str
    columns: tuple[str, ...]
    rules: tuple[tuple[tuple[str, ...], dict[str, str]], ...]  # (input entries, outputs)


def _test(entry: str, value: Any) -> bool:
    if entry == "-":
        return True
    for part in _split(entry):
        if part in ("true", "false"):
            if value is (part == "true"):
                return True
        elif part.startswith('"'):
            if value == json.loads(part):
                return True
        elif part[0] in "[(":
            lo, hi = part[1:-1].split("..")
            x = Fraction(value)
            ok_lo = x >= Fraction(lo) if part[0] == "[" else x > Fraction(lo)
            ok_hi = x <= Fraction(hi) if part[-1] == "]" else x < Fraction(hi)
            if ok_lo and ok_hi:
                return True
        elif not isinstance(value, bool | str) and Fraction(value) == Fraction(part):
            return True
    return False


_TOKEN = re.compile(r"\s*(?:(?P<num>[0-9]+(?:\.[0-9]+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*]))")


def value_of(expression: str, facts: Mapping[str, Any]) -> Any:
    """An input expression's value: a fact, or a sum of `[number *] name` terms and numbers."""
    if expression in facts:
        return facts[expression]
    total, sign, factor = Fraction(0), 1, Fraction(1)
    pos = 0
    while pos < len(expression):
        tok = _TOKEN.match(expression, pos)
        assert tok is not None, expression
        pos = tok.end()
        if tok.group("op") in ("+", "-"):
            sign = 1 if tok.group("op") == "+" else -1
        elif tok.group("op") == "*":
            continue
        elif tok.group("num") is not None:
            nxt = _TOKEN.match(expression, pos)
            if nxt is not None and nxt.group("op") == "*":
                factor = Fraction(tok.group("num"))
            else:
                total += sign * Fraction(tok.group("num"))
        else:
            total += sign * factor * Fraction(facts[tok.group("name")])
            factor = Fraction(1)
    return total


def _split(entry: str) -> list[str]:
    out: list[str] = []
    cur, quoted = "", False
    for ch in entry:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            out.append(cur)
            cur = ""
            continue
        cur += ch
    out.append(cur)
    return out


def _item(text: str) -> Any:
    """An entry of the `orders` output: an action, or a choice `{a|b+c}` as its options."""
    if not text.startswith("{"):
        return text
    return tuple(tuple(o.split("+")) for o in text[1:-1].split("|"))


class Dmn:
    def __init__(self, text: str) -> None:
        root = ET.fromstring(text)
        pathway = root.find("dmn:extensionElements/vp:pathway", NS)
        assert pathway is not None
        self.start = pathway.attrib["start"]
        self.visits = {v.attrib["decision"]: int(v.attrib["max"]) for v in pathway.findall("vp:visits", NS)}
        # action -> the findings each order of it reveals afresh (only when some path repeats a study)
        self.reveals: dict[str, list[str]] = {}
        for r in pathway.findall("vp:reveals", NS):
            self.reveals.setdefault(r.attrib["action"], []).append(r.attrib["finding"])
        self.tables: dict[str, Table] = {}
        for dec in root.findall("dmn:decision", NS):
            table = dec.find("dmn:decisionTable", NS)
            assert table is not None
            cols = tuple(str(e.text) for e in table.findall("dmn:input/dmn:inputExpression/dmn:text", NS))
            outs = [o.attrib["name"] for o in table.findall("dmn:output", NS)]
            rules = []
            for r in table.findall("dmn:rule", NS):
                ins = tuple(str(e.text) for e in r.findall("dmn:inputEntry/dmn:text", NS))
                vals = [str(e.text) for e in r.findall("dmn:outputEntry/dmn:text", NS)]
                rules.append((ins, dict(zip(outs, vals, strict=True))))
            self.tables[dec.attrib["name"]] = Table(table.attrib["hitPolicy"], cols, tuple(rules))

    def decide(self, name: str, facts: Mapping[str, Any]) -> dict[str, str] | str:
        """The outputs of the rule that applies (complete facts), or 'no_rule' / 'conflict'."""
        t = self.tables[name]
        values = [value_of(c, facts) for c in t.columns]
        hits = [out for ins, out in t.rules if all(_test(e, v) for e, v in zip(ins, values, strict=True))]
        if not hits:
            return "no_rule"
        if t.policy == "FIRST":
            return hits[0]
        if t.policy == "PRIORITY":
            top = max(int(h["score"]) for h in hits)
            hits = [h for h in hits if int(h["score"]) == top]
        if len({(h["orders"], h["next"], h["end"]) for h in hits}) > 1:
            return "conflict"
        return hits[0]

    def walk(self, facts: Mapping[str, Any]) -> tuple[Any, ...]:
        """(orders, disposition, problem, rule ids) for complete facts (a finding of a repeated
        study: a tuple of its results, one per order; each table gets the latest)."""
        name = self.start
        orders: list[Any] = []  # an action, or a choice: the (sorted) tuple of its options
        rules: list[str] = []
        counts: dict[str, int] = {}
        revealed: dict[str, int] = {}
        while True:
            counts[name] = counts.get(name, 0) + 1
            if name in self.visits and counts[name] > self.visits[name]:
                return (tuple(orders), None, "revisit_limit", tuple(rules))
            seen = {k: (v[max(revealed.get(k, 0), 1) - 1] if isinstance(v, tuple) else v) for k, v in facts.items()}
            out = self.decide(name, seen)
            if isinstance(out, str):
                return (tuple(orders), None, out, tuple(rules))
            rules.append(json.loads(out["rule"]))
            acts = json.loads(out["orders"])
            items = [_item(a) for a in acts.split(",")] if acts else []
            orders += items
            for item in items:  # a choice: every option orders a repeated study as often, count the first
                for a in [item] if isinstance(item, str) else item[0]:
                    for f in self.reveals.get(a, []):
                        revealed[f] = revealed.get(f, 0) + 1
            end = json.loads(out["end"])
            if end:
                return (tuple(orders), end, None, tuple(rules))
            name = json.loads(out["next"])
