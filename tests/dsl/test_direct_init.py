"""dsl.source.direct_init: AST nodes and spans built through their slots are the same objects."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from dsl import ast
from dsl.source import Span, direct_init, make_span

NODES = (c for c in vars(ast).values() if isinstance(c, type) and c.__module__ == "dsl.ast")
CLASSES = [Span, *sorted((c for c in NODES if dataclasses.is_dataclass(c)), key=lambda c: c.__name__)]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_field_is_stored_and_the_node_stays_frozen(cls: type) -> None:
    assert vars(cls)["__init__"].__qualname__ == f"{cls.__qualname__}.__init__"
    assert "_set0" in vars(cls)["__init__"].__code__.co_names  # the direct route
    values = {f.name: object() for f in dataclasses.fields(cls)}
    node = cls(**values)
    for name, value in values.items():
        assert getattr(node, name) is value
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(node, next(iter(values)), 1)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_the_signature_and_defaults_are_the_dataclass_ones(cls: type) -> None:
    params = list(inspect.signature(vars(cls)["__init__"]).parameters.values())[1:]
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params)
    for p, f in zip(params, fields, strict=True):
        assert p.default is (inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default)
    required = [f.name for f in fields if f.default is dataclasses.MISSING]
    if required:
        with pytest.raises(TypeError, match="missing"):
            cls()


def test_classes_it_cannot_treat_are_left_alone() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Positional:
        x: int

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class WithFactory:
        x: list[int] = dataclasses.field(default_factory=list)

    for cls in (Positional, WithFactory):
        init = vars(cls)["__init__"]
        assert vars(direct_init(cls))["__init__"] is init


def test_spans_compare_hash_and_replace_as_before() -> None:
    a = Span(file="f", line=1, column=2, end_line=1, end_column=3)
    b = Span.point("f", 1, 2)
    assert a == b and hash(a) == hash(b) and a < dataclasses.replace(a, line=2)


def test_the_positional_makers_build_the_same_nodes() -> None:
    span = make_span("f", 1, 2, 3, 4)
    assert span == Span(file="f", line=1, column=2, end_line=3, end_column=4) and type(span) is Span
    assert ast.make_name(span, "x") == ast.Name(text="x", span=span) and type(ast.make_name(span, "x")) is ast.Name
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.line = 5  # type: ignore[misc]
