"""The registry of stable diagnostic codes. A code is never reused or renumbered.

VP1xx syntax and reading, VP2xx semantics, VP3xx verification, VP4xx export.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Stage(enum.Enum):
    """The pipeline stage a code belongs to; the exit policy is decided from it, never from the code's text."""

    READ = "read"  # reading files and syntax (VP1xx)
    SEMANTICS = "semantics"  # names, types, units, well-formedness (VP2xx)
    VERIFY = "verify"  # verification findings (VP3xx)
    EXPORT = "export"  # writing outputs (VP4xx)


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    slug: str
    summary: str

    @property
    def stage(self) -> Stage:
        return _STAGES[self.code[:3]]


# The number ranges of the registry (module docstring); the one place that reads a code's digits.
_STAGES = {"VP1": Stage.READ, "VP2": Stage.SEMANTICS, "VP3": Stage.VERIFY, "VP4": Stage.EXPORT}


_ALL: tuple[Code, ...] = (
    # -- reading and syntax --------------------------------------------------
    Code(
        "VP100",
        "unreadable-file",
        "The file or folder cannot be read (missing, a directory, no permission).",
    ),
    Code("VP101", "bad-encoding", "The file is not valid UTF-8 text."),
    Code("VP102", "unexpected-character", "A character that cannot start any token of the language."),
    Code("VP103", "unexpected-token", "A token the grammar does not allow at this point."),
    Code("VP104", "unexpected-eof", "The file ends in the middle of a declaration."),
    Code(
        "VP105",
        "too-large",
        "The file is too large or an expression is nested too deeply to process.",
    ),
    Code(
        "VP106",
        "binary-file",
        "The file contains NUL bytes or control characters: it is not a spec.",
    ),
    Code("VP107", "bad-string", "A string literal contains an invalid escape sequence."),
    Code("VP110", "import-not-found", "An imported file does not exist."),
    Code("VP111", "import-cycle", "Files import each other in a cycle."),
    Code("VP112", "import-not-catalogue", "Only catalogue files (no decisions) can be imported."),
    # -- semantics ----------------------------------------------------------
    Code("VP201", "undefined-name", "A name is used but never declared."),
    Code("VP202", "duplicate-name", "A name is declared twice."),
    Code("VP203", "unknown-value", "An enumeration value that the input or finding does not have."),
    Code("VP204", "type-mismatch", "An operator or value is applied to a name of the wrong type."),
    Code(
        "VP205",
        "unit-mismatch",
        "A quantity is given in a unit that does not match the declared one.",
    ),
    Code("VP206", "out-of-bounds", "A number lies outside the declared range of its input."),
    Code("VP207", "unknown-source", "A citation names a source that is not declared."),
    Code(
        "VP208",
        "finding-not-known",
        "A finding is tested at a decision that some path reaches without ordering the action that reveals it.",
    ),
    Code("VP209", "unreachable-decision", "A decision that no rule leads to from the start."),
    Code("VP210", "pathway-cycle", "Decisions lead back to themselves without an explicit bound."),
    Code(
        "VP211",
        "bad-rating",
        "An appropriateness rating whose category and 1-9 score disagree, or an unknown category.",
    ),
    Code(
        "VP212",
        "missing-provenance",
        "A rule without a rating (or an explicit 'unrated' reason) or without a citation.",
    ),
    Code(
        "VP213",
        "uncovered-without-reason",
        "A rule ends in an 'uncovered' disposition without saying why.",
    ),
    Code(
        "VP214",
        "bad-attribute",
        "An action or disposition attribute with an unknown or repeated value.",
    ),
    Code("VP215", "missing-start", "A guideline without a valid 'start' decision."),
    Code("VP216", "empty-range", "A numeric range whose lower bound exceeds its upper bound."),
    Code(
        "VP217",
        "misplaced-otherwise",
        "An 'otherwise' rule that is not the last rule, or under a hit policy where it is ambiguous.",
    ),
    Code(
        "VP218",
        "bad-example",
        "An example that gives a value of the wrong type, or names an input twice.",
    ),
    Code(
        "VP219",
        "misplaced-declaration",
        "A declaration that is not allowed in this kind of file (e.g. a decision in a catalogue).",
    ),
    Code("VP220", "bad-action-set", "A property names an action attribute or modality no action has."),
    Code("VP221", "bad-bound", "A visit or step bound that is not a positive integer."),
    # -- verification -------------------------------------------------------
    Code("VP301", "gap", "A decision does not cover every patient who can reach it."),
    Code(
        "VP302",
        "conflict",
        "Two rules of a decision match the same patient and give different outcomes.",
    ),
    Code(
        "VP303",
        "redundant-overlap",
        "Two rules of a decision match the same patient and give the same outcome.",
    ),
    Code(
        "VP304",
        "masked-rule",
        "Under a 'first' or 'priority' policy, a rule that earlier rules always pre-empt.",
    ),
    Code("VP305", "dead-rule", "A rule that no patient who reaches its decision can match."),
    Code("VP306", "unreachable", "A decision, action or disposition that no patient can reach."),
    Code("VP307", "property-violated", "A pathway property fails for some patient."),
    Code(
        "VP308",
        "example-failed",
        "A scenario example gives other orders or another disposition than expected.",
    ),
    Code(
        "VP309",
        "unknown-result",
        "The solver could not decide a check within its limits; the check is not passed.",
    ),
    Code("VP310", "inconsistent-assumptions", "The assumptions exclude every patient."),
    # -- export ---------------------------------------------------------------
    Code("VP401", "export-failed", "A table could not be written."),
    Code("VP402", "stale-build", "A generated table is out of date with its spec."),
    Code("VP403", "export-unsupported", "A construct of the spec cannot be expressed in an export format."),
)

CODES: dict[str, Code] = {c.code: c for c in _ALL}


def lookup(code: str) -> Code | None:
    return CODES.get(code.upper())
