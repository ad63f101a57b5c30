"""The decision graph: a networkx MultiDiGraph with stable, readable node ids.

Nodes (attribute `kind`):
  decision  `decision:NAME`        attrs: decision, title, hit_policy, span
                                   [latest, table: see repeated studies below]
  order     `order:DECISION.RULE`  attrs: actions (tuple), reveals (findings), rule, span
                                   [results: see repeated studies below]
            `order:DECISION.RULE/OPTION`  one per option of a choice (OPTION: its actions
                                   joined by '+'); also attrs option (its actions), choice (node)
  choice    `choice:DECISION.RULE` attrs: rule, choice (the model Choice), span
  end       `end:DISPOSITION`      attrs: disposition, title, disposition_kind, span
Edges (key = rule id for rule edges, "next" for the edge leaving an order step, the option's
label for an option edge):
  rule      decision -> order|choice|end|decision   attrs: rule (the model Rule), decision, index
  option    choice -> order        attrs: option (the actions of the option); no condition: the
                                   clinician takes one option, and every property must hold for each
  next      order -> decision|end

Loops bounded with `at most N visits` are unrolled: later visits get ids with an `@k`
suffix, and a path that would exceed the bound ends at `end:__revisit_limit__`.

Repeated studies: every order of an action reveals a fresh result of its findings. When
some path orders an action with findings twice (a *repeated study*), nodes also count the
orders of each repeated study on the way to them, and are split where paths disagree
(`decision:review@1+us_plain=2`: the second visit, after two ultrasounds). Such a graph
carries `fresh`, the model with one variable per result (`dsl.model.result_key`); a
decision node after the k-th order (k >= 2) has `latest` ((finding, result key), ...) and,
when its decision reads one of them, `table`: the key of the copy of the decision that
reads the latest results (`Model.latest_copies`); an order node has `results`, the result keys
it reveals. A spec that orders no study twice gets exactly the graph it always had.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from dsl.model import Choice, Model, Rule, option_text

LIMIT_NODE = "end:__revisit_limit__"


@dataclass(frozen=True, slots=True)
class DecisionGraph:
    model: Model
    graph: Any  # networkx.MultiDiGraph (networkx ships no type hints)
    start: str
    # With repeated studies: the model with a variable per result and a copy of each decision
    # per set of latest results it reads (see the module docstring); None when no study repeats.
    fresh: Model | None = None

    @property
    def fresh_model(self) -> Model:
        """The model patients are evaluated in: one variable per result of each finding, and the
        decisions' copies that read later results (the spec's model when no study repeats)."""
        return self.fresh if self.fresh is not None else self.model

    def table_key(self, node: str) -> str:
        """The decision a decision node applies, as a key of `fresh_model.decision`: the
        decision's name, or the key of its copy reading later results."""
        data = self.graph.nodes[node]
        return str(data.get("table", data["decision"]))

    def as_read_at(self, node: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Values keyed by result (`us_result#2`) as the decision at `node` reads them: each finding
        its latest result there (left out when it is not given)."""
        out = dict(values)
        for finding, key in self.graph.nodes[node].get("latest", ()):
            if key in values:
                out[finding] = values[key]
            else:
                out.pop(finding, None)
        return out

    def results_of(self, order_node: str) -> tuple[str, ...]:
        """The results an order node reveals, as result keys (`us_result`, `us_result#2`)."""
        data = self.graph.nodes[order_node]
        return tuple(data.get("results", data.get("reveals", ())))

    def kind(self, node: str) -> str:
        return str(self.graph.nodes[node]["kind"])

    def attrs(self, node: str) -> dict[str, Any]:
        return dict(self.graph.nodes[node])

    def decision_nodes(self) -> list[str]:
        return [n for n, k in self.graph.nodes(data="kind") if k == "decision"]

    def end_nodes(self) -> list[str]:
        return [n for n, k in self.graph.nodes(data="kind") if k == "end"]

    def order_nodes(self) -> list[str]:
        return [n for n, k in self.graph.nodes(data="kind") if k == "order"]

    def option_nodes(self, choice_node: str) -> list[str]:
        """The order step of each option of a choice node, in the options' order."""
        return [str(t) for t in self.graph.successors(choice_node)]

    def past_orders(self, node: str) -> str:
        """Where a rule edge's target leads once its orders are placed: the node itself, unless it is
        an order step or a choice (every option of a choice leads to the same node)."""
        kind = self.kind(node)
        if kind == "choice":
            node = self.option_nodes(node)[0]
            kind = "order"
        return self.next_node(node) if kind == "order" else node

    def rule_edges(self, node: str) -> Iterator[tuple[str, Rule]]:
        """(target, rule) for each rule of a decision node, in rule order.

        networkx groups out-edges by target node, so the order is restored explicitly."""
        edges = [(t, d["rule"]) for _, t, d in self.graph.out_edges(node, data=True) if d.get("kind") == "rule"]
        yield from sorted(edges, key=lambda edge: edge[1].index)

    def next_node(self, order_node: str) -> str:
        (target,) = list(self.graph.successors(order_node))
        return str(target)

    def topological_order(self) -> list[str]:
        """Nodes so that every edge goes forward; ties broken by insertion order."""
        # Kahn's algorithm taking the earliest-inserted ready node first: the order of
        # `nx.lexicographical_topological_sort(graph, key=insertion index)`, without its per-edge cost
        # on multigraphs (a table's parallel rule edges count once per pair of nodes here)
        succ = self.graph.succ
        index = {n: i for i, n in enumerate(succ)}
        waiting = {n: len(preds) for n, preds in self.graph.pred.items()}
        ready = [index[n] for n, k in waiting.items() if k == 0]
        heapq.heapify(ready)
        nodes = list(succ)
        out: list[str] = []
        while ready:
            node = nodes[heapq.heappop(ready)]
            out.append(str(node))
            for child in succ[node]:
                waiting[child] -= 1
                if waiting[child] == 0:
                    heapq.heappush(ready, index[child])
        if len(out) != len(nodes):
            raise nx.NetworkXUnfeasible("the graph has a cycle")
        return out

    def order_text(self, node: str) -> str:
        """An order step as paths show it; an option of a choice says so:
        `order radiograph (chosen from one of {radiograph, us_plain})`."""
        data = self.graph.nodes[node]
        text = "order " + ", ".join(data["actions"])
        option = data.get("option")
        if option is None:
            return text
        choice: Choice = self.graph.nodes[data["choice"]]["choice"]
        taken = "" if tuple(data["actions"]) == tuple(option) else f"{option_text(option)} "
        return f"{text} ({taken}chosen from {choice.describe()})"

    def actions_of(self, node: str) -> tuple[str, ...]:
        data = self.graph.nodes[node]
        return tuple(data.get("actions", ()))
