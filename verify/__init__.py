"""veripath.verify: Z3 checks of compiled pathways.

  verify_graph(graph, options)  gaps, conflicts, redundant overlaps, masked and dead rules,
                                unreachable decisions/actions/dispositions, path properties
  run_examples(graph)           every `example` of the spec against the graph
  simulate(graph, patient)      one patient through the pathway
  tables.check_decision(...)    the decision checks of one table (benchmarks)
  baseline.check_decision_naive(...)  the same, one Z3 query per pair (benchmarks)

Every refuted check carries a Diagnostic whose `data` holds {"check", "verdict",
"patient", "path", "region"}; an undecided check is VP309, never a pass.
"""

from __future__ import annotations

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
