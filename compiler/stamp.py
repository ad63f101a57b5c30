"""What every exporter is told about the verification of the graph it writes.

`veripath build` writes only verified pathways, unless `--unverified` asks it to build
anyway; then every output must say so, in the way its format allows (a field of a JSON
file, a comment line of a diagram or a module). Each exporter receives a `Stamp`: the
verdict, and, when the verifier ran, the solver limits it ran under and the properties
it proved (the JSON tables carry both in their header).

`compiler` sits below `verify`, so the stamp holds plain data; `verify.stamp.stamp_of`
builds a complete one from the verifier's reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

VerdictName = Literal["verified", "refuted", "unknown", "skipped"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SolverSettings:
    """The limits every Z3 query ran under (mirrors `verify.SolverOptions`)."""

    timeout_ms: int
    rlimit: int
    seed: int

    def to_json(self) -> dict[str, int]:
        return {"timeout_ms": self.timeout_ms, "rlimit": self.rlimit, "seed": self.seed}


@dataclass(frozen=True, slots=True, kw_only=True)
class Stamp:
    """verified: every check was proved and every example passed.

    verdict: "verified"; "refuted" (a check failed or an example gave another answer);
    "unknown" (some check was not decided); "skipped" (the verifier did not run).
    solver: the limits of the verifier's queries (None when it did not run).
    proved: the names of the properties that were proved, in source order.
    """

    verdict: VerdictName
    solver: SolverSettings | None = None
    proved: tuple[str, ...] = ()

    @staticmethod
    def unverified() -> Stamp:
        """The stamp of a pathway that was not verified at all."""
        return Stamp(verdict="skipped")

    @property
    def verified(self) -> bool:
        return self.verdict == "verified"

    def warning(self) -> str | None:
        """One line for a comment at the top of an unverified output; None when verified."""
        if self.verified:
            return None
        return f"UNVERIFIED ({self.verdict}): built with --unverified; do not use this pathway for patients"

    def to_json(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "solver": None if self.solver is None else self.solver.to_json(),
            "proved_properties": list(self.proved),
        }


# The name the exporters' brief used; one class.
VerificationStamp = Stamp

VERIFIED = Stamp(verdict="verified")
