"""The decision graph: a networkx MultiDiGraph with stable, readable node ids.

Nodes (attribute `kind`):
  decision  `decision:NAME`        attrs: decision, title, hit_policy, span
  order     `order:DECISION.RULE`  attrs: actions (tuple), reveals (findings), rule, span
  end       `end:DISPOSITION`      attrs: disposition, title, disposition_kind, span
Edges (key = rule id for rule edges, "next" for the edge leaving an order step):
  rule      decision -> order|end|decision   attrs: rule (the model Rule), decision, index
  next      order -> decision|end

Loops bounded with `at most N visits` are unrolled: later visits get ids with an `@k`
suffix, and a path that would exceed the bound ends at `end:__revisit_limit__`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import networkx as nx

from dsl.model import Model, Rule

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
        index = {n: i for i, n in enumerate(self.graph.nodes)}
        return [str(n) for n in nx.lexicographical_topological_sort(self.graph, key=index.__getitem__)]

    def actions_of(self, node: str) -> tuple[str, ...]:
        data = self.graph.nodes[node]
        return tuple(data.get("actions", ()))
