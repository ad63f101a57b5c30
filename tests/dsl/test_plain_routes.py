"""The expression checker's plain routes (the frequent atoms of a large table) give exactly what
its general route gives, or decline having reported nothing; the edge cases take the general route."""

from __future__ import annotations

from dsl import ast
from dsl import model as m
from dsl.diagnostics import Diagnostic
from dsl.parser import parse_text
from dsl.resolve import Resolver
from dsl.typecheck import ExprChecker

SPEC = """guideline routes "Routes" version "1"
source s "S"
input size_cm: number in [0, 60] cm
input age: integer in [0, 120] years
input ratio: number in [-1/2, 5/2]
input plain: number in [0, 10]
input depth: superficial | deep
input side: superficial | deep
input fragile: bool
disposition done "Done" discharge
start t
decision t "T" first
  when size_cm > 5 and size_cm <= 5 cm and size_cm in [1, 2) and size_cm in (1, 2] cm end done unrated "u" cite s
  when size_cm > 50 mm and size_cm in [10, 20] mm and size_cm in [1 cm, 2] and size_cm < 61 end done unrated "u" cite s
  when size_cm in [2, 1] and size_cm in [1, 1) and size_cm in [1, 1] and 5 < size_cm end done unrated "u" cite s
  when age >= 18 and age in [18, 65) years and age > 2 months and ratio < 1/3 and ratio in [-1/2, 5/2]
    end done unrated "u" cite s
  when plain == 3 and plain != 3 and plain > 2 * plain - 1 and plain in [1/3, 2/3) end done unrated "u" cite s
  when depth == deep and depth != superficial and depth == side and depth == shallow end done unrated "u" cite s
  when depth in {deep} and depth not in {deep, superficial} and depth in {deep, shallow} end done unrated "u" cite s
  when fragile and not fragile and fragile == true and size_cm > -1 end done unrated "u" cite s
  otherwise end done unrated "u" cite s
"""


Atom = ast.Compare | ast.InRange | ast.Member


def _atoms(module: ast.Module) -> list[Atom]:
    out: list[Atom] = []
    for d in module.decls:
        if isinstance(d, ast.DecisionDecl):
            for r in d.rules:
                if isinstance(r.condition, ast.And):
                    out.extend(a for a in r.condition.operands if isinstance(a, Atom))
    return out


def _both(checker: ExprChecker, atom: Atom, diagnostics: list[Diagnostic]) -> tuple[m.Cond | None, m.Cond]:
    """What the plain route gives (having reported nothing) and what the general route gives."""
    before = len(diagnostics)
    match atom:
        case ast.Compare():
            plain = checker._plain_compare(atom)
            assert len(diagnostics) == before
            return plain, checker._compare(atom)
        case ast.InRange():
            plain = checker._plain_range(atom)
            assert len(diagnostics) == before
            return plain, checker._range(atom)
        case ast.Member():
            plain = checker._plain_member(atom)
            assert len(diagnostics) == before
            return plain, checker._member(atom)


def test_a_plain_route_gives_what_the_general_route_gives() -> None:
    module, problems = parse_text("routes.vp", SPEC)
    assert module is not None and not problems
    resolver = Resolver([module], {"routes.vp": []})
    resolver.resolve()
    checker = resolver.exprs
    taken = declined = 0
    for atom in _atoms(module):
        before = len(resolver.diagnostics)
        plain, general = _both(checker, atom, resolver.diagnostics)
        assert len(resolver.diagnostics) >= before
        if plain is None:
            declined += 1
            continue
        taken += 1
        assert len(resolver.diagnostics) == before, atom  # what the plain route takes is not a problem
        assert plain == general and repr(plain) == repr(general)
        assert not isinstance(plain, m.Const)
    # in range, in the variable's unit: plain; a conversion, a bad unit, an empty or reversed
    # range, a number out of range, arithmetic, a constant on the left, two enums, an unknown value: general
    assert (taken, declined) == (17, 13)
