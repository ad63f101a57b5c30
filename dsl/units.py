"""Units of measure: which units exist, their kind, and conversion factors within a kind."""

from __future__ import annotations

from fractions import Fraction

# unit -> (kind, factor to the kind's base unit)
UNITS: dict[str, tuple[str, Fraction]] = {
    "mm": ("length", Fraction(1, 10)),
    "cm": ("length", Fraction(1)),
    "m": ("length", Fraction(100)),
    "g": ("mass", Fraction(1)),
    "kg": ("mass", Fraction(1000)),
    "minutes": ("time", Fraction(1, 60)),
    "hours": ("time", Fraction(1)),
    "days": ("time", Fraction(24)),
    "weeks": ("time", Fraction(24 * 7)),
    # Months and years are calendar units: they convert to each other, not to days.
    "months": ("calendar", Fraction(1)),
    "years": ("calendar", Fraction(12)),
}

TIME_UNITS = frozenset(u for u, (kind, _) in UNITS.items() if kind in ("time", "calendar"))


def convert(value: Fraction, from_unit: str, to_unit: str) -> Fraction | None:
    """`value` in `from_unit` expressed in `to_unit`, or None if the kinds differ."""
    from_kind, from_factor = UNITS[from_unit]
    to_kind, to_factor = UNITS[to_unit]
    if from_kind != to_kind:
        return None
    return value * from_factor / to_factor
