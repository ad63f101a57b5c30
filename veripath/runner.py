"""`veripath run`: one patient through the JSON tables, with the reasons.

The tables come from a spec (exported in memory, exactly as `build` writes them) or
from a built `<guideline>.json`; the patient is run by the reference evaluator
(`compiler.json_eval`), the same code an embedder would port. This module turns its
result into the report the command prints (text) or emits (JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from compiler.export_json import export_document
from compiler.json_eval import (
    ChoiceStep,
    DecisionStep,
    FactError,
    Given,
    OneOf,
    Order,
    OrderStep,
    Result,
    Step,
    Tables,
    explain,
    format_fact,
    run,
)
from compiler.locations import find_root
from compiler.stamp import Stamp
from dsl.diagnostics import did_you_mean
from dsl.units import UNITS, conversion_problem, factor_between, units_text
from veripath.pipeline import FileResult
from veripath.status import UserError

Json = dict[str, Any]


class RunInputError(UserError):
    """The command's input (facts, --given, the tables file) cannot be used: exit 2."""


def load_tables(source: str | FileResult) -> Tables:
    """Tables from a built `.json` file, or from a spec the front end compiled.

    A spec's tables are exported in memory exactly as `build` writes them (locations
    relative to the project root), marked unverified: `run` does not run the verifier.
    """
    if isinstance(source, str):
        try:
            return Tables.from_file(source)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RunInputError(f"cannot read tables from {source}: {exc}") from None
    assert source.graph is not None
    doc = export_document(source.graph, verification=Stamp.unverified(), root=find_root(source.source_path))
    return Tables(json.loads(json.dumps(doc)))


def parse_given(tables: Tables, items: Sequence[str]) -> dict[str, object]:
    """`name=value` pairs as JSON-like facts: true/false for bools, text for the rest; a finding's
    results in order as `name=first then second` (as examples write them)."""
    out: dict[str, object] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name:
            raise RunInputError(f"--given expects name=value, not {item!r}")
        var = tables.variables.get(name)
        parts = [p.strip() for p in text.split(" then ")] if " then " in text else [text]
        values = [_given_value(name, var, p) for p in parts]
        out[name] = values if len(values) > 1 else values[0]
    return out


_QUANTITY = re.compile(r"\s*(-?[0-9]+(?:\.[0-9]+|/[0-9]+)?)\s*([A-Za-z%]\S*)\s*")


def with_units(tables: Tables, given: Mapping[str, object]) -> dict[str, object]:
    """Facts with numbers given in a unit (`"50 mm"`, `"2 weeks"`) in the unit of their input or
    finding, exactly (`"5"` for an input in cm); RunInputError when the unit does not convert."""
    out: dict[str, object] = {}
    for name, value in given.items():
        if isinstance(value, list):  # a finding's results: each in the finding's unit
            out[name] = [with_units(tables, {name: v})[name] for v in value]
            continue
        var = tables.variables.get(name)
        found = _QUANTITY.fullmatch(value) if isinstance(value, str) else None
        if var is not None and var["type"] in ("number", "integer") and found is not None:
            number, unit = found.groups()
            declared = var.get("unit")
            if unit not in UNITS:
                close = did_you_mean(unit, list(UNITS))
                raise RunInputError(
                    f"'{name}': unknown unit '{unit}'; {close + ' ' if close else ''}the units are: {units_text()}"
                )
            if declared is None:
                raise RunInputError(f"'{name}' has no unit, but the value is in {unit}")
            factor = factor_between(unit, declared)
            if factor is None:
                raise RunInputError(f"'{name}' is measured in {declared}; {conversion_problem(unit, declared)}")
            value = str(Fraction(number) * factor)
        out[name] = value
    return out


def _given_value(name: str, var: Json | None, text: str) -> object:
    if var is not None and var["type"] == "bool":
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise RunInputError(f"'{name}' is true or false, not {text!r}")
        return lowered == "true"
    return text


def read_facts(path: str) -> dict[str, object]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as exc:
        raise RunInputError(f"cannot read facts from {path}: {exc}") from None
    if not isinstance(data, dict):
        raise RunInputError(f"{path}: facts are a JSON object of name: value")
    return data


# ---- the report ------------------------------------------------------------------------------


def _truth(value: bool | None) -> str:
    return "unknown" if value is None else ("true" if value else "false")


def units_of(tables: Tables) -> dict[str, str | None]:
    """The declared unit of every input and finding (None where it has none)."""
    return {name: var.get("unit") for name, var in tables.variables.items()}


def report(tables: Tables, given: Mapping[str, object]) -> tuple[Json, dict[str, Given]]:
    """Run the patient (numbers may carry a unit: `with_units`); the run as plain JSON data, and the checked facts."""
    given = with_units(tables, given)
    try:
        facts = tables.facts(given)
        result = run(tables, given)
    except FactError as exc:
        raise RunInputError(str(exc)) from None
    doc = tables.doc
    data = {
        "guideline": doc["guideline"]["name"],
        "verification": doc["header"]["verification"]["verdict"],
        "status": result.status,
        "end": _end(tables, result),
        "orders": [_order(tables, a) for a in result.orders],
        "path": [_step(tables, s) for s in result.steps],
        "needs": _needs(tables, result),
        "violated_assumptions": [_assumption(tables, i) for i in result.violated_assumptions],
    }
    return data, facts


