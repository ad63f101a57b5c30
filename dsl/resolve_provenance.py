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
    PRIORITY_WITHOUT_SCORE,
    RATED_TWICE,
    RATING_TARGET,
    UNKNOWN_SOURCE,
)
from dsl.diagnostics import Note, diagnostic, did_you_mean
from dsl.names import NameTable
from dsl.source import maker

_make_citation = maker(m.Citation)  # m.Citation(source=..., locator=..., span=...), positionally and faster

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
            locator = self.shared(c.locator.value) if c.locator else None
            out.append(_make_citation(self.spelling(c.source), locator, c.span))
        return tuple(out)

    def ratings(
        self, r: ast.Rule, policy: m.HitPolicy, orders: tuple[m.OrderItem, ...]
    ) -> tuple[tuple[m.Rating, ...], tuple[m.Rating, ...]]:
        """The rule's ratings and its `also rated` procedures, each checked (category and score, the
        action it names, each action rated once, a score under `priority`); invalid ones are left out."""
        if not r.ratings and not r.also_rated and len(r.unrated) == 1:
            return (), ()  # `unrated "why"`, the one form that needs none of the checks below
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
        unnamed = [rt for rt in r.ratings if rt.action is None]
        if len(r.unrated) > 1 or len(unnamed) > 1 or (r.unrated and r.ratings):
            self.report(diagnostic(MISSING_PROVENANCE, "rule has more than one rating", r.span))
        # every action the order list names, even where the choice itself is invalid (reported already)
        ordered = {a.text for i in r.orders for a in ([i] if isinstance(i, ast.Name) else i.actions)}
        choice = next((i for i in orders if isinstance(i, m.Choice)), None)
        named = [rt for rt in r.ratings if rt.action is not None]
        if unnamed and named:
            self.report(
                diagnostic(
                    RATING_TARGET,
                    "a rule is rated either as a whole or action by action, not both",
                    unnamed[0].span,
                    hint="name the action this rating is for: rated ACTION CATEGORY SCORE",
                )
            )
        elif unnamed and choice is not None:
            self.report(
                diagnostic(
                    RATING_TARGET,
                    "a rule with a choice rates each option by name",
                    unnamed[0].span,
                    hint="the source rates each procedure: "
                    + "; ".join(f"rated {a} CATEGORY SCORE" for a in choice.actions),
                )
            )
        seen: dict[str, ast.Rating] = {}
        ratings: list[m.Rating] = []
        for rt in r.ratings:
            if rt.action is not None:
                if not self._rated_once(rt, seen) or not self.lookup("action", rt.action, "an action"):
                    continue
                if rt.action.text not in ordered:
                    self.report(
                        diagnostic(
                            RATING_TARGET,
                            f"the rule does not order '{rt.action.text}'",
                            rt.action.span,
                            hint=f"rate a procedure the rule does not order with: also rated {rt.action.text} "
                            f"{rt.category.text}" + (f" {rt.score}" if rt.score is not None else ""),
                        )
                    )
                    continue
            checked = self._rating(rt)
            if checked is None:
                continue
            if policy == "priority" and checked.score is None:
                self.report(
                    diagnostic(
                        PRIORITY_WITHOUT_SCORE,
                        f"'{rt.category.text}' without a score under hit policy 'priority'",
                        rt.span,
                        hint="the rule with the highest score applies: give the score the source publishes, "
                        "or use hit policy 'first' or 'unique'",
                    )
                )
            ratings.append(checked)
        if choice is not None and named and not r.unrated:
            rated = {rt.action.text for rt in named if rt.action is not None}
            missing = [a for a in choice.actions if a not in rated]
            if missing:
                self.report(
                    diagnostic(
                        RATING_TARGET,
                        f"the choice leaves {words(missing)} unrated",
                        choice.span,
                        hint="rate every option by name: " + "; ".join(f"rated {a} CATEGORY SCORE" for a in missing),
                    )
                )
        also: list[m.Rating] = []
        for rt in r.also_rated:
            assert rt.action is not None
            if not self._rated_once(rt, seen) or not self.lookup("action", rt.action, "an action"):
                continue
            if rt.action.text in ordered:
                self.report(
                    diagnostic(
                        RATING_TARGET,
                        f"the rule orders '{rt.action.text}': rate it with 'rated', not 'also rated'",
                        rt.action.span,
                        hint=f"rated {rt.action.text} {rt.category.text}"
                        + (f" {rt.score}" if rt.score is not None else ""),
                    )
                )
                continue
            checked = self._rating(rt)
            if checked is not None:
                also.append(checked)
        return tuple(ratings), tuple(also)

    def _rated_once(self, rt: ast.Rating, seen: dict[str, ast.Rating], where: str = "rule") -> bool:
        """Record the action a rating names; False (and RATED_TWICE) if the rule (or variant) rated it already."""
        assert rt.action is not None
        first = seen.get(rt.action.text)
        if first is not None:
            self.report(
                diagnostic(
                    RATED_TWICE,
                    f"'{rt.action.text}' is rated twice in this {where}",
                    rt.span,
                    notes=(Note(message="first rated here", span=first.span),),
                    hint="each procedure has one rating per variant in the source",
                )
            )
            return False
        seen[rt.action.text] = rt
        return True

    def _rating(self, rt: ast.Rating) -> m.Rating | None:
        """A rating checked against its category's score range; None when the category is unknown."""
        category = m.member(m.RATING_CATEGORIES, rt.category.text)
        if category is None:
            hint = did_you_mean(rt.category.text, list(CATEGORIES)) or "one of: " + ", ".join(CATEGORIES)
            if rt.action is None and self.kind_of(rt.category.text) == "an action":  # `rated radiograph` alone
                name = rt.category.text
                hint = f"'{name}' is an action: name its category after it, e.g. rated {name} usually_appropriate 9"
            self.report(
                diagnostic(BAD_RATING, f"unknown rating category '{rt.category.text}'", rt.category.span, hint=hint)
            )
            return None
        low, high = CATEGORIES[category]
        if rt.score is not None and not low <= rt.score <= high:
            self.report(
                diagnostic(
                    BAD_RATING,
                    f"{rt.category.text} means a score of {low}-{high}, not {rt.score}",
                    rt.span,
                )
            )
        if rt.disagreement and rt.category.text != "may_be_appropriate":
            self.report(diagnostic(BAD_RATING, "only 'may_be_appropriate' ratings carry a disagreement flag", rt.span))
        return m.Rating(
            action=rt.action.text if rt.action is not None else None,
            category=category,
            score=rt.score,
            disagreement=rt.disagreement,
            span=rt.span,
        )


def words(names: list[str]) -> str:
    """`'a'`, `'a' and 'b'`, `'a', 'b' and 'c'`."""
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
