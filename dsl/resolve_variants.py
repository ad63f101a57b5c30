"""Variants: published appropriateness tables declared once, and the rules that join them.

A `variant NAME "title" cite ... rated ACTION CATEGORY [SCORE] [disagreement] ...` holds one
published table (an ACR variant). A rule `in variant NAME` takes from it the rating of every
action it orders (each option of a choice included) and, as its `also rated` data, the ratings
of the table's other procedures. Checked here:

- the table: a citation (MISSING_PROVENANCE), at least one rating (EMPTY_VARIANT), each a
  declared action rated once (RATED_TWICE) with a valid category and score (BAD_RATING);
- the rule: a `rated` clause must be the variant's rating (VARIANT_RATING_MISMATCH); `unrated`,
  `also rated`, a rating naming no action or a second variant contradict the table
  (RATING_BESIDE_VARIANT); under `priority` every rating it takes needs a score;
- its orders: an action the table rates usually not appropriate (NOT_APPROPRIATE_ORDER) or does
  not rate (ORDER_NOT_IN_VARIANT) is a warning unless the rule gives a cited reason,
  `ordered ACTION because "why" cite SOURCE`; a reason that explains nothing is MISPLACED_REASON.
"""

from __future__ import annotations

from dsl import ast
from dsl import model as m
from dsl.codes import (
    EMPTY_VARIANT,
    MISPLACED_REASON,
    MISSING_PROVENANCE,
    NOT_APPROPRIATE_ORDER,
    ORDER_NOT_IN_VARIANT,
    PRIORITY_WITHOUT_SCORE,
    RATING_BESIDE_VARIANT,
    RATING_TARGET,
    VARIANT_RATING_MISMATCH,
)
from dsl.diagnostics import Note, diagnostic
from dsl.resolve_provenance import ProvenanceResolver, words
from dsl.source import Span

_ADVISED_AGAINST: m.RatingCategory = "usually_not_appropriate"


