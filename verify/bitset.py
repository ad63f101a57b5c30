"""Bitsets of rules: Python ints with bit k set for rule k.

The table checks keep sets of rules as bitsets so that intersecting the candidates of
several dimensions is one `&` per dimension, whatever the number of rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from verify.budgets import DENSE_BITSET


def bits_of(indices: Sequence[int], n: int) -> int:
    """A bitset (a Python int) with the given bits set."""
    buf = bytearray((n + 7) // 8)
    for i in indices:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def iter_bits(x: int) -> Iterator[int]:
    """Indices of the set bits, ascending."""
    if x.bit_count() > DENSE_BITSET:
        s = bin(x)[:1:-1]
        yield from (i for i, ch in enumerate(s) if ch == "1")
        return
    while x:
        low = x & -x
        yield low.bit_length() - 1
        x ^= low
