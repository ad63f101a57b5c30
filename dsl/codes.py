"""The registry of stable diagnostic codes. A code is never reused or renumbered.

VP1xx syntax and reading, VP2xx semantics, VP3xx verification, VP4xx export.

Every code is a module constant (``GAP: Final = Code("VP301", "gap", ...)``) and diagnostics
are built from the constant (``diagnostic(GAP, message, span)`` in dsl/diagnostics.py), never
from the code's text. The constant's name is its slug in upper case. A code carries its
default severity; ``veripath explain-code VP301`` prints its explanation, example and fix.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class Stage(enum.Enum):
    """The pipeline stage a code belongs to; the exit policy is decided from it, never from the code's text."""

    READ = "read"  # reading files and syntax (VP1xx)
    SEMANTICS = "semantics"  # names, types, units, well-formedness (VP2xx)
    VERIFY = "verify"  # verification findings (VP3xx)
    EXPORT = "export"  # writing outputs (VP4xx)


@dataclass(frozen=True, slots=True)
class Code:
    """One registered diagnostic code. Equal (and hashed) by its code alone.

    `example` is a complete `.vp` file that, saved as ``example.vp`` and checked, reports this
    code; it is empty where no single file can show the problem (the explanation says why).
    """

    code: str
    slug: str
    summary: str
    severity: Severity = field(compare=False)
    explanation: str = field(compare=False)
    example: str = field(compare=False)
    fix: str = field(compare=False)
    # The stage whose exit status this code takes, where it is not its number range's.
    exit_stage: Stage | None = field(default=None, compare=False)

    @property
    def stage(self) -> Stage:
        """The pipeline stage that decides the exit status of a diagnostic with this code."""
        return self.exit_stage if self.exit_stage is not None else _STAGES[self.code[:3]]

    def __str__(self) -> str:
        return self.code


# The number ranges of the registry (module docstring); the one place that reads a code's digits.
_STAGES = {"VP1": Stage.READ, "VP2": Stage.SEMANTICS, "VP3": Stage.VERIFY, "VP4": Stage.EXPORT}

ERROR: Final = Severity.ERROR
WARNING: Final = Severity.WARNING

# A minimal guideline header most examples start from.
_G = 'guideline g "Example" version "1"\nsource acr "ACR Appropriateness Criteria"\n'
# A catalogue header, for examples about declarations alone (a catalogue needs no start or decision).
_C = 'catalogue c "Example"\n'


# -- reading and syntax --------------------------------------------------------

UNREADABLE_FILE: Final = Code(
    "VP100",
    "unreadable-file",
    "The file or folder cannot be read (missing, a directory, no permission).",
    severity=ERROR,
    explanation=(
        "veripath was given a path it cannot read as a spec: it does not exist, it is a folder where a file "
        "is needed (for example an imported path), it holds no .vp files, or the operating system refuses to "
        "open it. Nothing in it can be checked, so the run fails as bad input."
    ),
    example=_G + 'import "."\n',
    fix=(
        "Check the path and the permissions. An import names one .vp file, relative to the importing file; "
        "a folder on the command line must contain .vp files."
    ),
)
BAD_ENCODING: Final = Code(
    "VP101",
    "bad-encoding",
    "The file is not valid UTF-8 text.",
    severity=ERROR,
    explanation=(
        "Specs are read as UTF-8, strictly: a byte sequence that is not UTF-8 (a file saved as Latin-1 or "
        'Windows-1252 with a title such as "Échographie", or a UTF-16 file with its byte-order mark) is '
        "reported with the offending byte, instead of being guessed at and silently turned into other text. "
        "No example is shown: the problem is in the bytes of the file, not in any text that could be printed."
    ),
    example="",
    fix="Save the file as UTF-8 (most editors offer 'Save with encoding'), or run `iconv -f latin1 -t utf-8`.",
)
UNEXPECTED_CHARACTER: Final = Code(
    "VP102",
    "unexpected-character",
    "A character that cannot start any token of the language.",
    severity=ERROR,
    explanation=(
        "The tokenizer met a character that no token of the language begins with: a single quote, a "
        "typographic quote pasted from a document, an emoji, a non-breaking or zero-width space, or a string "
        "that is not closed on its line. Strings are written in straight double quotes."
    ),
    example=_G + "input depth 'Depth of the mass': superficial | deep\n",
    fix="Use straight double quotes for titles and citations, and delete invisible or typographic characters.",
)
UNEXPECTED_TOKEN: Final = Code(
    "VP103",
    "unexpected-token",
    "A token the grammar does not allow at this point.",
    severity=ERROR,
    explanation=(
        "Every token was recognised, but this one is not allowed where it stands: a missing colon after an "
        "input's title, a decision without its hit policy, a header that is not the first line. The message "
        "lists what the grammar expected instead."
    ),
    example=_G + 'input depth "Depth of the mass" superficial | deep\n',
    fix="Write what the hint says is expected; docs/language.md shows the form of each declaration.",
)
UNEXPECTED_EOF: Final = Code(
    "VP104",
    "unexpected-eof",
    "The file ends in the middle of a declaration.",
    severity=ERROR,
    explanation=(
        "The file stops before a declaration is complete (a truncated copy, an unfinished edit), or it holds "
        "nothing but comments. The position is the end of the file."
    ),
    example=_G + "input depth:\n",
    fix="Complete the last declaration (here: the input's values, `superficial | deep`).",
)
TOO_LARGE: Final = Code(
    "VP105",
    "too-large",
    "The file is too large or an expression is nested too deeply to process.",
    severity=ERROR,
    explanation=(
        "veripath refuses files over its size limit and conditions nested more than 100 levels deep, so that a "
        "generated or corrupted file is reported instead of exhausting memory or the stack. No real guideline "
        "comes near either limit. No example is shown: it would be a condition in more than 100 parentheses."
    ),
    example="",
    fix="Split the condition into simpler rules, or the file into a guideline and imported catalogues.",
)
BINARY_FILE: Final = Code(
    "VP106",
    "binary-file",
    "The file contains NUL bytes or control characters: it is not a spec.",
    severity=ERROR,
    explanation=(
        "A NUL byte or another control character (escape, bell, delete, a form feed) means the file is binary "
        "(an image, a PDF, an executable) or was damaged by a copy. It is reported at the first such "
        "character rather than parsed. No example is shown: the character cannot be printed."
    ),
    example="",
    fix="Check that the path names the intended .vp file; delete the control characters with an editor.",
)
BAD_STRING: Final = Code(
    "VP107",
    "bad-string",
    "A string literal contains an invalid escape sequence.",
    severity=ERROR,
    explanation=(
        'Inside a string, a backslash starts an escape; only \\" (a double quote) and \\\\ (a backslash) '
        "are defined. Any other escape is an error rather than being kept literally, so a title means "
        "exactly what it shows."
    ),
    example=_G.replace("Criteria", "Criteria \\q"),
    fix='Write a backslash as \\\\ and a double quote as \\"; other characters need no escape.',
)
IMPORT_NOT_FOUND: Final = Code(
    "VP110",
    "import-not-found",
    "An imported file does not exist.",
    severity=ERROR,
    explanation=(
        "An `import` names a file that does not exist. The path is relative to the importing file, not to "
        "the folder veripath runs in."
    ),
    example=_G + 'import "catalog/missing.vp"\n',
    fix="Correct the path (relative to the importing file) or add the catalogue.",
)
IMPORT_CYCLE: Final = Code(
    "VP111",
    "import-cycle",
    "Files import each other in a cycle.",
    severity=ERROR,
    explanation=(
        "Following the imports leads back to a file already being read (a imports b, b imports a), so the "
        "declarations would have no defined order. The message shows the chain. In the example, saved as "
        "example.vp, the file imports itself."
    ),
    example=_G + 'import "example.vp"\n',
    fix="Move the shared declarations into one catalogue that both files import.",
)
IMPORT_NOT_CATALOGUE: Final = Code(
    "VP112",
    "import-not-catalogue",
    "Only catalogue files can be imported, not guidelines.",
    severity=ERROR,
    explanation=(
        "An `import` names a guideline. Only catalogues (files that begin with `catalogue` and hold sources, "
        "inputs, named conditions, actions, findings, dispositions and shared decisions) can be imported: a "
        "guideline brings its own start, properties and examples, which cannot be merged into another pathway. "
        'No example is shown: it takes two files (a guideline with `import "other.vp"`, where other.vp '
        "begins with `guideline`)."
    ),
    example="",
    fix=(
        "Move the shared declarations, and the decisions both pathways use, into a catalogue and import that "
        "from both guidelines."
    ),
)
IMPORT_OUTSIDE_ROOT: Final = Code(
    "VP113",
    "import-outside-root",
    "An import names a file outside the spec's folder tree and outside every allowed import root.",
    severity=ERROR,
    explanation=(
        "Imports are confined to the folder tree of the spec being checked, so that a spec cannot make "
        "veripath read (and quote in a diagnostic) any file on the machine: an absolute path, a `../` that "
        "leaves the folder, or a symbolic link that points outside it is refused before the file is opened. "
        "A folder outside the tree can be allowed explicitly (`--allow-import-root DIR`)."
    ),
    example=_G + 'import "/etc/hostname"\n',
    fix="Move the catalogue under the spec's folder, or allow its folder with `--allow-import-root DIR`.",
)
IMPORT_LIMIT: Final = Code(
    "VP114",
    "import-limit",
    "Imports nest too deeply, or a guideline with its imports has too many files or bytes.",
    severity=ERROR,
    explanation=(
        "Reading is bounded so that memory stays proportional to a known input size: imports may nest at "
        "most 50 files deep, a guideline may read at most 1,000 files, and at most 32 MiB in all (see the "
        "Limits section of docs/language.md). No example is shown: it takes a chain of more than 50 files."
    ),
    example="",
    fix="Flatten the chain of catalogues, or split the guideline.",
)
BAD_ENUMERATION: Final = Code(
    "VP118",
    "bad-enumeration",
    "An enumeration with a single value, or one that ends with '|'.",
    severity=ERROR,
    explanation=(
        "An enumerated input or finding lists two or more values separated by `|` "
        "(`superficial | deep`; the values may run over several lines). A single value would make the "
        "input the same for every patient, and a `|` with no value after it promises a value that is "
        "missing. The error points at the enumeration, not at the declaration after it."
    ),
    example=_C + "input depth: superficial |\n",
    fix="List every value, separated by `|` (`superficial | deep`); a yes/no input is declared `bool`.",
)