def _end(tables: Tables, result: Result) -> Json | None:
    if result.end is None:
        return None
    d = tables.dispositions[result.end]
    return {"name": d["name"], "title": d["title"], "kind": d["kind"], "within": d["within"]}


def _order(tables: Tables, item: Order) -> Json:
    """An ordered action, or a choice `{"one_of": [[action, ...], ...]}` (the clinician takes one option)."""
    if isinstance(item, OneOf):
        return {"one_of": [[_action(tables, a) for a in option] for option in item.options]}
    return _action(tables, item)


def _action(tables: Tables, name: str) -> Json:
    a = tables.actions[name]
    keys = ("name", "title", "kind", "modality", "contrast", "cross_sectional", "radiation")
    return {k: a[k] for k in (*keys, "pediatric_radiation", "urgency", "within")}


def _step(tables: Tables, step: Step) -> Json:
    if isinstance(step, OrderStep):
        return {"kind": "order", "node": step.node, "actions": list(step.actions), "reveals": list(step.reveals)}
    if isinstance(step, ChoiceStep):
        return {
            "kind": "choice",
            "node": step.node,
            "rule": step.rule,
            "orders": [a if isinstance(a, str) else {"one_of": [list(o) for o in a.options]} for a in step.orders],
            "options": [{"node": o.node, "actions": list(o.actions), "reveals": list(o.reveals)} for o in step.options],
            "reveals": list(step.reveals),
        }
    return _decision(tables, step)


def _decision(tables: Tables, step: DecisionStep) -> Json:
    facts = step.seen  # each finding's latest result
    decision = tables.decisions[step.decision]
    rules: list[Json] = []
    for rule, value in zip(decision["rules"], step.choice.values, strict=True):
        if rule["otherwise"]:
            conditions = [{"text": "no earlier rule matches", "value": value.value}]
        else:
            conditions = [{"text": text, "value": v} for text, v in explain(rule["condition"], facts)]
        rules.append({"id": rule["id"], "value": value.value, "missing": list(value.missing), "conditions": conditions})
    out: Json = {
        "kind": "decision",
        "node": step.node,
        "decision": decision["name"],
        "title": decision["title"],
        "hit_policy": decision["hit_policy"],
        "rule": step.rule,
        "status": "applied" if step.rule is not None else step.choice.status,
        "conflicting": list(step.choice.conflicting),
        "rules": rules,
    }
    variant = _variant(tables, step.rule)
    if variant is not None:  # the rule that applies is in a published variant
        out["variant"] = variant
    return out


def _variant(tables: Tables, rule_id: str | None) -> Json | None:
    """The variant of a rule (name, title, and its rating of each action the rule orders), if it has one."""
    rule = tables.rules.get(rule_id) if rule_id is not None else None
    name = rule.get("variant") if rule is not None else None
    if rule is None or name is None:
        return None
    table = next(v for v in tables.doc.get("variants", ()) if v["name"] == name)
    return {"name": name, "title": table["title"], "ratings": rule["action_ratings"]}


def _needs(tables: Tables, result: Result) -> list[Json]:
    out = []
    for name in result.needs:
        var = tables.variables[name]
        revealed_by = var.get("revealed_by")
        item: Json = {
            "name": name,
            "title": var["title"],
            "kind": "finding" if revealed_by else "input",
            "revealed_by": revealed_by,
            "ordered": _ordered(result, revealed_by) if revealed_by else None,
            "values": var.get("values"),
            "unit": var.get("unit"),
        }
        if revealed_by and result.result_needed(name) > 1:  # a repeated study: its k-th result
            item["result"] = result.result_needed(name)
        out.append(item)
    return out


def _ordered(result: Result, action: str) -> bool:
    """Whether the run orders the action whatever option the clinician takes at each choice."""
    return any(a == action if isinstance(a, str) else all(action in o for o in a.options) for a in result.orders)


def _assumption(tables: Tables, index: int) -> Json:
    a = tables.doc["assumptions"][index]
    return {"title": a["title"], "location": a["location"]}


def _label(rule_id: str) -> str:
    return rule_id.partition(".")[2]


def _ordered_action(data: Json, name: str) -> Json:
    actions = [a for o in data["orders"] for a in ([o] if "name" in o else [x for opt in o["one_of"] for x in opt])]
    action: Json = next(a for a in actions if a["name"] == name)
    return action


def _option_text(option: list[str]) -> str:
    return option[0] if len(option) == 1 else "(" + ", ".join(option) + ")"


