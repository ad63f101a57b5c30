"""Provenance: the citations and the ACR rating every rule (and example) must carry.

A rule without them is MISSING_PROVENANCE: the spec would recommend without saying who
says so or how strongly.
"""

from __future__ import annotations

from dsl import ast
from dsl import model as m
from dsl.codes import (
    BAD_RATING,
    MISSING_PROVENANCE,
    UNKNOWN_SOURCE,
)
from dsl.diagnostics import diagnostic, did_you_mean
from dsl.names import NameTable

CATEGORIES: dict[m.RatingCategory, tuple[int, int]] = {
    "usually_appropriate": (7, 9),
    "may_be_appropriate": (4, 6),
    "usually_not_appropriate": (1, 3),
}


class ProvenanceResolver(NameTable):
    """Resolves citations against the declared sources, and checks ratings against their category."""

    source_names: set[str]

    def citations(self, cites: tuple[ast.Citation, ...]) -> tuple[m.Citation, ...]:
        """The citations whose source is declared; the others are reported (UNKNOWN_SOURCE)."""
        out = []
        for c in cites:
            if c.source.text not in self.source_names:
                self.report(
                    diagnostic(
                        UNKNOWN_SOURCE,
                        f"unknown source '{c.source.text}'",
                        c.source.span,
                        hint=did_you_mean(c.source.text, sorted(self.source_names))
                        or "declare it with 'source NAME \"title\"'",
                    )
                )
                continue
            self.used(c.source)
            out.append(
                m.Citation(
                    source=c.source.text,
                    locator=c.locator.value if c.locator else None,
                    span=c.span,
                )
            )
        return tuple(out)

    def rating(self, r: ast.Rule) -> m.Rating | None:
        """The rule's rating, checked against its category's score range; None when unrated or invalid."""
        given = len(r.ratings) + len(r.unrated)
        if given == 0:
            self.report(
                diagnostic(
                    MISSING_PROVENANCE,
                    "rule has no rating",
                    r.span,
                    hint='add: rated CATEGORY SCORE, or unrated "why no rating applies"',
                )
            )
            return None
        if given > 1:
            self.report(diagnostic(MISSING_PROVENANCE, "rule has more than one rating", r.span))
        if not r.ratings:
            return None
        rt = r.ratings[0]
        category = m.member(m.RATING_CATEGORIES, rt.category.text)
        bounds = CATEGORIES[category] if category is not None else None
        if bounds is None or category is None:
            self.report(
                diagnostic(
                    BAD_RATING,
                    f"unknown rating category '{rt.category.text}'",
                    rt.category.span,
                    hint=did_you_mean(rt.category.text, list(CATEGORIES)) or "one of: " + ", ".join(CATEGORIES),
                )
            )
            return None
        low, high = bounds
        if not low <= rt.score <= high:
            self.report(
                diagnostic(
                    BAD_RATING,
                    f"{rt.category.text} means a score of {low}-{high}, not {rt.score}",
                    rt.span,
                )
            )
        if rt.disagreement and rt.category.text != "may_be_appropriate":
            self.report(diagnostic(BAD_RATING, "only 'may_be_appropriate' ratings carry a disagreement flag", rt.span))
        return m.Rating(category=category, score=rt.score, disagreement=rt.disagreement, span=rt.span)