UNKNOWN_UNIT: Final = Code(
    "VP115",
    "unknown-unit",
    "A number is followed by a word that is not a unit of the language.",
    severity=ERROR,
    explanation=(
        "A unit follows a number (`5 cm`, `60 mL/min`, `2 weeks`) and is one of a fixed list, so that a "
        "unit can never be mistaken for the keyword after a number. The word after this number is not on "
        "the list: a unit the language does not have (`furlongs`), or one spelt differently (`mg/dl` for "
        "`mg/dL`, `hrs` for `hours`). The hint lists every unit."
    ),
    example=_G + "input score: integer in [0, 10] pts\n",
    fix="Write one of the listed units (here `points`), or leave the unit out.",
)

# -- semantics -----------------------------------------------------------------

UNDEFINED_NAME: Final = Code(
    "VP201",
    "undefined-name",
    "A name is used but never declared.",
    severity=ERROR,
    explanation=(
        "A condition, order, `then`, `end`, property or example uses a name that no declaration in the file "
        "or its imports introduces, usually a typo. The hint suggests the closest declared name."
    ),
    example=_G
    + "input depth: superficial | deep\n"
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise end reasure rated usually_appropriate 9 cite acr\n",
    fix="Correct the spelling, or declare the name (an input, action, finding, decision or disposition).",
)
DUPLICATE_NAME: Final = Code(
    "VP202",
    "duplicate-name",
    "A name is declared twice.",
    severity=ERROR,
    explanation=(
        "Names share one namespace across a guideline and everything it imports, so two declarations of one "
        "name (even of different kinds), a value listed twice in an enumeration, or two rules of a decision "
        "with the same label, make every use of the name ambiguous."
    ),
    example=_C + "input depth: superficial | deep\ninput depth: superficial | deep | unknown\n",
    fix="Rename one of the two, or delete the duplicate (the note points at the first declaration).",
)
UNKNOWN_VALUE: Final = Code(
    "VP203",
    "unknown-value",
    "An enumeration value that the input or finding does not have.",
    severity=ERROR,
    explanation=(
        "A condition compares an enumerated input or finding with a value it does not declare. Such a "
        "comparison could never be true (or always be, with !=), which would silently change which "
        "patients a rule covers."
    ),
    example=_G
    + "input depth: superficial | deep\n"
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  when depth == superficail end reassure rated usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix="Use one of the declared values (the hint suggests the closest), or add the value to the declaration.",
)
TYPE_MISMATCH: Final = Code(
    "VP204",
    "type-mismatch",
    "An operator or value is applied to a name of the wrong type.",
    severity=ERROR,
    explanation=(
        "A comparison or set test that does not fit the type of its name: `<` on an enumeration, a number "
        "compared with a bool, an enumeration used as a condition on its own, a disposition where an input "
        "is expected, fractional bounds on an integer input. The verifier needs every condition to have one "
        "meaning over patients."
    ),
    example=_G
    + "input depth: superficial | deep\n"
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  when depth end reassure rated usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix="Compare the name as its type requires: `depth == superficial`, `ci == true` or `ci`, `size_cm > 5`.",
)
UNIT_MISMATCH: Final = Code(
    "VP205",
    "unit-mismatch",
    "A quantity is given in a unit that does not match the declared one.",
    severity=ERROR,
    explanation=(
        "A number carries a unit of another kind than its input's (kilograms for a length), a unit where "
        "the input has none, an unknown unit, or two inputs of different units are compared. Units of one "
        "kind convert (mm, cm, m); different kinds cannot, and guessing would change the threshold."
    ),
    example=_G
    + "input size_cm: number in [0, 60] cm\n"
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  when size_cm > 5 kg end reassure rated usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix="Give the number in a unit of the input's kind (`size_cm > 50 mm`), or without a unit.",
)
OUT_OF_BOUNDS: Final = Code(
    "VP206",
    "out-of-bounds",
    "A number lies outside the declared range of its input.",
    severity=ERROR,
    explanation=(
        "A condition compares an input with a number outside its declared range, so the comparison is "
        "decided for every patient: usually a typo or a unit slip (60 cm written as 600)."
    ),
    example=_G
    + "input size_cm: number in [0, 60] cm\n"
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  when size_cm > 61 end reassure rated usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix="Correct the number, or widen the input's declared range if real patients lie outside it.",
)
UNKNOWN_SOURCE: Final = Code(
    "VP207",
    "unknown-source",
    "A citation names a source that is not declared.",
    severity=ERROR,
    explanation=(
        "A `cite` in a rule or an example names a source that no `source` declaration introduces, so the "
        "recommendation cannot be traced back to its evidence."
    ),
    example=_G
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + '  otherwise end reassure rated usually_appropriate 9 cite acr2022 "variant 1"\n',
    fix='Cite a declared source, or declare it: `source acr2022 "ACR 2022" url "https://..."`.',
)
FINDING_NOT_KNOWN: Final = Code(
    "VP208",
    "finding-not-known",
    "A finding is tested at a decision that some path reaches without ordering the action that reveals it.",
    severity=ERROR,
    explanation=(
        "A finding becomes known once its action has been ordered. A decision may test it only if every "
        "path from `start` to the decision orders that action first; otherwise some patient would be "
        "decided on a result that does not exist yet."
    ),
    example=_G
    + "input ci: bool\n"
    + 'action us "US" imaging modality us\n'
    + "finding us_result from us: benign | suspicious\n"
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  when ci order us then second rated usually_appropriate 9 cite acr\n"
    + "  otherwise then second rated usually_appropriate 9 cite acr\n"
    + 'decision second "Second" first\n'
    + "  when us_result == benign end reassure rated usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix="Order the action on every path to the decision, or move the test to a decision after the order.",
)
UNREACHABLE_DECISION: Final = Code(
    "VP209",
    "unreachable-decision",
    "A decision that no rule leads to from the start.",
    severity=ERROR,
    explanation=(
        "No chain of `then` from the `start` decision leads to this decision, so its rules never apply to "
        "anyone: usually a forgotten `then` or a misspelt target. (VP306 is the finer finding that a "
        "decision is linked but no patient satisfies the conditions on the way.)"
    ),
    example=_G
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n"
    + 'decision orphan "Orphan" first\n'
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix="Link the decision with `then` from a rule that should lead to it, or delete it.",
)
PATHWAY_CYCLE: Final = Code(
    "VP210",
    "pathway-cycle",
    "Decisions lead back to themselves without an explicit bound.",
    severity=ERROR,
    explanation=(
        "Following `then` from a decision leads back to it, so a patient could go round forever and the "
        "paths cannot be enumerated. Loops are allowed (repeat imaging), but the decision must say how "
        "often it may be visited."
    ),
    example=_G
    + "input ci: bool\n"
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  when ci then second rated usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n"
    + 'decision second "Second" first\n'
    + "  otherwise then first rated usually_appropriate 9 cite acr\n",
    fix='Bound the loop on the decision it returns to: `decision first "First" first at most 2 visits`.',
)
BAD_RATING: Final = Code(
    "VP211",
    "bad-rating",
    "An appropriateness rating whose category and 1-9 score disagree, or an unknown category.",
    severity=ERROR,
    explanation=(
        "ACR ratings pair a category with a score: usually_appropriate 7-9, may_be_appropriate 4-6 (which "
        "alone may carry `disagreement`), usually_not_appropriate 1-3. The score may be left out where the "
        "source publishes the category alone. A rating outside its category, or an unknown category, "
        "misstates the evidence behind the rule."
    ),
    example=_G
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise end reassure rated usually_appropriate 5 cite acr\n",
    fix="Copy the category and score from the source table (a 5 is `may_be_appropriate 5`).",
)
MISSING_PROVENANCE: Final = Code(
    "VP212",
    "missing-provenance",
    "A rule without a rating (or an explicit 'unrated' reason) or a citation; an example or a variant without a "
    "citation.",
    severity=ERROR,
    explanation=(
        'Every rule says how appropriate its recommendation is (`rated ...`, or `unrated "why"` for a '
        "source without ACR ratings) and where it comes from (`cite ...`), exactly once. A rule without "
        "provenance is a recommendation nobody can check. Every example cites the case or passage it "
        'checks (`example "Seed 002" cite seed002`): an example without one is an expectation nobody '
        "can trace back to the guidance. A rule `in variant V` is rated by V's table, and the table (a "
        "`variant` declaration) cites where it is published."
    ),
    example=_G
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise end reassure cite acr\n",
    fix='Add the rating (`rated usually_appropriate 9`) or `unrated "reason"`, and a `cite`.',
)
UNCOVERED_WITHOUT_REASON: Final = Code(
    "VP213",
    "uncovered-without-reason",
    "A rule ends in an 'uncovered' disposition without saying why.",
    severity=ERROR,
    explanation=(
        "An `uncovered` disposition states that the sources are silent or disagree for these patients. The "
        'rule must say why with `because "..."`, so that the gap in the evidence is documented rather than '
        "hidden."
    ),
    example=_G
    + "input ci: bool\n"
    + 'disposition reassure "Reassure" reassure\n'
    + 'disposition no_variant "No ACR variant applies" uncovered\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + '  when ci end no_variant unrated "silent" cite acr\n'
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix='Say why: `end no_variant because "2022 criteria: no variant for MRI-contraindicated patients"`.',
)
BAD_ATTRIBUTE: Final = Code(
    "VP214",
    "bad-attribute",
    "An action or disposition attribute with an unknown or repeated value.",
    severity=ERROR,
    explanation=(
        "An action's attributes (kind, modality, contrast, radiation, urgency, time frame) and a "
        "disposition's time take values from fixed lists; an unknown value, an attribute given twice, an "
        "action without a kind, or a time in a unit that is not a duration, would make properties such as "
        "`any modality mri` or the exported tables wrong."
    ),
    example=_C + 'action us "US" imaging modality ultrasound\n',
    fix="Use a listed value (docs/language.md, Actions): here `modality us`.",
)
MISSING_START: Final = Code(
    "VP215",
    "missing-start",
    "A guideline without a valid 'start' decision.",
    severity=ERROR,
    explanation=(
        "A guideline has exactly one `start` naming the decision every patient begins at. Without it (or "
        "with two) there is no pathway to verify or export."
    ),
    example=_G
    + 'disposition reassure "Reassure" reassure\n'
    + 'decision first "First" first\n'
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix="Add one `start first` line naming the first decision (and delete any second one).",
)
EMPTY_RANGE: Final = Code(
    "VP216",
    "empty-range",
    "A numeric range whose lower bound exceeds its upper bound.",
    severity=ERROR,
    explanation=(
        "A declared range such as `number in [10, 0]`, or a range in a condition such as "
        "`size_cm in [5, 5)`, contains no value. An input nobody can have, or a test nobody can pass, is "
        "almost always swapped or mistyped bounds."
    ),
    example=_C + "input score: number in [10, 0]\n",
    fix="Write the lower bound first, and check which ends are inclusive `[ ]` or exclusive `( )`.",
)
MISPLACED_OTHERWISE: Final = Code(
    "VP217",
    "misplaced-otherwise",
    "An 'otherwise' rule that is not the last rule, or under a hit policy where it is ambiguous.",
    severity=ERROR,
    explanation=(
        "`otherwise` matches every patient that no earlier rule matches, so it is only meaningful as the "
        "last rule: rules after it could never apply, and under some hit policies 'earlier' is not defined."
    ),
    example=_G
    + "input ci: bool\n"
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n"
    + "  when ci end reassure rated usually_appropriate 9 cite acr\n",
    fix="Move the `otherwise` rule to the end of its decision.",
)
BAD_EXAMPLE: Final = Code(
    "VP218",
    "bad-example",
    "An example that gives a value of the wrong type or outside its range, or names an input twice.",
    severity=ERROR,
    explanation=(
        "An example's `given` describes one patient: each input or finding once, with a value of its type "
        "(true or false for a bool, a declared value for an enumeration, a number within range). Otherwise "
        "the example does not describe any patient and cannot be run."
    ),
    example=_G
    + "input ci: bool\n"
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n"
    + 'example "contraindicated" cite acr\n'
    + "  given ci = yes\n"
    + "  expect end reassure\n",
    fix="Give each input once, with a value of its declared type (`ci = true`).",
)
MISPLACED_DECLARATION: Final = Code(
    "VP219",
    "misplaced-declaration",
    "A declaration that is not allowed in this kind of file (e.g. a property in a catalogue).",
    severity=ERROR,
    explanation=(
        "A catalogue holds shared declarations: sources, inputs, assumptions, named conditions, actions, "
        "findings, dispositions and decisions (a shared sub-pathway that guidelines enter with `then`). A "
        "`start`, property, example or waiver belongs to a guideline: it is about one whole pathway. Commands "
        "that need a pathway (such as `graph`) also report this for a catalogue."
    ),
    example='catalogue shared "Shared declarations"\nsource acr "ACR"\n'
    + 'action mri "MRI" imaging modality mri\n'
    + "property no_mri: never mri\n",
    fix="Move the declaration into the guideline that imports the catalogue.",
)
BAD_ACTION_SET: Final = Code(
    "VP220",
    "bad-action-set",
    "A property names an action attribute or modality no action has.",
    severity=ERROR,
    explanation=(
        "A property's action set (`any modality mri`, `any cross_sectional`) must name an attribute that "
        "sets can be built from and that some declared action has; an empty set would make the property "
        "hold vacuously, which is never what was meant."
    ),
    example=_G
    + 'action us "US" imaging modality us\n'
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise order us end reassure rated usually_appropriate 9 cite acr\n"
    + "property no_pet: never any modality pet_ct\n",
    fix="Name a modality or attribute some action has, or declare the action the property is about.",
)
BAD_BOUND: Final = Code(
    "VP221",
    "bad-bound",
    "A visit or step bound that is not a positive integer, or a visit bound above 100.",
    severity=ERROR,
    explanation=(
        "`at most N visits` on a decision and `at most N steps` in a property must be at least 1: a bound "
        "of 0 excludes every path. A visit bound is also at most 100, because loops are unrolled into "
        "copies of the decision and a larger bound would make the graph grow without limit."
    ),
    example=_G
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n"
    + "property short: at most 0 steps\n",
    fix="Give a bound of at least 1.",
)
RULE_LABEL_CLASH: Final = Code(
    "VP223",
    "rule-label-clash",
    "A rule label 'rN' that is the automatic name of another, unlabelled rule of the decision.",
    severity=ERROR,
    explanation=(
        "An unlabelled rule is named `rN` after its position (the N-th rule of its decision), and findings, "
        "check identities and exports use that name. A label `r2` on the first rule, while the second rule "
        "has no label, would give two rules the same name. A table whose rules all carry labels may number "
        "them as it likes (generated tables often label rows from `r0`)."
    ),
    example=_G
    + "input ci: bool\n"
    + 'disposition reassure "Reassure" reassure\n'
    + 'disposition review "Review" follow_up in 6 months\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  rule r2 when ci end review rated usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix="Give the rule a descriptive label (`rule contraindicated when ...`).",
)
GRAPH_TOO_LARGE: Final = Code(
    "VP224",
    "graph-too-large",
    "The unrolled decision graph would exceed the size limit.",
    severity=ERROR,
    explanation=(
        "Bounded loops (`at most N visits`) are unrolled into copies of the decisions they pass through; "
        "several loops through each other multiply, so the graph is limited to 200,000 nodes and edges. "
        "When a path orders a study twice, copies are also split by how often each repeated study has "
        "been ordered (each order reveals a fresh result), which can multiply further. "
        "No example is shown: it takes several large loops through each other, and a long time to reach."
    ),
    example="",
    fix="Lower the visit bounds, or make the loops independent of each other.",
)
CHOICE_SPLITS_RESULTS: Final = Code(
    "VP235",
    "choice-splits-results",
    "The options of a choice order a repeated study a different number of times.",
    severity=ERROR,
    explanation=(
        "Every order of a study reveals a fresh result, and decisions read the latest one. When the options "
        "of `one of {...}` order a study that some path orders again a different number of times, the "
        "decisions after the choice would read another result of its findings depending on the option "
        "taken, which neither the facts of a patient nor an example say. veripath refuses the choice rather "
        "than follow one option."
    ),
    example=_G
    + 'action us "US" imaging modality us\n'
    + 'action xr "Radiograph" imaging modality xr\n'
    + "finding us_result from us: nondiagnostic | benign\n"
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise order us then second rated usually_appropriate 9 cite acr\n"
    + 'decision second "Second" first\n'
    + "  when us_result == nondiagnostic order one of {us, xr} then third\n"
    + "    rated us usually_appropriate 9 rated xr usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n"
    + 'decision third "Third" first\n'
    + "  when us_result == benign end reassure rated usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix=(
        "Order the repeated study in every option or in none (before or after the choice), or end the options "
        "in different rules whose conditions tell them apart."
    ),
)

