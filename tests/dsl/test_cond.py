"""The closed condition language: `Op` laws, the visitor over every node kind, no stray isinstance."""

from __future__ import annotations

import ast as pyast
import itertools
from fractions import Fraction
from pathlib import Path
from typing import get_args

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.pretty import describe_cond
from dsl import model as m
from dsl.cond import CondVisitor, compares, definitely, is_false, named, reads
from dsl.ops import Op
from dsl.source import Span
from verify.evaluate import evaluate, evaluate3

SPAN = Span.point("t.vp", 1, 1)
GRID = [Fraction(x, 2) for x in range(-3, 4)]
ROOT = Path(__file__).resolve().parents[2]
COND_CLASSES = {t.__name__ for t in get_args(m.Cond)}


# -- Op ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", list(Op))
def test_op_laws(op: Op) -> None:
    for a, b in itertools.product(GRID, repeat=2):
        assert op.negate().apply(a, b) == (not op.apply(a, b))
        assert op.flip().apply(b, a) == op.apply(a, b)
        assert op.function(a, b) == op.apply(a, b)
    assert op.negate().negate() is op
    assert op.flip().flip() is op
    assert Op(op.symbol) is op
    assert str(op) == op.symbol


def test_op_symbols_are_the_python_operators() -> None:
    for op in Op:
        for a, b in itertools.product(GRID, repeat=2):
            assert op.apply(a, b) == eval(f"a {op.symbol} b")  # the symbol means what it says
    assert {op for op in Op if op.is_equality} == {Op.EQ, Op.NE}


@pytest.mark.parametrize("op", list(Op))
def test_op_apply_builds_z3_formulas(op: Op) -> None:
    """Z3 overloads every operator, == and != included: apply gives a formula, never a bool."""
    ctx = z3.Context()
    x, y = z3.Int("x", ctx), z3.Int("y", ctx)
    formula = op.apply(x, y)
    assert isinstance(formula, z3.BoolRef)
    for a, b in itertools.product(range(-1, 2), repeat=2):
        s = z3.Solver(ctx=ctx)
        s.add(formula, x == a, y == b)
        assert (s.check() == z3.sat) == op.apply(a, b)


# -- the visitor -------------------------------------------------------------------------------


def _leaf(name: str) -> m.Cond:
    """One node of each kind, by class name (a new kind must be added here, or this fails)."""
    x = m.Linear.of_var("x")
    five = m.Linear.of_const(Fraction(5))
    nodes: dict[str, m.Cond] = {
        "Const": m.Const(value=True, span=SPAN),
        "BoolVar": m.BoolVar(var="b", span=SPAN),
        "EnumIn": m.EnumIn(var="e", values=("u", "v"), span=SPAN),
        "Compare": m.Compare(op=Op.LT, left=x, right=five, span=SPAN),
        "EnumCompare": m.EnumCompare(op=Op.NE, left="e", right="f", span=SPAN),
        "Not": m.Not(operand=m.BoolVar(var="b", span=SPAN), span=SPAN),
        "And": m.And(operands=(m.BoolVar(var="b", span=SPAN), m.Const(value=True, span=SPAN)), span=SPAN),
        "Or": m.Or(operands=(m.BoolVar(var="b", span=SPAN), m.Const(value=False, span=SPAN)), span=SPAN),
        "Named": m.Named(name="red_flags", body=m.EnumIn(var="e", values=("u",), span=SPAN), span=SPAN),
    }
    return nodes[name]


class _Kind(CondVisitor[str]):
    def visit_const(self, c: m.Const) -> str:
        return "Const"

    def visit_bool_var(self, c: m.BoolVar) -> str:
        return "BoolVar"

    def visit_enum_in(self, c: m.EnumIn) -> str:
        return "EnumIn"

    def visit_compare(self, c: m.Compare) -> str:
        return "Compare"

    def visit_enum_compare(self, c: m.EnumCompare) -> str:
        return "EnumCompare"

    def visit_not(self, c: m.Not) -> str:
        return "Not"

    def visit_and(self, c: m.And) -> str:
        return "And"

    def visit_or(self, c: m.Or) -> str:
        return "Or"

    def visit_named(self, c: m.Named) -> str:
        return "Named"


