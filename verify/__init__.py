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
- A patient is one value for every input and for every result of every finding: each
  order of a study reveals a fresh result (the k-th under `dsl.model.result_key`), and a
  decision reads the latest result on its path (the graph's copies of decisions, in its
  `fresh_model`, say which); a decision only reads findings its paths have ordered (the
  front end checks, VP208).
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

from typing import TYPE_CHECKING

from dsl.lazy import lazy_names

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

__getattr__ = lazy_names(__name__, _HOME)