BAD_DISPOSITION_SET: Final = Code(
    "VP230",
    "bad-disposition-set",
    "A property names a disposition kind that is not one, or that no disposition has.",
    severity=ERROR,
    explanation=(
        "A property's disposition set (`never end in any reassure`, `when C always end in {a, b}`) is a "
        "declared disposition, a list of them, or `any KIND` for every disposition of a kind (`reassure`, "
        "`follow_up`, `refer`, `uncovered`, `discharge`). A kind that is not one of these, or that no "
        "declared disposition has, would make the set empty, and the property would hold (or fail) "
        "vacuously, which is never what was meant."
    ),
    example=_G
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n"
    + "property no_referral: never end in any refer\n",
    fix="Name a disposition kind some declared disposition has, or list the dispositions by name.",
)
PROPERTY_NEVER_APPLIES: Final = Code(
    "VP231",
    "property-never-applies",
    "A property's condition needs a finding that no path reveals, so it never holds.",
    severity=ERROR,
    explanation=(
        "The `when C` of a property is evaluated with what is known where the property is checked: the "
        "inputs, and the findings revealed by the order steps before that point. A test on a finding not "
        "yet revealed is unknown, and the property applies only where C is known to hold. When C cannot "
        "hold without a finding whose study no path of the pathway orders, it is never known to hold: the "
        "property would hold of every pathway and check nothing, which is never what was meant (like an "
        "empty action set, VP220)."
    ),
    example=_G
    + "input ci: bool\n"
    + 'action us "US" imaging modality us\n'
    + 'action mri "MRI" imaging modality mri cross_sectional\n'
    + "finding mri_result from mri: benign | suspicious\n"
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise order us end reassure rated usually_appropriate 9 cite acr\n"
    + "property suspicious_mri: when mri_result == suspicious never end reassure\n",
    fix="Test a finding the pathway reveals, or order its study on the paths the property is about.",
)

