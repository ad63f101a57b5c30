"""Packages whose public names load on first use (`veripath --help` must not import Z3,
networkx or Lark). One helper for every package's `__init__`, so they cannot drift apart."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, home: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: `home` maps each public name to the module defining it.

    A function that shares its name with its submodule (`compiler.lower`, `verify.simulate`)
    stays the package's attribute when the submodule is imported later, as it did when the
    package imported its names eagerly.
    """
    module = sys.modules[package]

    def load(name: str) -> Any:
        where = home.get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where), name)
        setattr(module, name, value)
        return value

    class _Package(types.ModuleType):
        def __setattr__(self, name: str, value: Any) -> None:
            if isinstance(value, types.ModuleType) and name in home and name == home[name].rpartition(".")[2]:
                value = getattr(value, name)
            super().__setattr__(name, value)

    module.__class__ = _Package
    return load