def test_cond_is_the_closed_union_of_the_node_classes() -> None:
    assert {"Const", "BoolVar", "EnumIn", "Compare", "EnumCompare", "Not", "And", "Or", "Named"} == COND_CLASSES
    for t in get_args(m.Cond):
        assert issubclass(t, m.CondBase)
    # every CondBase subclass in the model is in the union
    subclasses = {c.__name__ for c in m.CondBase.__subclasses__()}
    assert subclasses == COND_CLASSES


@pytest.mark.parametrize("kind", sorted(COND_CLASSES))
def test_visitor_dispatches_every_node_kind(kind: str) -> None:
    node = _leaf(kind)
    assert type(node).__name__ == kind
    assert _Kind().visit(node) == kind


@pytest.mark.parametrize("kind", sorted(COND_CLASSES))
def test_every_pass_handles_every_node_kind(kind: str) -> None:
    node = _leaf(kind)
    patient: dict[str, m.Value] = {"b": True, "e": "u", "f": "v", "x": Fraction(3)}
    truth = evaluate(node, patient)
    assert evaluate3(node, patient) is truth
    assert isinstance(describe_cond(node), str) and describe_cond(node)
    names = [v for v, _ in reads(node)]
    assert set(names) <= set(patient)
    if kind != "Const":
        assert names, f"reads() found no variable in a {kind}"


def test_reads_in_source_order_and_compares() -> None:
    x, y = m.Linear.of_var("x"), m.Linear.of_var("y")
    lt = m.Compare(op=Op.LT, left=x, right=y, span=SPAN)
    cond = m.And(
        operands=(
            m.Not(operand=m.BoolVar(var="a", span=SPAN), span=SPAN),
            m.Or(operands=(lt, m.EnumCompare(op=Op.EQ, left="e", right="f", span=SPAN)), span=SPAN),
            m.EnumIn(var="g", values=("u",), span=SPAN),
        ),
        span=SPAN,
    )
    assert [v for v, _ in reads(cond)] == ["a", "x", "y", "e", "f", "g"]
    assert compares(cond) == [lt]


def test_named_conditions_are_read_where_they_are_used() -> None:
    """Inside a define the variables are reported at the use (the rule), not at the define."""
    inner_span, use_span, outer_span = (Span.point("t.vp", line, 1) for line in (2, 5, 9))
    inner = m.Named(name="large", body=m.BoolVar(var="big", span=inner_span), span=inner_span)
    body = m.Or(operands=(inner, m.EnumIn(var="e", values=("u",), span=inner_span)), span=inner_span)
    use = m.Named(name="worrying", body=body, span=use_span)
    cond = m.And(operands=(use, m.BoolVar(var="f", span=outer_span), inner), span=outer_span)
    assert reads(cond) == [("big", use_span), ("e", use_span), ("f", outer_span), ("big", inner_span)]
    assert [n.name for n in named(cond)] == ["worrying", "large"]
    assert describe_cond(cond) == "worrying and f and large"
    assert describe_cond(m.Not(operand=use, span=use_span)) == "not worrying"
    patient: dict[str, m.Value] = {"big": False, "e": "u", "f": True}
    assert evaluate(cond, patient) is False and evaluate(use, patient) is True
    assert evaluate3(use, {"e": "u"}) is True and evaluate3(use, {"e": "v"}) is None


# -- three-valued conditions -------------------------------------------------------------------------

_PATIENT: dict[str, m.Value] = {"b": True, "e": "u", "f": "v", "x": Fraction(3)}
_ATOMS = [_leaf(k) for k in ("Const", "BoolVar", "EnumIn", "Compare", "EnumCompare")] + [
    m.Const(value=False, span=SPAN),
    m.BoolVar(var="c", span=SPAN),
    m.EnumIn(var="f", values=("v",), span=SPAN),
]