BAD_WAIVER: Final = Code(
    "VP225",
    "bad-waiver",
    "A `waive` declaration that names no finding a spec may waive.",
    severity=ERROR,
    explanation=(
        "A waiver accepts one verification warning, named by its code and what it is about: a redundant "
        "overlap (VP303) of two rules, a masked (VP304) or dead (VP305) rule, or an unreachable (VP306) "
        "decision, action or disposition. Errors (a gap, a conflict, a violated property, a failed example, "
        "an undecided check) cannot be waived: each is a patient the pathway fails, and a clinical pathway "
        "must say what happens to them. A waiver is also rejected when its code is not one of these, when "
        "its target or rules do not exist or do not fit the code, when it gives no reason, or when it "
        "repeats another waiver."
    ),
    example=_G
    + "input size_cm: number in [0, 60] cm\n"
    + 'disposition reassure "Reassure" reassure\n'
    + 'disposition refer "Refer" refer\n'
    + "start first\n"
    + 'decision first "First" unique\n'
    + "  when size_cm <= 5 end reassure rated usually_appropriate 9 cite acr\n"
    + "  when size_cm >= 5 end refer rated usually_appropriate 9 cite acr\n"
    + 'waive VP302 on decision first rules r1, r2 because "the 5 cm boundary is rare"\n',
    fix=(
        "Fix the finding in the pathway (here: make the conditions exclusive). Waive only warnings, naming "
        "the decision and rules the finding names."
    ),
)
BAD_CHOICE: Final = Code(
    "VP226",
    "bad-choice",
    "A `one of {...}` choice that is not a choice between different options.",
    severity=ERROR,
    explanation=(
        "`order one of {a, b}` says the clinician takes exactly one of the options, and every property must "
        "hold whichever is taken. A choice with one option is no choice, an option listed twice is the same "
        "option, and an order list holds at most one choice (two would multiply the options silently)."
    ),
    example=_G
    + 'action xr "Radiograph" imaging modality xr\n'
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise order one of {xr, xr} end reassure rated xr usually_appropriate 9 cite acr\n",
    fix="List two or more different options (`one of {xr, us}`), or order the single action directly (`order xr`).",
)
RATING_TARGET: Final = Code(
    "VP227",
    "rating-target",
    "A rating that names the wrong action, or a rule with a choice that does not rate each option by name.",
    severity=ERROR,
    explanation=(
        "A rule that orders a choice rates each option by naming it (`rated xr usually_appropriate 9`), "
        "because the source rates the procedures, not the choice; a rating naming no action would not say "
        "which option it rates. A rating that names an action must name one the rule orders, and the other "
        "procedures the source rates for the same variant belong in `also rated`, which must not name an "
        "action the rule orders (rate that with `rated`)."
    ),
    example=_G
    + 'action xr "Radiograph" imaging modality xr\n'
    + 'action us "US" imaging modality us\n'
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise order one of {xr, us} end reassure rated xr usually_appropriate 9 cite acr\n",
    fix='Rate every option by name (`rated us usually_appropriate 9`), or say `unrated "why"`.',
)
RATED_TWICE: Final = Code(
    "VP228",
    "rated-twice",
    "One rule, or one variant table, rates the same action twice.",
    severity=ERROR,
    explanation=(
        "Each procedure has one rating per variant in the source. An action named by two `rated` clauses, "
        "twice in `also rated`, or once in each, gives two ratings for one procedure, and the exported tables "
        "could not say which one holds; the same holds for two `rated` lines of one `variant` declaration."
    ),
    example=_G
    + 'action xr "Radiograph" imaging modality xr\n'
    + 'action ct "CT" imaging modality ct cross_sectional\n'
    + 'disposition reassure "Reassure" reassure\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise order xr end reassure rated usually_appropriate 9\n"
    + "    also rated ct may_be_appropriate 5, ct usually_not_appropriate 2 cite acr\n",
    fix="Keep the rating the source gives (the note points at the first one) and delete the other.",
)
PRIORITY_WITHOUT_SCORE: Final = Code(
    "VP229",
    "priority-without-score",
    "Under a `priority` hit policy, a rule rated with a category but no score.",
    severity=ERROR,
    explanation=(
        "Under `priority` the matching rule with the highest rating score applies, so every rating of every "
        "rule needs its score: a category alone (`rated usually_appropriate`) does not say which of two "
        "usually appropriate rules wins. (An `unrated` rule scores 0, as documented.)"
    ),
    example=_G
    + "input ci: bool\n"
    + 'disposition reassure "Reassure" reassure\n'
    + 'disposition refer "Refer" refer\n'
    + "start first\n"
    + 'decision first "First" priority\n'
    + "  when ci end refer rated usually_appropriate cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 8 cite acr\n",
    fix="Give the score the source publishes, or use hit policy `first` or `unique` if the rules do not compete.",
)

