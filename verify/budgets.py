"""The verifier's search budgets and tuning thresholds, in one place, each with its reason.

A budget bounds work that has an exact fallback: when the box search (`verify.uncovered`)
exceeds its budget it raises `BudgetExceeded` and the caller asks Z3 instead, so a budget
changes the time a check takes, never its verdict. Split work is counted in
`Uncovered.work`: for each piece popped, its candidate covers times the dimensions, plus one.
"""

from __future__ import annotations

# -- box search (verify.uncovered.Uncovered) -------------------------------------------------

SPLIT_WORK = 2_000_000
"""Default split work: ample for tables built by nested splits (near n log n), bounded for
tables whose covers straddle every cut, where Z3 with blocking does better."""

GAP_WORK_PER_RULE_DIM = 40
"""Extra gap-search work per (rule, dimension): the split does about n log n work on tables
built by nested splits, so large tables keep the box answer instead of falling back to Z3."""

MASKED_WORK = 200_000
"""Work to find the part of one rule's box that the pre-empting rules leave uncovered; run once
per live rule with pre-emptors (one Z3 query is the fallback), so it is a tenth of the default."""

PRIORITY_TIE_WORK = 100_000
"""Work to find the part of two overlapping equal-score rules that no higher-rated rule covers;
run per overlapping pair, so smaller still."""

MAX_PIECE_TRIES = 16
"""Uncovered pieces tried for a witness of a masked rule or a priority tie before asking Z3:
a piece without a witness lies outside the decision's context, and many such pieces mean the
context, not the boxes, decides."""

MAX_UNREACHABLE_PIECES = 64
"""Uncovered pieces outside the context before the gap search switches to Z3 with blocking:
each costs a Z3 query, and Z3 alone handles a context that excludes most pieces better."""


def gap_work(rules: int, dims: int) -> int:
    """The split work allowed for the gaps of a table with `rules` box rules over `dims` dimensions."""
    return SPLIT_WORK + GAP_WORK_PER_RULE_DIM * rules * max(1, dims)


# -- bitset index (verify.boxindex) ------------------------------------------------------------

PREFIX_BITS_PER_DIM = 16 << 23
"""Bits of prefix bitsets one ordered dimension may hold (16 MiB): each checkpoint stores two
bitsets of one bit per rule, so the checkpoints are capped by memory on very large tables."""

MIN_CHECKPOINTS = 256
"""Checkpoints kept even on huge tables: fewer would make range queries return large supersets."""

MAX_CHECKPOINTS = 2048
"""Checkpoints at most: one bitset is built per checkpoint, so this caps the time and memory
of building the index; with this many, a query's superset is already small."""

MASK_QUERIES = 64
"""Answers kept per enum or bool dimension of a `BoxIndex` (a value set -> the boxes that may meet
it): rules repeat their value sets, and each answer is an OR of one bitset per value."""

OVERLAP_GROUP = 4096
"""Boxes in a group of `overlapping_pairs` up to which the group's pairs are found with a bitset
index of its own (operations on integers of that many bits) rather than the group split further."""

POINT_ITEMS = 4096
"""Coordinates of number values kept per dimension of a `RuleBoxes` (a value -> its position among
the thresholds): replayed and simplified patients repeat values, and a new one costs a search."""

SMALL_BITSET = 256
"""Bit length up to which `iter_bits` peels the lowest bit (an operation on a small integer);
longer bitsets are scanned byte by byte, since peeling costs an operation on the whole integer."""

# -- counterexample simplification (verify.counterexample, verify.paths) -------------------

CANDIDATE_VALUES = 48
"""Simple values (0, integers near thresholds, short fractions) tried per number variable when
simplifying a counterexample: enough to reach a round value, few enough that each variable
costs a bounded number of evaluations."""

PROPERTY_IMPROVE_EVALS = 120
"""Evaluations spent on simplifying one property counterexample (each walks the product graph)."""

PROPERTY_IMPROVE_MIN_EVALS = 12
"""Evaluations always spent, however large the product: enough to round a few values."""

PROPERTY_IMPROVE_NODE_EVALS = 400_000
"""Product nodes visited in total while simplifying one property counterexample: on large
products each evaluation is a long walk, so the evaluations shrink as the product grows."""


def property_improve_budget(product_nodes: int) -> int:
    """Evaluations allowed for simplifying a property counterexample on a product of that size."""
    return max(
        PROPERTY_IMPROVE_MIN_EVALS,
        min(PROPERTY_IMPROVE_EVALS, PROPERTY_IMPROVE_NODE_EVALS // max(1, product_nodes)),
    )


MAX_STEPS_TRIES = 4
"""Known patients tried as `at most N steps` counterexamples before asking Z3: a patient that
already reaches a node past the bound refutes the property without a query."""

PROPERTY_SAMPLE_TRIES = 4
"""Known patients run through a property's product before asking Z3 (each run walks the product): a
sample patient reaching the node of a violation, with the property's condition true, often violates
the property, and then refutes it without a query (and without encoding the product)."""