class VariantResolver(ProvenanceResolver):
    """Resolves `variant` declarations, and the ratings and reasons of the rules in a variant."""

    variant_table: dict[str, m.Variant]

    def init_variants(self, decls: list[ast.VariantDecl]) -> list[m.Variant]:
        """Every variant declaration, checked; the valid ones are kept for the rules that name them."""
        self.variant_table = {}
        out: list[m.Variant] = []
        for d in decls:
            variant = self._variant(d)
            if variant is not None and self.owns(d.name):
                self.variant_table[variant.name] = variant
                out.append(variant)
        return out

    def _variant(self, d: ast.VariantDecl) -> m.Variant | None:
        if not d.citations:
            self.report(
                diagnostic(
                    MISSING_PROVENANCE,
                    "variant has no citation",
                    d.name.span,
                    hint='add: cite SOURCE "where the table is published"',
                )
            )
        if not d.ratings:
            self.report(
                diagnostic(
                    EMPTY_VARIANT,
                    f"variant '{d.name.text}' rates no procedure",
                    d.name.span,
                    hint="add the table's ratings: rated ACTION CATEGORY [SCORE]",
                )
            )
        seen: dict[str, ast.Rating] = {}
        ratings = []
        for rt in d.ratings:
            assert rt.action is not None
            if not self._rated_once(rt, seen, "variant") or not self.lookup("action", rt.action, "an action"):
                continue
            checked = self._rating(rt)
            if checked is not None:
                ratings.append(checked)
        return m.Variant(
            name=d.name.text,
            title=d.title.value,
            ratings=tuple(ratings),
            citations=self.citations(d.citations),
            notes=tuple(n.value for n in d.notes),
            span=d.span,
        )

    # -- rules --------------------------------------------------------------------------------
    def variant_ratings(
        self, r: ast.Rule, policy: m.HitPolicy, orders: tuple[m.OrderItem, ...]
    ) -> tuple[str | None, tuple[m.Rating, ...], tuple[m.Rating, ...]]:
        """The variant of a rule `in variant V`, the ratings of the actions it orders (V's), and V's
        other ratings (its `also rated` data); the rule's own rating clauses are checked against V."""
        first = r.variants[0]
        for extra in r.variants[1:]:
            self.report(
                diagnostic(
                    RATING_BESIDE_VARIANT,
                    "a rule is in one variant",
                    extra.span,
                    notes=(Note(message="its variant", span=first.span),),
                    hint="a variant is a population of patients: split the rule, one per variant",
                )
            )
        for text in r.unrated:
            self.report(
                diagnostic(
                    RATING_BESIDE_VARIANT,
                    f"the rule is in variant '{first.text}', whose table rates it: it cannot be unrated",
                    text.span,
                    hint="delete 'unrated', or the 'in variant' clause if the rule is outside the variant",
                )
            )
        if r.also_rated:
            self.report(
                diagnostic(
                    RATING_BESIDE_VARIANT,
                    f"the rule is in variant '{first.text}', whose table supplies its 'also rated' data",
                    r.also_rated[0].span,
                    hint="delete 'also rated'; add any rating missing from the table to the variant",
                )
            )
        if not self.lookup("variant", first, "a variant") or first.text not in self.variant_table:
            return None, (), ()
        variant = self.variant_table[first.text]
        ordered = tuple(dict.fromkeys(a for seq in m.expand_orders(orders) for a in seq))
        for rt in r.ratings:
            self._agrees(rt, variant, set(ordered))
        taken = tuple(x for a in ordered for x in [variant.rating_of(a)] if x is not None)
        if policy == "priority" and any(x.score is None for x in taken):
            self.report(
                diagnostic(
                    PRIORITY_WITHOUT_SCORE,
                    f"variant '{variant.name}' rates an action of this rule without a score, "
                    "under hit policy 'priority'",
                    first.span,
                    notes=tuple(Note(message="rated here", span=x.span) for x in taken if x.score is None),
                    hint="the rule with the highest score applies: give the score the source publishes, "
                    "or use hit policy 'first' or 'unique'",
                )
            )
        also = tuple(x for x in variant.ratings if x.action not in ordered)
        return variant.name, taken, also

    def _agrees(self, rt: ast.Rating, variant: m.Variant, ordered: set[str]) -> None:
        """A `rated` clause on a rule in `variant`: it names an action the rule orders, rated as the table does."""
        if rt.action is None:
            self.report(
                diagnostic(
                    RATING_BESIDE_VARIANT,
                    f"a rating on a rule in variant '{variant.name}' names the action it rates",
                    rt.span,
                    hint="rated ACTION CATEGORY [SCORE], as in the variant's table, or delete it",
                )
            )
            return
        if not self.lookup("action", rt.action, "an action"):
            return
        if rt.action.text not in ordered:
            self.report(
                diagnostic(
                    RATING_TARGET,
                    f"the rule does not order '{rt.action.text}'",
                    rt.action.span,
                    hint=f"variant '{variant.name}' holds the ratings of the procedures the rule does not order",
                )
            )
            return
        checked = self._rating(rt)
        if checked is None:
            return
        published = variant.rating_of(rt.action.text)
        if published is None:
            self.report(
                diagnostic(
                    VARIANT_RATING_MISMATCH,
                    f"the rule rates '{rt.action.text}' {checked.grade}, but variant '{variant.name}' does not rate it",
                    rt.span,
                    notes=(Note(message=f"variant '{variant.name}'", span=variant.span),),
                    hint=f"add the rating to the variant if the source publishes it: rated {checked.describe()}",
                )
            )
        elif (published.category, published.score, published.disagreement) != (
            checked.category,
            checked.score,
            checked.disagreement,
        ):
            self.report(
                diagnostic(
                    VARIANT_RATING_MISMATCH,
                    f"the rule rates '{rt.action.text}' {checked.grade}, "
                    f"but variant '{variant.name}' rates it {published.grade}",
                    rt.span,
                    notes=(Note(message=f"variant '{variant.name}' rates it here", span=published.span),),
                    hint="correct the one that is not what the source publishes, or delete the rule's 'rated'",
                )
            )

    def order_reasons(
        self, r: ast.Rule, variant: str | None, orders: tuple[m.OrderItem, ...]
    ) -> tuple[m.OrderReason, ...]:
        """The rule's `ordered A because ... cite S` reasons, checked: each explains an order that
        its variant rates usually not appropriate or does not rate (else MISPLACED_REASON); then the
        warnings for such orders that have no reason."""
        if not r.reasons and variant is None:
            return ()  # nothing to check: no reason given, and no variant that could advise against an order
        table = self.variant_table.get(variant) if variant is not None else None
        ordered = tuple(dict.fromkeys(a for seq in m.expand_orders(orders) for a in seq))
        out: list[m.OrderReason] = []
        seen: dict[str, ast.OrderReason] = {}
        for reason in r.reasons:
            name = reason.action.text
            citation = self.citations((reason.citation,))
            problem = None
            if name in seen:
                problem = f"'{name}' already has a reason in this rule"
            elif not self.lookup("action", reason.action, "an action"):
                continue
            elif name not in ordered:
                problem = f"the rule does not order '{name}'"
            elif not r.variants:
                problem = f"the rule is in no variant, so nothing advises against '{name}'"
            elif table is not None:
                rating = table.rating_of(name)
                if rating is not None and rating.category != _ADVISED_AGAINST:
                    problem = f"variant '{table.name}' rates '{name}' {rating.grade}: there is nothing to explain"
            if problem is not None:
                self.report(
                    diagnostic(
                        MISPLACED_REASON,
                        problem,
                        reason.span,
                        notes=(Note(message="first here", span=seen[name].span),) if name in seen else (),
                        hint="delete the reason, or attach it to the rule and action it explains",
                    )
                )
                continue
            seen[name] = reason
            if citation:
                out.append(
                    m.OrderReason(action=name, reason=reason.reason.value, citation=citation[0], span=reason.span)
                )
        if table is not None:
            self._unexplained_orders(r, table, ordered, {x.action for x in out})
        return tuple(out)

    def _unexplained_orders(self, r: ast.Rule, table: m.Variant, ordered: tuple[str, ...], explained: set[str]) -> None:
        """NOT_APPROPRIATE_ORDER and ORDER_NOT_IN_VARIANT for the orders without a reason, at the order."""
        spans: dict[str, Span] = {}
        for item in r.orders:
            for name in [item] if isinstance(item, ast.Name) else item.actions:
                spans.setdefault(name.text, name.span)
        for action in ordered:
            if action in explained:
                continue
            rating = table.rating_of(action)
            fix = f'ordered {action} because "why" cite SOURCE "where"'
            if rating is None:
                self.report(
                    diagnostic(
                        ORDER_NOT_IN_VARIANT,
                        f"variant '{table.name}' does not rate '{action}', which the rule orders; "
                        f"it rates {words(list(table.actions))}",
                        spans.get(action, r.span),
                        notes=(Note(message=f"variant '{table.name}'", span=table.span),),
                        hint=f"add the source's rating of '{action}' to the variant, or say why: {fix}",
                    )
                )
            elif rating.category == _ADVISED_AGAINST:
                self.report(
                    diagnostic(
                        NOT_APPROPRIATE_ORDER,
                        f"variant '{table.name}' rates '{action}' {rating.grade}, "
                        "and the rule gives no reason for ordering it",
                        spans.get(action, r.span),
                        notes=(Note(message="rated here", span=rating.span),),
                        hint=f"order what the variant rates appropriate, or say why: {fix}",
                    )
                )