def _conds() -> st.SearchStrategy[m.Cond]:
    return st.recursive(
        st.sampled_from(_ATOMS),
        lambda inner: st.one_of(
            inner.map(lambda c: m.Not(operand=c, span=SPAN)),
            st.lists(inner, min_size=1, max_size=3).map(lambda cs: m.And(operands=tuple(cs), span=SPAN)),
            st.lists(inner, min_size=1, max_size=3).map(lambda cs: m.Or(operands=tuple(cs), span=SPAN)),
        ),
        max_leaves=8,
    )


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    cond=_conds(),
    unknown=st.frozensets(st.sampled_from(["b", "c", "e", "f", "x"])),
    flips=st.lists(st.booleans(), min_size=2, max_size=2),
)
def test_definitely_is_kleene_truth(cond: m.Cond, unknown: frozenset[str], flips: list[bool]) -> None:
    """`definitely(c, U)` holds exactly where Kleene's logic calls c true without the values of U,
    reads no variable of U, and folds to false exactly when no patient makes it true."""
    patients = []
    for b, c in itertools.product([False, True], repeat=2):
        p = dict(_PATIENT, b=b, c=c, e="u" if flips[0] else "w", x=Fraction(3 if flips[1] else 7))
        patients.append(p)
    sure = definitely(cond, unknown)
    assert not {v for v, _ in reads(sure)} & unknown
    for p in patients:
        known = {k: v for k, v in p.items() if k not in unknown}
        assert evaluate(sure, p) == (evaluate3(cond, known) is True)
    if is_false(sure):
        assert not any(evaluate3(cond, {k: v for k, v in p.items() if k not in unknown}) for p in patients)
    assert definitely(cond, frozenset()) is cond


# -- nobody else tests the class of a condition node -----------------------------------------------


def _isinstance_of_cond(tree: pyast.AST) -> list[int]:
    """Lines with `isinstance(x, C)` where C mentions a condition class of the model:
    `m.Not`, `model.And`, `m.And | m.Or`, `(m.Not, int)`, or a bare name imported from dsl.model."""
    imported = {
        a.asname or a.name
        for node in pyast.walk(tree)
        if isinstance(node, pyast.ImportFrom) and node.module == "dsl.model"
        for a in node.names
        if a.name in COND_CLASSES
    }

    def is_cond_class(node: pyast.AST) -> bool:
        if isinstance(node, pyast.Attribute):
            return isinstance(node.value, pyast.Name) and node.value.id in ("m", "model") and node.attr in COND_CLASSES
        return isinstance(node, pyast.Name) and node.id in imported

    return [
        node.lineno
        for node in pyast.walk(tree)
        if isinstance(node, pyast.Call)
        and isinstance(node.func, pyast.Name)
        and node.func.id == "isinstance"
        and len(node.args) == 2
        and any(is_cond_class(n) for n in pyast.walk(node.args[1]))
    ]


SCANNED = ("dsl", "compiler", "verify", "veripath")


def test_no_isinstance_on_condition_nodes_outside_the_visitor() -> None:
    offenders = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "dsl" / "cond.py":
                continue
            for line in _isinstance_of_cond(pyast.parse(path.read_text(), filename=str(path))):
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert not offenders, "walk conditions with dsl.cond.CondVisitor, not isinstance: " + ", ".join(offenders)


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("isinstance(c, m.Compare)", True),
        ("isinstance(c, m.And | m.Or)", True),
        ("isinstance(c, (model.Not, int))", True),
        ("from dsl.model import EnumIn\nisinstance(c, EnumIn)", True),
        ("isinstance(t, m.EnumType)", False),
        ("isinstance(expr, ast.Compare)", False),  # the AST has its own Compare
        ("isinstance(x, Compare)", False),  # not imported from dsl.model
    ],
)
def test_the_scan_catches_what_it_should(source: str, caught: bool) -> None:
    assert bool(_isinstance_of_cond(pyast.parse(source))) == caught


# -- closed sets of words ---------------------------------------------------------------------------


def test_closed_sets_are_read_off_their_literals() -> None:
    assert m.HIT_POLICIES == ("unique", "first", "priority", "any")
    assert get_args(m.HitPolicy) == m.HIT_POLICIES
    assert m.member(m.HIT_POLICIES, "first") == "first"
    assert m.member(m.HIT_POLICIES, "firts") is None
    assert m.member(m.CONTRASTS, None) is None
    assert m.one_of(m.PROPERTY_KINDS, "max_steps") == "max_steps"
    with pytest.raises(ValueError, match="not one of"):
        m.one_of(m.DISPOSITION_KINDS, "stop")


def test_resolver_validates_with_the_model_sets() -> None:
    from dsl import resolve
    from dsl import resolve_provenance as provenance

    assert resolve.CONTRASTS is m.CONTRASTS
    assert resolve.RADIATION_LEVELS is m.RADIATION_LEVELS
    assert resolve.MODALITIES is m.MODALITIES
    assert set(provenance.CATEGORIES) == set(m.RATING_CATEGORIES)
