"""Bitsets of rules: Python ints with bit k set for rule k.

The table checks keep sets of rules as bitsets so that intersecting the candidates of
several dimensions is one `&` per dimension, whatever the number of rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from verify.budgets import SMALL_BITSET

_NONZERO = re.compile(rb"[^\x00]")


def bits_of(indices: Sequence[int], n: int) -> int:
    """A bitset (a Python int) with the given bits set."""
    buf = bytearray((n + 7) // 8)
    for i in indices:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def iter_bits(x: int) -> Iterator[int]:
    """Indices of the set bits, ascending."""
    if x.bit_length() <= SMALL_BITSET:
        while x:
            low = x & -x
            yield low.bit_length() - 1
            x ^= low
        return
    # a large set: peeling a bit costs an operation on the whole integer, so find the non-zero
    # bytes in one pass (a regular expression scan, in C) and peel each byte
    data = x.to_bytes((x.bit_length() + 7) >> 3, "little")
    for hit in _NONZERO.finditer(data):
        at = hit.start()
        byte = data[at]
        base = at << 3
        while byte:
            low = byte & -byte
            yield base + low.bit_length() - 1
            byte ^= low