DEFINE_CYCLE: Final = Code(
    "VP244",
    "define-cycle",
    "A named condition that uses itself, directly or through other named conditions.",
    severity=ERROR,
    explanation=(
        "`define NAME: condition` gives a condition a name; the name can then be used wherever a condition "
        "is, in other defines too. A define is a name for its condition, not a recursive rule: a define that "
        "uses itself (`define a: b`, `define b: a and x`) has no meaning, so the whole chain is reported, at "
        "the use that closes it."
    ),
    example=_C
    + "input deep: bool\n"
    + "input size_cm: number in [0, 60] cm\n"
    + "define large: size_cm > 5 and worrying\n"
    + "define worrying: deep or large\n",
    fix="Write the condition out in one of the defines, so that none of them uses itself.",
)
DEFINE_SHADOWS: Final = Code(
    "VP245",
    "define-shadows",
    "A named condition with the name of an enumeration value, or of a word of the condition language.",
    severity=ERROR,
    explanation=(
        "A define's name is used on its own as a condition (`when suspicious`), but `us_result == suspicious` "
        "compares with the value `suspicious`: one word would mean two things on the same line, and a reader "
        "cannot tell which. A define named `true`, `false`, `not`, `and`, `or`, `in` or `implies` could never "
        "be used: the word means the literal or the connective."
    ),
    example=_C
    + "input us_result: benign | suspicious\n"
    + "input mri_result: benign | suspicious\n"
    + "define suspicious: us_result == suspicious or mri_result == suspicious\n",
    fix="Rename the define so that it reads as a condition (`suspicious_imaging`).",
)
UNUSED_DEFINE: Final = Code(
    "VP246",
    "unused-define",
    "A named condition of the guideline that no rule, assumption, property or other define uses.",
    severity=WARNING,
    explanation=(
        "A define that nothing uses is checked, but it decides nothing: it is usually left over from a "
        "rule that changed, or misspelt where it was meant to be used. Only the guideline's own defines are "
        "reported; a catalogue's defines are there for the guidelines that import it."
    ),
    example=_G
    + "input deep: bool\n"
    + 'disposition reassure "Reassure" reassure\n'
    + 'define red_flags "Red flags": deep\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix="Use the define where the condition is meant, or remove it.",
)
CATALOGUE_USES_IMPORTER: Final = Code(
    "VP247",
    "catalogue-uses-importer",
    "A catalogue uses a name declared in a file it does not import.",
    severity=ERROR,
    explanation=(
        "Names share one namespace across a guideline and everything it imports, but each catalogue must "
        "make sense on its own: it may use only what it declares and what it imports. A catalogue decision "
        "that enters a decision of the guideline, or orders an action declared in another catalogue it does "
        "not import, would check only when imported by that one guideline, and checking the catalogue alone "
        "would report the name undefined. No example is shown: it takes two files."
    ),
    example="",
    fix=(
        "Import the catalogue that declares the name, or move the declaration into the catalogue (or into a "
        "catalogue it imports). A catalogue never uses names of the guideline that imports it."
    ),
)
NONLINEAR: Final = Code(
    "VP238",
    "nonlinear",
    "A product or quotient of two variables in a comparison.",
    severity=ERROR,
    explanation=(
        "Comparisons may add and subtract numeric inputs and findings and multiply or divide them by "
        "constants (`size_cm > 2 * depth_cm`, `score + 1/2 >= 4 points`): linear arithmetic, which the "
        "verifier decides exactly and quickly for every patient. A product of two variables (`a * b`), or "
        "a division by one (`a / b`), is nonlinear arithmetic, where the solver may answer 'unknown' or "
        "take unbounded time, so the language does not accept it."
    ),
    example=_G
    + "input length_cm: number in [0, 60] cm\n"
    + "input width_cm: number in [0, 60] cm\n"
    + 'disposition reassure "Reassure" reassure\n'
    + 'disposition refer "Refer" refer\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  when length_cm * width_cm > 25 end refer rated usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix=(
        "Compare the variables linearly (a ratio `a / b > 2` is `a > 2 * b` when b is positive), or give the "
        "derived quantity its own input (`input area_cm2: number in [0, 3600]`)."
    ),
)
CALENDAR_DURATION: Final = Code(
    "VP239",
    "calendar-duration",
    "A duration in months or years compared with one in weeks, days, hours or minutes.",
    severity=ERROR,
    explanation=(
        "Minutes, hours, days and weeks convert exactly among themselves, and so do months and years "
        "(12 months = 1 year). A calendar month is 28 to 31 days and a year 365 or 366, so months and years "
        "do not convert to weeks or days: `2 months` is not `8 weeks`, nor `9 weeks`. Rather than round a "
        "clinical threshold, veripath refuses the comparison."
    ),
    example=_G
    + "input symptoms: integer in [0, 52] weeks\n"
    + 'disposition reassure "Reassure" reassure\n'
    + 'disposition refer "Refer" refer\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  when symptoms > 2 months end refer rated usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix=(
        "Give the threshold in the unit the source states it in and declare the input in a unit of that "
        "kind (months or years for calendar periods; weeks, days or hours for exact ones)."
    ),
)
BAD_ARITHMETIC: Final = Code(
    "VP240",
    "bad-arithmetic",
    "Arithmetic that has no meaning: a division by zero, or a factor that carries a unit.",
    severity=ERROR,
    explanation=(
        "In a comparison, a variable may be multiplied or divided by a plain number (`2 * depth_cm`, "
        "`score / 2`). A factor with a unit (`2 cm * depth_cm`) would give a quantity in square centimetres, "
        "which no input has; a division by zero has no value at all."
    ),
    example=_G
    + "input size_cm: number in [0, 60] cm\n"
    + 'disposition reassure "Reassure" reassure\n'
    + 'disposition refer "Refer" refer\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  when size_cm / 0 > 5 end refer rated usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix="Multiply and divide by plain, non-zero numbers; put units on the numbers that are added or compared.",
)
UNITLESS_NUMBER: Final = Code(
    "VP241",
    "unitless-number",
    "A number without a unit in a comparison whose variables are in different units.",
    severity=ERROR,
    explanation=(
        "A number without a unit is in the unit of the variables it is compared with or added to "
        "(`size_cm > 5` is 5 cm). When those variables have different units of one kind (`size_cm + "
        "depth_mm > 5`), it is not clear which unit is meant, and the two readings differ by a factor of ten."
    ),
    example=_G
    + "input size_cm: number in [0, 60] cm\n"
    + "input depth_mm: number in [0, 600] mm\n"
    + 'disposition reassure "Reassure" reassure\n'
    + 'disposition refer "Refer" refer\n'
    + "start first\n"
    + 'decision first "First" first\n'
    + "  when size_cm + depth_mm > 5 end refer rated usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix="Give the number its unit (`size_cm + depth_mm > 5 cm`).",
)

