"""The verification stamp every exporter writes into its header.

The build pass runs the verifier first and hands each exporter one `VerificationStamp`:
whether the pathway was verified, with which solver limits, and which properties were
proved. Exporters only read it (the JSON tables, the Python module and DMN share it).

`compiler` sits below `verify`, so the stamp holds plain data; `verify.stamp.stamp_of`
builds it from the verifier's reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

VerdictName = Literal["verified", "unverified"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SolverSettings:
    """The limits every Z3 query ran under (mirrors `verify.SolverOptions`)."""

    timeout_ms: int
    rlimit: int
    seed: int

    def to_json(self) -> dict[str, int]:
        return {"timeout_ms": self.timeout_ms, "rlimit": self.rlimit, "seed": self.seed}


@dataclass(frozen=True, slots=True, kw_only=True)
class VerificationStamp:
    """verified: every check was decided and none failed (warnings such as dead rules allowed).

    unverified: the verifier was not run (`solver` is None), or some check failed or was
    undecided; `proved` still lists the properties that were proved.
    """

    verdict: VerdictName
    solver: SolverSettings | None
    proved: tuple[str, ...] = field(default=())  # property names, in source order

    @staticmethod
    def unverified() -> VerificationStamp:
        """The stamp of a pathway that was not verified at all."""
        return VerificationStamp(verdict="unverified", solver=None, proved=())

    @property
    def verified(self) -> bool:
        return self.verdict == "verified"

    def to_json(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "solver": None if self.solver is None else self.solver.to_json(),
            "proved_properties": list(self.proved),
        }
