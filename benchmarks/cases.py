"""The benchmark cases: what each measures, and the plans (`--quick`, the full run)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # table | pathway | cli
    n: int = 0  # table: rules
    k: int = 0  # table: inputs
    policy: str = "unique"  # table: unique (gaps, conflicts) | first (gaps, masked rules)
    finite: bool = False  # table: enumerations and booleans only
    d: int = 0  # pathway: decisions
    seed: int = 0
    naive: str = "auto"  # auto (full when small) | full | sample | both | off
    brute: bool = True  # brute force when the enumerated space is small enough
    repeats: int = 3  # fast verifier runs (median reported)
    runs: int = 7  # cli: cold runs
    target: str = ""  # the target of issue #3 this case checks (T1..T4)
    timeout_s: int = 600

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> Case:
        return Case(**data)


def table_case(n: int, k: int, policy: str = "unique", *, finite: bool = False, **kw: Any) -> Case:
    cid = f"table-{n}x{k}-{policy}{'-finite' if finite else ''}"
    return Case(id=cid, kind="table", n=n, k=k, policy=policy, finite=finite, **kw)


def pathway_case(d: int, **kw: Any) -> Case:
    return Case(id=f"pathway-{d}", kind="pathway", d=d, **kw)


TARGETS: dict[str, str] = {
    "T1": "5,000 rules x 7 inputs: all gaps, conflicts and masked rules found in < 2 s, >= 50x faster than naive",
    "T2": "50,000 rules x 10 inputs: < 30 s",
    "T3": "pathway of 500 decisions, > 10^9 paths: all properties decided in < 10 s",
    "T4": "`veripath check specs/` < 1.5 s wall time from a cold start",
    "MEM": "peak memory < 2 GiB in all of these",
}

FULL: list[Case] = [
    table_case(10, 3),
    table_case(100, 5),
    table_case(100, 5, "first"),
    table_case(1000, 7, naive="both"),
    table_case(1000, 7, "first", naive="both"),
    table_case(5000, 7, target="T1"),
    table_case(5000, 7, "first", target="T1"),
    table_case(5000, 12),
    table_case(10000, 10, repeats=1),
    table_case(50000, 10, target="T2", repeats=1),
    table_case(50000, 10, "first", target="T2", repeats=1),
    table_case(50000, 12, repeats=1),
    table_case(1000, 7, finite=True),
    table_case(5000, 7, finite=True),
    table_case(5000, 7, "first", finite=True),
    pathway_case(10),
    pathway_case(20),
    pathway_case(50),
    pathway_case(100),
    pathway_case(500, target="T3"),
    pathway_case(1000, repeats=1),
    pathway_case(2000, repeats=1),
    Case(id="cli-check-specs", kind="cli", target="T4", runs=7),
]

QUICK: list[Case] = [
    table_case(10, 3, repeats=1),
    table_case(100, 5, "first", repeats=1),
    table_case(300, 5, finite=True, repeats=1),
    pathway_case(10, repeats=1),
    pathway_case(40, repeats=1),
]


_TABLE = re.compile(r"^(?:t|table-)?(\d+)x(\d+)(?:-(unique|first))?(-finite)?$")
_PATH = re.compile(r"^(?:d|pathway-)(\d+)$")


def parse_size(token: str) -> list[Case]:
    """`5000x7` (unique and first), `5000x7-first`, `300x5-finite`, `d500`, `cli`, or a case id."""
    for case in [*FULL, *QUICK]:
        if case.id == token:
            return [case]
    if token == "cli":
        return [c for c in FULL if c.kind == "cli"]
    hit = _TABLE.match(token)
    if hit:
        n, k = int(hit.group(1)), int(hit.group(2))
        finite = bool(hit.group(4))
        policies = [hit.group(3)] if hit.group(3) else ["unique", "first"]
        out = []
        for policy in policies:
            known = [c for c in FULL if c.kind == "table" and (c.n, c.k, c.policy, c.finite) == (n, k, policy, finite)]
            out.append(known[0] if known else table_case(n, k, policy, finite=finite, repeats=1 if n > 5000 else 3))
        return out
    hit = _PATH.match(token)
    if hit:
        d = int(hit.group(1))
        known = [c for c in FULL if c.kind == "pathway" and c.d == d]
        return [known[0] if known else pathway_case(d)]
    raise ValueError(f"unknown size {token!r}: use e.g. 5000x7, 5000x7-first, 300x5-finite, d500, cli")
