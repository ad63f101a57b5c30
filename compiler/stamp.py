"""What every exporter is told about the verification of the graph it writes.

`veripath build` writes only verified pathways, unless `--unverified` asks it to build
anyway; then every output must say so, in the way its format allows (a field of a JSON
file, a comment line of a diagram or a module). Each exporter receives a `Stamp`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

VerdictName = Literal["verified", "refuted", "unknown", "skipped"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Stamp:
    """verified: every check was proved and every example passed.

    verdict: "verified"; "refuted" (a check failed or an example gave another answer);
    "unknown" (some check was not decided); "skipped" (the verifier did not run).
    """

    verdict: VerdictName
    # The checks that were proved (e.g. "property:biopsy_after_imaging"), sorted.
    proved: tuple[str, ...] = ()
    # The solver's limits for every query: (("rlimit", n), ("seed", n), ("timeout_ms", n)).
    solver: tuple[tuple[str, int], ...] = ()

    @property
    def verified(self) -> bool:
        return self.verdict == "verified"

    def warning(self) -> str | None:
        """One line for a comment at the top of an unverified output; None when verified."""
        if self.verified:
            return None
        return f"UNVERIFIED ({self.verdict}): built with --unverified; do not use this pathway for patients"


VERIFIED = Stamp(verdict="verified")
