"""Making user text safe to print: control, bidirectional and line-breaking characters become visible escapes.

Titles, strings and file names come from specs; printed raw, a newline or form feed would forge
extra output lines, and U+202E (right-to-left override) would make text read differently from
what it is. Every renderer of text, diagrams and XML passes user text through `escape_text`.
"""

from __future__ import annotations

import unicodedata

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f", "\v": "\\v"}


def _unsafe(ch: str) -> bool:
    # Cc: C0/C1 controls and DEL; Cf: format characters (bidi overrides and isolates, zero-width
    # characters, BOM); Zl, Zp: U+2028 and U+2029, line and paragraph separators; Cs: lone surrogates.
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def escape_text(text: str) -> str:
    """`text` with every unsafe character written as an escape (`\\n`, `\\u202e`); other text unchanged."""
    if text.isprintable():  # fast path: no character of those categories is printable
        return text
    out = []
    for ch in text:
        if _unsafe(ch):
            out.append(_SHORT.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"))
        else:
            out.append(ch)
    return "".join(out)
