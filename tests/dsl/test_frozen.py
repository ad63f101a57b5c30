"""dsl.frozen.node: the AST, Model and evidence classes behave as the dataclasses they were before."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from fractions import Fraction
from typing import Any

import pytest

from dsl import ast, diagnostics, evidence, model
from dsl.frozen import node
from dsl.source import Span

CLASSES = sorted(
    (
        c
        for m in (ast, model, evidence, diagnostics)
        for c in vars(m).values()
        if isinstance(c, type) and c.__module__ == m.__name__ and dataclasses.is_dataclass(c)
        if not hasattr(c, "__post_init__")  # Model, Diagnostic: made by dataclasses itself
    ),
    key=lambda c: (c.__module__, c.__name__),
)
SPAN = Span(file="f.vp", line=1, column=2, end_line=1, end_column=5)


def _sample(cls: type, salt: int = 0) -> Any:
    """An instance of `cls` whose fields hold distinct hashable values."""
    values = {f.name: (f.name, salt) for f in dataclasses.fields(cls) if f.init}
    return cls(**values)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_repr_eq_hash_are_the_dataclass_ones(cls: type) -> None:
    fields = dataclasses.fields(cls)
    a, b, c = _sample(cls), _sample(cls), _sample(cls, 1)
    shown = ", ".join(f"{f.name}={getattr(a, f.name)!r}" for f in fields if f.repr)
    assert repr(a) == f"{cls.__qualname__}({shown})"
    assert a == b and a.__ne__(b) is False and hash(a) == hash(b)
    hashed = tuple(getattr(a, f.name) for f in fields if (f.compare if f.hash is None else f.hash))
    assert hash(a) == hash(hashed)
    compared = [f for f in fields if f.compare]
    assert (a == c) is (not compared)
    assert a.__eq__(object()) is NotImplemented


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_frozen_pickled_copied_replaced(cls: type) -> None:
    a = _sample(cls)
    name = next((f.name for f in dataclasses.fields(cls) if f.init), None)
    if name is not None:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(a, name, 1)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(a, name)
        assert getattr(dataclasses.replace(a, **{name: "other"}), name) == "other"
    for twin in (pickle.loads(pickle.dumps(a)), copy.copy(a), copy.deepcopy(a)):
        assert type(twin) is cls and twin == a
    assert "__dict__" not in dir(a)  # slotted


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_docstring_signature_and_match_args(cls: type) -> None:
    """An undocumented class gets a docstring (dataclasses': see the twin below); every `__init__`
    takes the fields by keyword."""
    assert cls.__doc__ and cls.__doc__ != "-"
    params = list(inspect.signature(cls).parameters.values())
    expected = [f.name for f in dataclasses.fields(cls) if f.init]
    assert [p.name for p in params] == expected
    if cls is not model.Bound:
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params)
        assert cls.__match_args__ == ()  # type: ignore[attr-defined]


def test_a_node_class_is_its_dataclass_twin() -> None:
    def body() -> type:
        class Point:
            x: Fraction
            label: str = "p"
            span: Span = dataclasses.field(default=SPAN, compare=False, hash=False, repr=False)

        return Point

    made: Any = node(body())
    twin: Any = dataclasses.dataclass(frozen=True, slots=True, kw_only=True)(body())
    a, b = made(x=Fraction(1, 3)), twin(x=Fraction(1, 3))
    assert repr(a) == repr(b) and hash(a) == hash(b) and made.__doc__ == twin.__doc__
    assert a == made(x=Fraction(1, 3), span=Span.point("g", 2, 2)) and a != made(x=Fraction(1, 3), label="q")
    assert made.__doc__ == "Point(*, x: 'Fraction', label: 'str' = 'p', span: 'Span' = " + repr(SPAN) + ")"
    ours, theirs = (inspect.signature(c).parameters.values() for c in (made, twin))
    assert [(p.name, p.kind, p.default) for p in ours] == [(p.name, p.kind, p.default) for p in theirs]
    assert [repr(f) for f in dataclasses.fields(made)] == [repr(f) for f in dataclasses.fields(twin)]
    with pytest.raises(TypeError, match="missing"):
        made()