def _choice_lines(data: Json, step: Json) -> list[str]:
    """A rule's order list with its choice: the plain orders, then the options and each action once."""
    lines: list[str] = []
    for item in step["orders"]:
        if isinstance(item, str):
            lines.append(_order_line(_ordered_action(data, item)))
            continue
        options = ", ".join(_option_text(o) for o in item["one_of"])
        lines.append(f"order one of {{{options}}} (the clinician takes one option):")
        for name in dict.fromkeys(a for o in item["one_of"] for a in o):
            lines.append("  " + _order_line(_ordered_action(data, name))[len("order ") :])
    return lines


def _decision_lines(d: Json) -> list[str]:
    lines = [f"decision {d['decision']} ({d['title']}), hit policy {d['hit_policy']}"]
    for r in d["rules"]:
        mark = "->" if r["id"] == d["rule"] else "  "
        lines.append(f"  {mark} rule {_label(r['id'])}: {_truth(r['value'])}")
        for c in r["conditions"]:
            lines.append(f"       {_truth(c['value']):<7} {c['text']}")
        if r["missing"] and r["value"] is None:
            lines.append(f"       needs   {', '.join(r['missing'])}")
    if d["rule"] is not None:
        lines.append(f"  rule {_label(d['rule'])} applies")
        if "variant" in d:
            v = d["variant"]
            lines.append(f"  in variant {v['name']}: {v['title']}")
            for r in v["ratings"]:
                score = f" {r['score']}" if r["score"] is not None else ""
                flag = " disagreement" if r["disagreement"] else ""
                lines.append(f"    {r['action']} rated {r['category']}{score}{flag}")
    elif d["status"] == "conflict":
        names = " and ".join(_label(r) for r in d["conflicting"])
        lines.append(f"  stops: rules {names} match with different outcomes")
    elif d["status"] == "gap":
        lines.append("  stops: no rule matches")
    else:
        lines.append("  stops: facts needed")
    return lines


def _order_line(a: Json) -> str:
    meta = [a["kind"]]
    meta += [f"{k} {a[k]}" for k in ("modality", "contrast", "radiation", "urgency") if a[k]]
    if a["cross_sectional"]:
        meta.append("cross-sectional")
    if a["within"]:
        meta.append(f"within {a['within']['amount']} {a['within']['unit']}")
    return f"order {a['name']}: {a['title']} [{', '.join(meta)}]"


_VERDICTS = {
    "verified": "verified tables",
    "skipped": "not verified: run 'veripath check' for that",
    "refuted": "UNVERIFIED tables: verification found problems",
    "unknown": "UNVERIFIED tables: some checks were not decided",
}


def _fact_text(v: Given, unit: str | None) -> str:
    """A fact as text, a number with its unit (`5 cm`, `45 mL/min/1.73m2`); a finding's several
    results `nondiagnostic then benign`."""
    if isinstance(v, tuple):
        return " then ".join(_fact_text(x, unit) for x in v)
    text = format_fact(v)
    return f"{text} {unit}" if unit is not None and isinstance(v, Fraction) else text


def render_text(data: Json, facts: Mapping[str, Given], units: Mapping[str, str | None] | None = None) -> str:
    """The report as text: each decision and why, the orders, the disposition, what is still needed
    (`units`: the unit of each numeric input and finding, shown beside its facts)."""
    units = units or {}
    lines = [f"guideline {data['guideline']} ({_VERDICTS.get(data['verification'], data['verification'])})"]
    if facts:
        lines.append("facts: " + ", ".join(f"{k} = {_fact_text(v, units.get(k))}" for k, v in facts.items()))
    for a in data["violated_assumptions"]:
        title = f" '{a['title']}'" if a["title"] else ""
        lines.append(f"warning: the facts break the assumption{title} ({a['location']})")
    for step in data["path"]:
        if step["kind"] == "order":
            for a in step["actions"]:
                lines.append(_order_line(_ordered_action(data, a)))
        elif step["kind"] == "choice":
            lines.extend(_choice_lines(data, step))
        else:
            lines.extend(_decision_lines(step))
    if data["end"] is not None:
        e = data["end"]
        within = f", within {e['within']['amount']} {e['within']['unit']}" if e["within"] else ""
        lines.append(f"end {e['name']}: {e['title']} [{e['kind']}{within}]")
    elif data["status"] == "revisit_limit":
        lines.append("stops: the revisit limit of a bounded loop is reached without a disposition")
    for n in data["needs"]:
        if n["kind"] == "input":
            source = "input"
        elif "result" in n:  # a study ordered again: its latest result
            source = f"result {n['result']} of {n['revealed_by']}, ordered again"
        else:
            source = f"finding of {n['revealed_by']}" + (" (ordered)" if n["ordered"] else " (not yet ordered)")
        values = f": {' | '.join(n['values'])}" if n["values"] else f" (in {n['unit']})" if n["unit"] else ""
        lines.append(f"needs {n['name']} ({source}){values}")
    return "\n".join(lines) + "\n"