# -- variants: published appropriateness tables -----------------------------------

# A guideline with one variant table, `v1` (radiograph usually appropriate 9, CT usually not
# appropriate 2), and one decision, `first`, whose rule follows in each example below.
_VT = (
    _G
    + 'action xr "Radiograph" imaging modality xr\n'
    + 'action ct "CT" imaging modality ct cross_sectional\n'
    + 'action us "US" imaging modality us\n'
    + 'disposition reassure "Reassure" reassure\n'
    + 'variant v1 "Variant 1: initial imaging" cite acr "variant 1"\n'
    + "  rated xr usually_appropriate 9\n"
    + "  rated ct usually_not_appropriate 2\n"
    + "start first\n"
    + 'decision first "First" first\n'
)

VARIANT_RATING_MISMATCH: Final = Code(
    "VP250",
    "variant-rating-mismatch",
    "A rule in a variant rates an action otherwise than the variant's table does.",
    severity=ERROR,
    explanation=(
        "A rule `in variant V` takes the rating of every action it orders from V's table, where the "
        "published ratings are written once. A `rated` clause on the rule may repeat a rating for the "
        "reader, but it must be V's (the same category, score and disagreement flag), and it may only "
        "rate an action V rates: two different ratings of one procedure for one variant cannot both be "
        "the source's. The message names both places."
    ),
    example=_VT + "  otherwise order xr end reassure in variant v1 rated xr usually_appropriate 8 cite acr\n",
    fix="Correct whichever of the two is not what the source publishes, or delete the rule's `rated` clause.",
)
RATING_BESIDE_VARIANT: Final = Code(
    "VP251",
    "rating-beside-variant",
    "A rule in a variant also says `unrated`, `also rated`, a rating naming no action, or a second variant.",
    severity=ERROR,
    explanation=(
        "A rule `in variant V` is rated by V's table: its orders take V's ratings and V's other procedures "
        "are exported as its `also rated` data. `unrated` would contradict that, `also rated` would write "
        "a second copy of the table, a rating that names no action does not say which procedure it is "
        "V's rating of, and a rule belongs to one variant (its patients are that variant's population)."
    ),
    example=_VT + '  otherwise order xr end reassure in variant v1 unrated "no ACR rating" cite acr\n',
    fix=(
        "Delete the clause (add missing ratings to the variant's table); name the action a `rated` clause "
        "is for; or split the rule, one per variant."
    ),
)
MISPLACED_REASON: Final = Code(
    "VP252",
    "misplaced-reason",
    "An `ordered A because ...` reason that explains nothing: A is not ordered, or its variant does not "
    "advise against it.",
    severity=ERROR,
    explanation=(
        '`ordered A because "why" cite SOURCE` says why a rule in a variant orders A although the '
        "variant rates A usually not appropriate, or does not rate it at all. A reason for an action the "
        "rule does not order, for one its variant rates usually or maybe appropriate, on a rule in no "
        "variant, or given twice for one action, is left over from an earlier version of the rule or its "
        "table, and it would silently excuse the order if the rule came to need it."
    ),
    example=_VT + '  otherwise order xr end reassure in variant v1 ordered xr because "seed 002" cite acr cite acr\n',
    fix="Delete the reason, or attach it to the rule and action it explains.",
)
EMPTY_VARIANT: Final = Code(
    "VP253",
    "empty-variant",
    "A variant declaration that rates no procedure.",
    severity=ERROR,
    explanation=(
        "A `variant` declares a published appropriateness table once, so that rules in the variant take "
        "their ratings from it. A variant without a single `rated ACTION CATEGORY [SCORE]` has no table: "
        "every rule in it would order procedures its source does not rate."
    ),
    example=_C + 'source acr "ACR"\n' + 'variant v2 "Variant 2" cite acr "variant 2"\n',
    fix=(
        "Add the table's ratings (`rated us may_be_appropriate 5`), with the category alone where no score "
        "is published."
    ),
)

# -- verification --------------------------------------------------------------

# A guideline whose one decision, `first`, is followed by the rules in each example below.
_V = (
    _G
    + "input size_cm: number in [0, 60] cm\n"
    + 'action mri "MRI" imaging modality mri cross_sectional\n'
    + 'disposition reassure "Reassure" reassure\n'
    + 'disposition refer "Refer to a sarcoma centre" refer within 2 weeks\n'
    + "start first\n"
)

