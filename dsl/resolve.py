"""Declarations -> Model: the entry point of resolution, and the declarations themselves.

The parts live beside it: the name table (`dsl.names`), ratings and citations
(`dsl.resolve_provenance`), properties (`dsl.resolve_properties`), examples (`dsl.resolve_examples`)
and named conditions (`dsl.resolve_defines`).

A guideline's pathway may span files: catalogues may declare decisions (a shared follow-on
sub-pathway, or a part of a large guideline). Every decision of every file is checked; the
Model of a guideline holds its own decisions and the catalogue decisions it enters (`start`
or `then`, directly or through other catalogue decisions), so a catalogue decision that this
guideline never enters is neither verified nor reported as unreachable here.

Expressions are delegated to `typecheck`; path-dependent checks (reachability, cycles,
findings known at a decision) need the decision graph and live in `compiler.wellformed`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from dsl import ast
from dsl import model as m
from dsl.codes import (
    BAD_ATTRIBUTE,
    BAD_BOUND,
    BAD_CHOICE,
    DUPLICATE_NAME,
    EMPTY_RANGE,
    MISPLACED_DECLARATION,
    MISPLACED_OTHERWISE,
    MISSING_PROVENANCE,
    MISSING_START,
    RULE_LABEL_CLASH,
    TYPE_MISMATCH,
    UNCOVERED_WITHOUT_REASON,
)
from dsl.diagnostics import Diagnostic, Note, diagnostic, did_you_mean
from dsl.names import declared_name, import_closure
from dsl.resolve_defines import DefineResolver
from dsl.resolve_examples import ExampleResolver
from dsl.resolve_properties import PropertyResolver
from dsl.resolve_variants import VariantResolver
from dsl.source import maker
from dsl.typecheck import ExprChecker, check_unit_name
from dsl.units import TIME_UNITS
from dsl.waivers import resolve_waivers

MAX_VISITS = 100
"""The largest `at most N visits` bound: each visit unrolls another copy of the loop (docs/language.md, "Limits")."""
_AUTOMATIC_LABEL = re.compile(r"r([1-9][0-9]*)")  # rule N without a label is called rN
_make_rule = maker(m.Rule)

MODALITIES = m.MODALITIES
CONTRASTS = m.CONTRASTS
RADIATION_LEVELS = m.RADIATION_LEVELS


class Resolver(PropertyResolver, ExampleResolver, DefineResolver, VariantResolver):
    """Declarations -> Model; the name table, provenance, properties, examples, defines and variants are its bases."""

    def __init__(self, modules: Sequence[ast.Module], imports: Mapping[str, Sequence[str]] | None = None) -> None:
        super().__init__()
        self.modules = modules
        self.root = modules[0]
        if imports is not None:  # without the import graph, catalogues may use any name (not checked)
            self.visible = import_closure(imports)
            self.catalogues = frozenset(mod.path for mod in modules if mod.header.kind == "catalogue")

    # -- the whole thing ----------------------------------------------------------
    def resolve(self) -> m.Model:
        """The Model of a root module and its imports, with every diagnostic found on the way."""
        decls = [d for mod in self.modules for d in mod.decls]
        root_kind = self.root.header.kind
        # Declare every name in source order first, so that a duplicate is always reported at
        # the later declaration, whatever kinds the two declarations have.
        root_ids = {id(d) for d in self.root.decls}
        for d in decls:
            declared = declared_name(d)
            if declared is not None and (declared[0] != "property" or id(d) in root_ids):
                self.declare(*declared)
        for mod in self.modules:  # the root, or a catalogue imported by a guideline
            if mod.header.kind != "catalogue":
                continue
            for d in mod.decls:
                if isinstance(d, ast.StartDecl | ast.PropertyDecl | ast.ExampleDecl | ast.WaiveDecl):
                    self.report(
                        diagnostic(
                            MISPLACED_DECLARATION,
                            f"a catalogue cannot contain {_decl_word(d)}",
                            d.span,
                            hint="a catalogue holds shared declarations and decisions; 'start', properties, "
                            "examples and waivers belong to the guideline",
                        )
                    )
        sources = [self.source(d) for d in decls if isinstance(d, ast.SourceDecl)]
        variables = [v for d in decls if isinstance(d, ast.InputDecl) for v in [self.input(d)] if v]
        actions = [a for d in decls if isinstance(d, ast.ActionDecl) for a in [self.action(d)] if a]
        findings = [f for d in decls if isinstance(d, ast.FindingDecl) for f in [self.finding(d)] if f]
        variables.extend(findings)
        dispositions = [x for d in decls if isinstance(d, ast.DispositionDecl) for x in [self.disposition(d)] if x]
        root_decisions = [d for d in self.root.decls if isinstance(d, ast.DecisionDecl)]
        decision_decls = [d for d in decls if isinstance(d, ast.DecisionDecl)]
        property_decls = [d for d in self.root.decls if isinstance(d, ast.PropertyDecl)]

        self.actions = actions
        self.disposition_kinds = {d.name: d.kind for d in dispositions}
        self.var_table = {v.name: v for v in variables}
        invalid = {n for n, (k, _) in self.names.items() if k == "variable" and n not in self.var_table}
        self.exprs = ExprChecker(
            self.var_table, self.kind_of, self.report, invalid=invalid, named=self.named, used=self.used
        )
        self.source_names = {s.name for s in sources}
        variants = self.init_variants([d for d in decls if isinstance(d, ast.VariantDecl)])
        self.init_defines([d for d in decls if isinstance(d, ast.DefineDecl)])
        self.check_define_names(variables)
        defines = self.defines()

        assumptions = [
            m.Assumption(title=d.title.value if d.title else None, cond=self.exprs.check(d.expr), span=d.span)
            for d in decls
            if isinstance(d, ast.AssumeDecl)
        ]
        every_decision = [self.decision(d) for d in decision_decls]
        start = self.start(root_decisions) if root_kind == "guideline" else None
        root_ids = {id(d) for d in root_decisions}
        own = [d for d, decl in zip(every_decision, decision_decls, strict=True) if id(decl) in root_ids]
        decisions = _entered(every_decision, own, start) if root_kind == "guideline" else every_decision
        props = [p for d in property_decls for p in [self.property(d)] if p] if root_kind == "guideline" else []
        examples = (
            [e for d in self.root.decls if isinstance(d, ast.ExampleDecl) for e in [self.example(d)] if e]
            if root_kind == "guideline"
            else []
        )
        waive_decls = [d for d in self.root.decls if isinstance(d, ast.WaiveDecl)]
        waivers = resolve_waivers(self, waive_decls, every_decision) if root_kind == "guideline" else ()
        if root_kind == "guideline":
            self.check_unused_defines([self.root.path])
        header = self.root.header
        return m.Model(
            kind=root_kind,
            name=header.name.text,
            title=header.title.value,
            version=header.version.value if header.version else None,
            path=self.root.path,
            files=tuple(mod.path for mod in self.modules),
            sources=tuple(sources),
            variables=tuple(variables),
            assumptions=tuple(assumptions),
            actions=tuple(actions),
            dispositions=tuple(dispositions),
            decisions=tuple(decisions),
            start=start,
            properties=tuple(props),
            examples=tuple(examples),
            waivers=waivers,
            defines=tuple(defines),
            variants=tuple(variants),
        )

    # -- declarations -------------------------------------------------------------------
    def source(self, d: ast.SourceDecl) -> m.Source:
        return m.Source(name=d.name.text, title=d.title.value, url=d.url.value if d.url else None, span=d.span)

    def input(self, d: ast.InputDecl) -> m.Variable | None:
        if not self.owns(d.name):
            return None
        typ = self.type(d.type)
        if typ is None:
            return None
        return m.Variable(
            name=d.name.text,
            title=d.title.value if d.title else None,
            type=typ,
            revealed_by=None,
            span=d.span,
        )

    def type(self, spec: ast.TypeSpec) -> m.Type | None:
        if isinstance(spec, ast.BoolTypeSpec):
            return m.BoolType()
        if isinstance(spec, ast.EnumTypeSpec):
            values = self.enum_values(spec.values)
            return m.EnumType(values=values) if values else None
        unit = check_unit_name(spec.unit)
        if spec.low > spec.high:
            self.report(diagnostic(EMPTY_RANGE, "the range is empty: the lower bound exceeds the upper", spec.span))
            return None
        if spec.integer and (spec.low.denominator != 1 or spec.high.denominator != 1):
            self.report(diagnostic(TYPE_MISMATCH, "an integer range needs whole-number bounds", spec.span))
            return None
        return m.NumberType(low=spec.low, high=spec.high, unit=unit, integer=spec.integer)

    def enum_values(self, names: tuple[ast.Name, ...]) -> tuple[str, ...]:
        seen: dict[str, ast.Name] = {}
        for n in names:
            if n.text in seen:
                self.report(
                    diagnostic(
                        DUPLICATE_NAME,
                        f"value '{n.text}' is listed twice",
                        n.span,
                        notes=(Note(message="first listed here", span=seen[n.text].span),),
                    )
                )
            else:
                seen[n.text] = n
        return tuple(seen)

    def finding(self, d: ast.FindingDecl) -> m.Variable | None:
        ok = self.owns(d.name)
        if not self.lookup("action", d.action, "an action"):
            return None
        typ = self.type(d.type)
        if not ok or typ is None:
            return None
        return m.Variable(
            name=d.name.text,
            title=d.title.value if d.title else None,
            type=typ,
            revealed_by=d.action.text,
            span=d.span,
        )

    def action(self, d: ast.ActionDecl) -> m.Action | None:
        ok = self.owns(d.name)
        seen: dict[str, ast.ActionAttr] = {}
        allowed = {
            "modality": MODALITIES,
            "contrast": CONTRASTS,
            "radiation": RADIATION_LEVELS,
            "pediatric_radiation": RADIATION_LEVELS,
        }
        for attr in d.attrs:
            if attr.key in seen:
                self.report(
                    diagnostic(
                        BAD_ATTRIBUTE,
                        f"'{_attr_word(attr.key)}' is given twice",
                        attr.span,
                        notes=(Note(message="first given here", span=seen[attr.key].span),),
                    )
                )
                continue
            seen[attr.key] = attr
            choices = allowed.get(attr.key)
            if choices is not None and attr.value not in choices:
                hint = did_you_mean(attr.value or "", choices) or "one of: " + ", ".join(choices)
                self.report(
                    diagnostic(
                        BAD_ATTRIBUTE,
                        f"unknown {_attr_word(attr.key)} '{attr.value}'",
                        attr.span,
                        hint=hint,
                    )
                )
            if attr.key == "within" and attr.value not in TIME_UNITS:
                self.report(diagnostic(BAD_ATTRIBUTE, f"'{attr.value}' is not a unit of time", attr.span))
        if "kind" not in seen:
            self.report(
                diagnostic(
                    BAD_ATTRIBUTE,
                    f"action '{d.name.text}' has no kind",
                    d.name.span,
                    hint="add 'imaging', 'procedure' or 'referral'",
                )
            )
        if not ok:
            return None

        def val(key: str) -> str | None:
            a = seen.get(key)
            return a.value if a else None

        within = seen.get("within")
        return m.Action(
            name=d.name.text,
            title=d.title.value,
            kind=m.member(m.ACTION_KINDS, val("kind")) or "imaging",
            modality=m.member(m.MODALITIES, val("modality")),
            contrast=m.member(m.CONTRASTS, val("contrast")),
            cross_sectional="cross_sectional" in seen,
            radiation=m.member(m.RADIATION_LEVELS, val("radiation")),
            pediatric_radiation=m.member(m.RADIATION_LEVELS, val("pediatric_radiation")),
            within=m.Duration(amount=within.amount, unit=within.value)
            if within and within.amount is not None and within.value
            else None,
            urgency=m.member(m.URGENCIES, val("urgency")),
            span=d.span,
        )

    def disposition(self, d: ast.DispositionDecl) -> m.Disposition | None:
        ok = self.owns(d.name)
        within = None
        if d.unit is not None:
            if d.unit.text not in TIME_UNITS:
                self.report(diagnostic(BAD_ATTRIBUTE, f"'{d.unit.text}' is not a unit of time", d.unit.span))
            elif d.amount is not None:
                within = m.Duration(amount=d.amount, unit=d.unit.text)
        if not ok:
            return None
        return m.Disposition(name=d.name.text, title=d.title.value, kind=d.kind, within=within, span=d.span)

    def start(self, decisions: list[ast.DecisionDecl]) -> str | None:
        starts = [d for d in self.root.decls if isinstance(d, ast.StartDecl)]
        if not starts:
            where = decisions[0].span if decisions else self.root.header.span
            self.report(
                diagnostic(
                    MISSING_START,
                    "the guideline has no 'start' declaration",
                    where,
                    hint="add 'start NAME' naming the first decision",
                )
            )
            return None
        for extra in starts[1:]:
            self.report(
                diagnostic(
                    MISSING_START,
                    "more than one 'start' declaration",
                    extra.span,
                    notes=(Note(message="first here", span=starts[0].span),),
                )
            )
        target = starts[0].decision
        if not self.lookup("decision", target, "a decision"):
            return None
        return target.text

    def decision(self, d: ast.DecisionDecl) -> m.Decision:
        if d.max_visits is not None and d.max_visits < 1:
            self.report(diagnostic(BAD_BOUND, "a visit bound must be at least 1", d.span))
        elif d.max_visits is not None and d.max_visits > MAX_VISITS:
            self.report(
                diagnostic(
                    BAD_BOUND,
                    f"a visit bound must be at most {MAX_VISITS}, not {d.max_visits:,}",
                    d.span,
                    hint="each extra visit unrolls another copy of the loop into the graph",
                )
            )
        labels: dict[str, ast.Name] = {}
        rules: list[m.Rule] = []
        unlabelled = any(r.label is None for r in d.rules)  # else no label can clash with an automatic name
        for index, r in enumerate(d.rules, start=1):
            if r.label is not None:
                # `rK` names rule K when rule K has no label of its own: then two rules would share the name.
                # Tables that label every rule (generated ones often count from r0) clash with nothing.
                automatic = _AUTOMATIC_LABEL.fullmatch(r.label.text) if unlabelled else None
                other = int(automatic.group(1)) if automatic is not None else 0
                if other not in (0, index) and other <= len(d.rules) and d.rules[other - 1].label is None:
                    self.report(
                        diagnostic(
                            RULE_LABEL_CLASH,
                            f"rule label '{r.label.text}' is the automatic name of rule {other} of this "
                            f"decision, which has no label; two rules would be called '{r.label.text}'",
                            r.label.span,
                            hint=f"choose a descriptive label; this is rule {index} (automatically 'r{index}')",
                        )
                    )
                if r.label.text in labels:
                    self.report(
                        diagnostic(
                            DUPLICATE_NAME,
                            f"rule '{r.label.text}' is already declared in this decision",
                            r.label.span,
                            notes=(Note(message="first here", span=labels[r.label.text].span),),
                        )
                    )
                labels[r.label.text] = r.label
            rules.append(self.rule(d, r, index, rules))
        return m.Decision(
            name=d.name.text,
            title=d.title.value,
            hit_policy=d.hit_policy,
            max_visits=d.max_visits,
            rules=tuple(rules),
            span=d.span,
        )

    def rule(self, d: ast.DecisionDecl, r: ast.Rule, index: int, earlier: list[m.Rule]) -> m.Rule:
        if r.condition is None:
            if index != len(d.rules):
                self.report(
                    diagnostic(
                        MISPLACED_OTHERWISE,
                        "'otherwise' must be the last rule of its decision",
                        r.span,
                        hint="rules after it could never apply",
                    )
                )
            # `otherwise` = no earlier rule matches.
            cond: m.Cond = m.Not(operand=m.Or(operands=tuple(e.cond for e in earlier), span=r.span), span=r.span)
            cond_span = r.span
        else:
            cond = self.exprs.check(r.condition)
            cond_span = r.condition.span
        orders = self.orders(r.orders) if r.orders else ()
        if r.goto is not None:
            self.lookup("decision", r.goto, "a decision")
        reason = None
        if r.finish is not None:
            if self.lookup("disposition", r.finish.disposition, "a disposition"):
                kind = self.disposition_kinds.get(r.finish.disposition.text)
                if kind == "uncovered" and r.finish.reason is None:
                    self.report(
                        diagnostic(
                            UNCOVERED_WITHOUT_REASON,
                            f"'{r.finish.disposition.text}' is an uncovered disposition: say why",
                            r.finish.span,
                            hint='add: because "why no recommendation applies"',
                        )
                    )
            reason = self.shared(r.finish.reason.value) if r.finish.reason else None
        variant: str | None = None
        if r.variants:
            variant, ratings, also_rated = self.variant_ratings(r, d.hit_policy, orders)
        else:
            ratings, also_rated = self.ratings(r, d.hit_policy, orders)
        reasons = self.order_reasons(r, variant, orders)
        citations = self.citations(r.citations)
        if not r.citations:
            self.report(
                diagnostic(
                    MISSING_PROVENANCE,
                    "rule has no citation",
                    r.span,
                    hint='add: cite SOURCE "where in the source"',
                )
            )
        return _make_rule(  # m.Rule, its fields in order (one per rule of a large table: the keyword call costs)
            d.name.text,  # decision
            index,
            r.label.text if r.label else None,  # label
            cond,
            r.condition is None,  # is_otherwise
            orders,
            self.spelling(r.goto) if r.goto else None,  # goto
            self.spelling(r.finish.disposition) if r.finish else None,  # end
            reason,
            ratings,
            also_rated,
            self.shared(r.unrated[0].value) if r.unrated else None,  # unrated
            citations,
            tuple([n.value for n in r.notes]) if r.notes else (),  # notes
            r.span,  # span
            cond_span,
            variant,
            reasons,
        )

    def orders(self, items: tuple[ast.OrderItem, ...]) -> tuple[m.OrderItem, ...]:
        """An order list with its names looked up; a choice must be one, between different options."""
        out: list[m.OrderItem] = []
        choices = [i for i in items if isinstance(i, ast.Choice)]
        for extra in choices[1:]:
            self.report(
                diagnostic(
                    BAD_CHOICE,
                    "an order list holds at most one choice",
                    extra.span,
                    notes=(Note(message="the first choice", span=choices[0].span),),
                    hint="split the rule, or list the combinations as options: one of {(a, c), (b, c)}",
                )
            )
        for item in items:
            if isinstance(item, ast.Name):
                if self.lookup("action", item, "an action"):
                    out.append(item.text)
                continue
            options: list[m.Option] = []
            ok = True
            for option in item.options:
                found = [self.lookup("action", a, "an action") for a in option.actions]
                ok = ok and all(found)
                key = tuple(a.text for a in option.actions)
                if key in options:
                    self.report(
                        diagnostic(
                            BAD_CHOICE,
                            f"option {m.option_text(key) if len(key) > 1 else repr(key[0])} is listed twice",
                            option.span,
                            hint="each option of a choice is a different way to proceed",
                        )
                    )
                    continue
                options.append(key)
            if len(item.options) < 2:
                self.report(
                    diagnostic(
                        BAD_CHOICE,
                        "a choice needs two options or more",
                        item.span,
                        hint=f"order it directly: order {', '.join(options[0]) if options else 'ACTION'}",
                    )
                )
            if ok and item is choices[0] and len(options) >= 2:
                out.append(m.Choice(options=tuple(options), span=item.span))
            elif ok and item is choices[0] and len(options) == 1:
                out.extend(options[0])  # reported; ordered as written, so later checks do not cascade
        return tuple(out)


def _entered(decisions: Sequence[m.Decision], own: Sequence[m.Decision], start: str | None) -> list[m.Decision]:
    """The decisions of a guideline's Model: its `own`, and every catalogue decision that `start` or one
    of them enters, directly or through other catalogue decisions; in load order."""
    by_name = {d.name: d for d in decisions}
    wanted: set[str] = set()
    stack = [d.name for d in own] + ([start] if start is not None else [])
    while stack:
        name = stack.pop()
        if name in wanted or name not in by_name:
            continue
        wanted.add(name)
        stack.extend(r.goto for r in by_name[name].rules if r.goto is not None)
    return [d for d in decisions if d.name in wanted]


def _decl_word(d: ast.Decl) -> str:
    return {
        ast.DecisionDecl: "a decision",
        ast.StartDecl: "a 'start' declaration",
        ast.PropertyDecl: "a property",
        ast.ExampleDecl: "an example",
        ast.WaiveDecl: "a waiver",
    }.get(type(d), "this declaration")


def _attr_word(key: str) -> str:
    return key.replace("_", " ")


def resolve(
    modules: Sequence[ast.Module], imports: Mapping[str, Sequence[str]] | None = None
) -> tuple[m.Model, list[Diagnostic]]:
    """The Model of a root module and its imports, with every diagnostic found on the way.

    `imports` (`ReadResult.imports`: file -> the files it imports) lets the resolver check that
    each catalogue uses only names of the files it imports (CATALOGUE_USES_IMPORTER)."""
    resolver = Resolver(modules, imports)
    model = resolver.resolve()
    # The expression checker calls back into the resolver (bound methods): a reference cycle,
    # which would keep the resolver and the whole AST it holds alive where the collector does not
    # run (the command freezes what the front end built, `veripath.entry.collector`). Broken here,
    # the AST is freed as soon as its reader lets go of it (`ReadResult.release_syntax`).
    del resolver.exprs
    return model, resolver.diagnostics
