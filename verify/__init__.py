"""veripath.verify: Z3 checks of compiled pathways.

  verify_graph(graph, options)  gaps, conflicts, redundant overlaps, masked and dead rules,
                                unreachable decisions/actions/dispositions, path properties
  run_examples(graph)           every `example` of the spec against the graph
  simulate(graph, patient)      one patient through the pathway
  tables.check_decision(...)    the decision checks of one table (benchmarks)
  baseline.check_decision_naive(...)  the same, one Z3 query per pair (benchmarks)

Every refuted check carries a Diagnostic whose `data` holds {"check", "verdict",
"patient", "path", "region"}; an undecided check is VP309, never a pass.

Semantics the checks share:
- A patient is one value for every input and finding. A finding's value is fixed for
  the patient (ordering its action again in a loop reveals the same value), and a
  decision only reads findings its paths have ordered (the front end checks, VP208).
- Patients satisfy every assumption. "Can reach" means: along some path of the graph,
  every rule edge taken is one that applies (see `verify.reach` for each hit policy).
  Under `unique` and `any`, overlapping rules all apply (the overlap itself is reported).
- The revisit-limit node `end:__revisit_limit__` is not a disposition: reaching it breaks
  `always ends`; it also ends a path for `always eventually`.

Severities: gaps, conflicts, property violations, failed examples, undecided checks and
inconsistent assumptions are errors; redundant overlaps, masked and dead rules and
unreachable decisions, actions and dispositions are warnings.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verify.evaluate import MissingValue, evaluate, evaluate3
    from verify.examples import run_examples
    from verify.pathway import verify_graph
    from verify.results import DEFAULT_OPTIONS, DEFAULT_RLIMIT, CheckResult, Report, SolverOptions, Verdict
    from verify.simulate import Step, Trace, simulate

__all__ = [
    "DEFAULT_OPTIONS",
    "DEFAULT_RLIMIT",
    "CheckResult",
    "MissingValue",
    "Report",
    "SolverOptions",
    "Step",
    "Trace",
    "Verdict",
    "evaluate",
    "evaluate3",
    "run_examples",
    "simulate",
    "verify_graph",
]

# Loaded on first use: `import verify.results` (the CLI) must not import Z3.
_HOME = {
    "MissingValue": "verify.evaluate",
    "evaluate": "verify.evaluate",
    "evaluate3": "verify.evaluate",
    "run_examples": "verify.examples",
    "verify_graph": "verify.pathway",
    "DEFAULT_OPTIONS": "verify.results",
    "DEFAULT_RLIMIT": "verify.results",
    "CheckResult": "verify.results",
    "Report": "verify.results",
    "SolverOptions": "verify.results",
    "Verdict": "verify.results",
    "Step": "verify.simulate",
    "Trace": "verify.simulate",
    "simulate": "verify.simulate",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'verify' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """Keeps a function that shares its name with its submodule (`verify.simulate`) the
    package's attribute when the submodule is imported later, as the eager imports used to."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in _HOME and name == _HOME[name].rpartition(".")[2]:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