GAP: Final = Code(
    "VP301",
    "gap",
    "A decision does not cover every patient who can reach it.",
    severity=ERROR,
    explanation=(
        "Some patient who can reach the decision (given the assumptions and the conditions on the way) "
        "matches none of its rules, so the pathway has no answer for them. The report gives one such "
        "patient, the whole uncovered region where it can be described, and the path the patient takes."
    ),
    example=_V
    + 'decision first "First" unique\n'
    + "  when size_cm < 5 end reassure rated usually_appropriate 9 cite acr\n"
    + "  when size_cm > 5 order mri end refer rated usually_appropriate 9 cite acr\n",
    fix=(
        "Add a rule for the uncovered patients (here size_cm = 5). If the sources are silent about them, "
        "end in an `uncovered` disposition with `because`, so the gap is stated rather than hidden."
    ),
)
CONFLICT: Final = Code(
    "VP302",
    "conflict",
    "Two rules of a decision match the same patient and give different outcomes.",
    severity=ERROR,
    explanation=(
        "Under `unique` or `any`, at most one outcome may apply to a patient; under `priority`, rules of "
        "equal score must agree. Two rules here match one reachable patient and give different orders or "
        "dispositions, so the pathway contradicts itself for that patient (the report shows one)."
    ),
    example=_V
    + 'decision first "First" unique\n'
    + "  when size_cm <= 5 end reassure rated usually_appropriate 9 cite acr\n"
    + "  when size_cm >= 5 order mri end refer rated usually_appropriate 9 cite acr\n",
    fix=(
        "Make the conditions exclusive (`size_cm < 5` and `size_cm >= 5`), or use hit policy `first` if "
        "the order of the rules is meant to decide."
    ),
)
REDUNDANT_OVERLAP: Final = Code(
    "VP303",
    "redundant-overlap",
    "Two rules of a decision match the same patient and give the same outcome.",
    severity=WARNING,
    explanation=(
        "Under `unique`, two rules match one reachable patient. They agree, so no patient gets two answers, "
        "but the overlap is usually a sign that one threshold is off, and it is a conflict waiting to happen "
        "when one of the rules is edited."
    ),
    example=_V
    + 'decision first "First" unique\n'
    + "  when size_cm <= 5 end reassure rated usually_appropriate 9 cite acr\n"
    + "  when size_cm >= 5 end reassure rated usually_appropriate 9 cite acr\n",
    fix="Merge the two rules, or make their conditions exclusive; hit policy `any` allows agreeing overlaps.",
)
MASKED_RULE: Final = Code(
    "VP304",
    "masked-rule",
    "Under a 'first' or 'priority' policy, a rule that earlier rules always pre-empt.",
    severity=WARNING,
    explanation=(
        "Some patients match the rule, but every one of them also matches an earlier rule (under `first`) "
        "or a higher-rated one (under `priority`), so the rule never applies: it is dead code that reads as "
        "if it were guidance."
    ),
    example=_V
    + 'decision first "First" first\n'
    + "  when size_cm < 5 end reassure rated usually_appropriate 9 cite acr\n"
    + "  when size_cm < 3 order mri end refer rated usually_appropriate 9 cite acr\n"
    + "  otherwise order mri end refer rated usually_appropriate 9 cite acr\n",
    fix="Move the narrower rule before the broader one, or delete it.",
)
DEAD_RULE: Final = Code(
    "VP305",
    "dead-rule",
    "A rule that no patient who reaches its decision can match.",
    severity=WARNING,
    explanation=(
        "No patient who satisfies the assumptions and reaches the decision satisfies the rule's condition, "
        "so the rule never applies. Usually a threshold on the wrong side, or a case already routed "
        "elsewhere earlier in the pathway."
    ),
    example=_V
    + "assume: size_cm < 30\n"
    + 'decision first "First" first\n'
    + "  when size_cm < 5 end reassure rated usually_appropriate 9 cite acr\n"
    + "  when size_cm > 40 end reassure rated usually_appropriate 9 cite acr\n"
    + "  otherwise order mri end refer rated usually_appropriate 9 cite acr\n",
    fix="Correct the condition, or delete the rule if those patients are handled before the decision.",
)
UNREACHABLE: Final = Code(
    "VP306",
    "unreachable",
    "A decision, action or disposition that no patient can reach.",
    severity=WARNING,
    explanation=(
        "Every path to the decision, action or disposition has conditions that no patient satisfies (with "
        "the assumptions), so that part of the pathway is never used. It is a warning: the pathway is "
        "still sound for every patient, but it does not say what was meant. The rule on the way in is "
        "reported as dead (VP305) too."
    ),
    example=_V
    + "assume: size_cm < 30\n"
    + 'decision first "First" first\n'
    + "  when size_cm > 40 then large rated usually_appropriate 9 cite acr\n"
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n"
    + 'decision large "Very large mass" first\n'
    + "  otherwise order mri end refer rated usually_appropriate 9 cite acr\n",
    fix=(
        "Correct the conditions on the way (here the threshold contradicts the assumption), or delete the "
        "unreachable part."
    ),
)
PROPERTY_VIOLATED: Final = Code(
    "VP307",
    "property-violated",
    "A pathway property fails for some patient.",
    severity=ERROR,
    explanation=(
        "A `property` (`never A before B`, `always ends`, `at most N steps`, ...) is false on the path of "
        "some patient. The report gives the patient and the path, with the step where the property fails."
    ),
    example=_V
    + 'decision first "First" unique\n'
    + "  when size_cm < 5 end reassure rated usually_appropriate 9 cite acr\n"
    + "  when size_cm >= 5 order mri end refer rated usually_appropriate 9 cite acr\n"
    + 'property no_mri "No MRI for any patient": never any modality mri\n',
    fix="Change the rules on the reported path so the property holds, or correct the property.",
)
EXAMPLE_FAILED: Final = Code(
    "VP308",
    "example-failed",
    "A scenario example gives other orders or another disposition than expected.",
    severity=ERROR,
    explanation=(
        "An `example` runs one patient through the pathway; the orders it gets (all of them, in order) or "
        "its disposition differ from the `expect` line. Examples pin the pathway to the cases in the source."
    ),
    example=_V
    + 'decision first "First" unique\n'
    + "  when size_cm < 5 end reassure rated usually_appropriate 9 cite acr\n"
    + "  when size_cm >= 5 order mri end refer rated usually_appropriate 9 cite acr\n"
    + 'example "a 6 cm mass is referred" cite acr\n'
    + "  given size_cm = 6\n"
    + "  expect end reassure\n",
    fix="Correct the rules (or, if the source says otherwise, the example's expectation).",
)
UNKNOWN_RESULT: Final = Code(
    "VP309",
    "unknown-result",
    "The solver could not decide a check within its limits; the check is not passed.",
    severity=ERROR,
    explanation=(
        "Z3 reached its timeout or resource limit (or gave up) before proving or refuting a check. An "
        "undecided check is never a pass, so it is an error; `--allow-unknown` reports it as a warning "
        "instead. No example is shown: whether a check is decided depends on the limits and the machine."
    ),
    example="",
    fix="Raise `--timeout` and `--rlimit`, or split a large decision; simpler conditions are decided faster.",
)
INCONSISTENT_ASSUMPTIONS: Final = Code(
    "VP310",
    "inconsistent-assumptions",
    "The assumptions exclude every patient.",
    severity=ERROR,
    explanation=(
        "No patient satisfies every `assume` at once. Every other check would then pass vacuously, so "
        "nothing the verifier says about the pathway would mean anything."
    ),
    example=_V
    + "assume: size_cm > 10\n"
    + "assume: size_cm < 5\n"
    + 'decision first "First" first\n'
    + "  otherwise end reassure rated usually_appropriate 9 cite acr\n",
    fix="Correct the contradictory assumptions (the first is marked); each should describe real patients.",
)

UNUSED_WAIVER: Final = Code(
    "VP311",
    "unused-waiver",
    "A `waive` declaration that matches no finding of the verifier.",
    severity=WARNING,
    explanation=(
        "The verifier ran and did not report the finding the waiver names: the rules were corrected, or "
        "the waiver names the wrong rules. A stale waiver would silently accept the finding if it came "
        "back after a later edit, so it is reported."
    ),
    example=_V
    + 'decision first "First" unique\n'
    + "  when size_cm < 5 end reassure rated usually_appropriate 9 cite acr\n"
    + "  when size_cm >= 5 order mri end refer rated usually_appropriate 9 cite acr\n"
    + 'waive VP303 on decision first rules r1, r2 because "they agree at 5 cm"\n',
    fix="Delete the waiver, or correct the rules it names.",
)
EXAMPLE_BREAKS_ASSUMPTION: Final = Code(
    "VP318",
    "example-breaks-assumption",
    "An example's given facts break an `assume`: no patient has them.",
    severity=ERROR,
    explanation=(
        "Every patient satisfies every assumption, and the verifier proves the pathway only for such "
        "patients; an example whose facts make an assumption false describes a patient who does not exist, "
        "so whatever the pathway does for it proves nothing (the example is not run). Assumptions are "
        "evaluated three-valued on the facts the example gives: a fact left out is unknown, so an "
        "assumption that reads it is unknown rather than false, which is not an error."
    ),
    example=_V
    + 'assume "masses larger than 50 cm are not seen": size_cm <= 50\n'
    + 'decision first "First" unique\n'
    + "  when size_cm < 5 end reassure rated usually_appropriate 9 cite acr\n"
    + "  when size_cm >= 5 order mri end refer rated usually_appropriate 9 cite acr\n"
    + 'example "a 55 cm mass is referred" cite acr\n'
    + "  given size_cm = 55\n"
    + "  expect orders mri then end refer\n",
    fix="Correct the example's facts (usually a typo); if real patients have them, correct the assumption.",
)
UNREAD_EXAMPLE_FACT: Final = Code(
    "VP319",
    "unread-example-fact",
    "An example gives a fact that no decision on its path, and no assumption, reads.",
    severity=WARNING,
    explanation=(
        "The example passes, but one of its given facts makes no difference to it: no decision the example "
        "passes through tests it, and no assumption mentions it. Usually the example takes another path "
        "than its author meant (a finding of a study that is never ordered on the path), or the fact is "
        "left over from an earlier version of the pathway. A fact that does not count reads as if it "
        "mattered to the case."
    ),
    example=_V
    + "input ci: bool\n"
    + 'decision first "First" unique\n'
    + "  when size_cm < 5 end reassure rated usually_appropriate 9 cite acr\n"
    + "  when size_cm >= 5 order mri end refer rated usually_appropriate 9 cite acr\n"
    + 'example "a small mass" cite acr\n'
    + "  given size_cm = 2, ci = true\n"
    + "  expect end reassure\n",
    fix="Delete the fact, or correct the example (or the pathway) so that it takes the path you meant.",
)

