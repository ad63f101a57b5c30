"""The decision graph: a networkx MultiDiGraph with stable, readable node ids.

Nodes (attribute `kind`):
  decision  `decision:NAME`        attrs: decision, title, hit_policy, span
  order     `order:DECISION.RULE`  attrs: actions (tuple), reveals (findings), rule, span
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
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
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
