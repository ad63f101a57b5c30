"""`@node`: a frozen, slotted, keyword-only dataclass, made for less time at import.

Every `veripath` process imports the AST and the Model (about 90 classes) before it reads
a spec. `dataclasses.dataclass(frozen=True, slots=True, kw_only=True)` writes the source of
seven methods per class and compiles each (`exec`), then builds the class's docstring with
`inspect.signature`: about a millisecond per class on the project's 2-core machine, 0.16 s of
CPU to import `dsl.ast` and `dsl.model` (beyond the standard library), 0.06 s with `@node`
(medians of 11 interleaved processes, byte-compiled). `@node` makes the same dataclass (`dataclasses.fields`, `replace`,
`asdict`, `FrozenInstanceError`, pickling, `match` by keyword all work as before) but
compiles only what must be compiled:

* `__init__` stores each field through its slot (`dsl.source.direct_init`'s route, same
  signature and defaults), the one method written as source;
* `__eq__` and `__hash__` compare and hash the tuple of the compared fields, read by one
  `operator.attrgetter`: the values and hashes dataclasses give, with nothing compiled;
* `__repr__` is shared, and gives the text dataclasses gives;
* the docstring of a class that has none is written from the fields, without `inspect`.

`__setattr__` and `__delattr__` (frozen: `FrozenInstanceError`) and `__getstate__` and
`__setstate__` (pickling, copying) are shared, and do what dataclasses' do. A class
`@node` cannot treat so (a field with a default factory or left out of `__init__`,
`__post_init__`) is made by dataclasses as before, then given `direct_init`'s `__init__`.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

from dsl.source import direct_init, slot_init

_T = TypeVar("_T")


def _repr(self: Any) -> str:
    names: tuple[str, ...] = self.__node_repr__
    return f"{self.__class__.__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in names)})"


def _key(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of the fields `names` of a node (what the dataclass methods compare and hash)."""
    if len(names) > 1:
        get: Callable[[Any], tuple[Any, ...]] = operator.attrgetter(*names)
        return get
    if names:
        one = operator.attrgetter(names[0])
        return lambda self: (one(self),)
    return lambda self: ()


def _eq(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _hash(key: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(key(self))

    return __hash__


def _doc(cls: type) -> str:
    """What dataclasses writes for a class without a docstring: its name and `__init__`'s signature."""
    params = []
    for f in dataclasses.fields(cls):
        default = "" if f.default is dataclasses.MISSING else f" = {f.default!r}"
        params.append(f"{f.name}: {f.type!r}{default}")
    return f"{cls.__name__}(*, {', '.join(params)})" if params else f"{cls.__name__}()"


def _plain(cls: type) -> bool:
    """Whether `@node` can make `cls` (else dataclasses does, see the module's docstring)."""
    if hasattr(cls, "__post_init__"):
        return False
    for name, value in vars(cls).items():
        if isinstance(value, dataclasses.Field) and (
            not value.init or value.default_factory is not dataclasses.MISSING or value.kw_only is False
        ):
            return False
        if name in ("__init__", "__repr__", "__eq__", "__hash__"):
            return False
    return True


def __setattr__(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def __delattr__(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def __getstate__(self: Any) -> list[Any]:  # pickling and copying, as dataclasses does it for frozen slotted classes
    return [getattr(self, f.name) for f in dataclasses.fields(self)]


def __setstate__(self: Any, state: list[Any]) -> None:
    for f, value in zip(dataclasses.fields(self), state, strict=False):
        object.__setattr__(self, f.name, value)


def __init__(self: Any) -> None:  # a node without fields
    pass


@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(dataclasses.field,))
def node(cls: type[_T]) -> type[_T]:
    """`@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)`, compiling less (see above)."""
    if not _plain(cls):
        made: type[_T] = dataclasses.dataclass(frozen=True, slots=True, kw_only=True)(cls)
        return direct_init(made)
    doc = cls.__doc__
    if not doc:
        cls.__doc__ = "-"  # written below, once the fields are known (dataclasses would ask inspect)
    # frozen by the methods below rather than by dataclasses, which would compile two per class
    made = dataclasses.dataclass(init=False, repr=False, eq=False, slots=True, kw_only=True)(cls)
    fields = dataclasses.fields(made)  # type: ignore[arg-type]
    if any(f.default_factory is not dataclasses.MISSING or not f.init for f in fields):  # inherited
        raise TypeError(f"@node cannot make {cls.__qualname__}: a field with a default factory or init=False")
    kind: Any = made
    kind.__setattr__, kind.__delattr__ = __setattr__, __delattr__
    kind.__getstate__, kind.__setstate__ = __getstate__, __setstate__
    kind.__node_repr__ = tuple(f.name for f in fields if f.repr)
    kind.__repr__ = _repr
    compared = _key([f.name for f in fields if f.compare])
    hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
    kind.__eq__ = _eq(compared)
    kind.__hash__ = _hash(compared if hashed == [f.name for f in fields if f.compare] else _key(hashed))
    if not doc:
        kind.__doc__ = _doc(made)
    # the one compiled method (same signature and defaults as dataclasses')
    kind.__init__ = slot_init(made, fields) if fields else __init__
    return made