# -- coverage hints (`veripath check --coverage`) ----------------------------------

UNTESTED_ROUTE: Final = Code(
    "VP320",
    "untested-route",
    "A rule that no example takes (reported by `check --coverage`).",
    severity=WARNING,
    explanation=(
        "No example's path goes through this rule, so nothing would notice if its orders or its disposition "
        "were changed, or if its patients were sent elsewhere (`veripath mutate` finds such mistakes "
        "surviving). Rules that no patient can take (dead, masked, or in a decision no patient reaches) are "
        "reported by the verifier instead. Reported only with `--coverage`."
    ),
    example=_G
    + "input depth: superficial | deep\n"
    + 'action us "US" imaging modality us\n'
    + 'disposition reassure "Reassure" reassure\n'
    + 'disposition refer "Refer to a sarcoma centre" refer\n'
    + "start first\n"
    + 'decision first "First" unique\n'
    + "  when depth == superficial end reassure rated usually_appropriate 9 cite acr\n"
    + "  when depth == deep order us end refer rated usually_appropriate 9 cite acr\n"
    + 'example "a superficial lump is reassured" cite acr\n'
    + "  given depth = superficial\n"
    + "  expect end reassure\n",
    fix="Add an example, from the source, whose patient takes the rule, with the orders and disposition it expects.",
)
UNTESTED_THRESHOLD: Final = Code(
    "VP321",
    "untested-threshold",
    "A numeric comparison with no example on one of its sides (reported by `check --coverage`).",
    severity=WARNING,
    explanation=(
        "Among the examples that reach the decision, none is on one side of the comparison (here none has "
        "size_cm below 5), so a threshold moved towards that side, or `<` written for `<=`, would change no "
        "example's path. Comparisons of one input with one number that split the patients the same way "
        "(`size_cm < 5` and `size_cm >= 5`) count as one threshold. Reported only with `--coverage`."
    ),
    example=_V
    + "input depth: superficial | deep\n"
    + 'decision first "First" unique\n'
    + "  when depth == superficial or size_cm < 5 end reassure rated usually_appropriate 9 cite acr\n"
    + "  when depth == deep and size_cm >= 5 order mri end refer rated usually_appropriate 9 cite acr\n"
    + 'example "a superficial 8 cm lump is reassured" cite acr\n'
    + "  given depth = superficial, size_cm = 8\n"
    + "  expect end reassure\n"
    + 'example "a deep 8 cm mass is referred" cite acr\n'
    + "  given depth = deep, size_cm = 8\n"
    + "  expect orders mri then end refer\n",
    fix=(
        "Add an example on the untested side, close to the threshold (here a deep mass of 4.9 cm); with one "
        "example at the threshold itself, a `<` written for `<=` is noticed too."
    ),
)

# -- orders against the variant's table ---------------------------------------------

NOT_APPROPRIATE_ORDER: Final = Code(
    "VP322",
    "not-appropriate-order",
    "A rule orders a procedure its variant rates usually not appropriate, without a cited reason.",
    severity=WARNING,
    explanation=(
        "The rule is `in variant V`, and V's table rates a procedure the rule orders (directly or as an "
        "option of a choice) usually not appropriate (1-3) for these patients. That may be deliberate, "
        "for a reason outside the table (another source, a later step the table does not cover), but "
        'then the spec must say so: `ordered A because "why" cite SOURCE "where"`. Without it the '
        "order reads as a mistake, and is reported (`--strict` fails on it)."
    ),
    example=_VT + "  otherwise order ct end reassure in variant v1 cite acr\n",
    fix=(
        "Order what the variant rates appropriate, or give the cited reason: "
        '`ordered ct because "why" cite SOURCE "where"`.'
    ),
)
ORDER_NOT_IN_VARIANT: Final = Code(
    "VP323",
    "order-not-in-variant",
    "A rule in a variant orders a procedure that the variant's table does not rate.",
    severity=WARNING,
    explanation=(
        "The rule is `in variant V`, but V's table has no rating for a procedure the rule orders, so the "
        "spec does not say how the source judges that order for these patients. Either the table is "
        "incomplete (add the rating the source publishes), the rule is in the wrong variant, or the order "
        "goes beyond the table, which the rule should say with a cited reason. The message lists what V "
        "rates."
    ),
    example=_VT + "  otherwise order us end reassure in variant v1 cite acr\n",
    fix=(
        "Add the source's rating of the procedure to the variant, move the rule to the right variant, or "
        'say why: `ordered us because "why" cite SOURCE "where"`.'
    ),
)

# -- export --------------------------------------------------------------------

EXPORT_FAILED: Final = Code(
    "VP401",
    "export-failed",
    "A table could not be written.",
    severity=ERROR,
    explanation=(
        "`veripath build` could not write an output file (no permission, a file where a folder is needed, "
        "a full disk). The spec itself is fine. No example is shown: the cause is the output folder, not "
        "the spec."
    ),
    example="",
    fix="Check that the --out folder can be created and written.",
)
STALE_BUILD: Final = Code(
    "VP402",
    "stale-build",
    "A generated table is out of date with its spec.",
    severity=ERROR,
    explanation=(
        "`veripath build --check` found that a committed output differs from what the spec generates now: "
        "the spec changed and the tables were not rebuilt, so code embedding them would run an old pathway. "
        "No example is shown: the cause is the build folder, not the spec."
    ),
    example="",
    fix="Run `veripath build` and commit the regenerated outputs.",
    # Nothing failed to be written: the committed tables are a finding, like a failed check (exit 1).
    exit_stage=Stage.VERIFY,
)
EXPORT_UNSUPPORTED: Final = Code(
    "VP403",
    "export-unsupported",
    "A construct of the spec cannot be expressed in an export format.",
    severity=ERROR,
    explanation=(
        "An exporter met a construct its format has no way to say, for example a rule that compares two "
        "enumeration inputs with each other (DMN input entries are unary tests on one input or one linear "
        "expression of numbers) or a number with no exact decimal form. The build stops instead of writing "
        "a table that silently drops or changes the rule. "
        "No example is shown: the spec checks; only writing that format fails."
    ),
    example="",
    fix="Rewrite the condition with comparisons against constants, or leave that format out of the build.",
)
OUTPUT_CLASH: Final = Code(
    "VP404",
    "output-clash",
    "Two specs of one build would write the same output files.",
    severity=ERROR,
    explanation=(
        "Outputs are named after the guideline (`<guideline>.py`, `.json`, `.dmn`, `.mmd`), so two specs "
        "that declare the same guideline name in one `veripath build` would overwrite each other's tables; "
        "nothing is written for either. No example is shown: it takes two files."
    ),
    example="",
    fix="Give each guideline its own name, or build them into different folders.",
)

# Every constant above, by its code; for `explain-code` and JSON consumers.
CODES: Final[dict[str, Code]] = {
    c.code: c for c in sorted((v for v in list(globals().values()) if isinstance(v, Code)), key=lambda c: c.code)
}


def lookup(code: str) -> Code | None:
    return CODES.get(code.strip().upper())
