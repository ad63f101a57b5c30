"""Units of measure: which units exist, their kind, and conversion factors within a kind.

Units of one kind convert exactly (a factor to the kind's base unit); units of different
kinds never do. Durations are two kinds: *clock* durations (minutes, hours, days, weeks:
fixed lengths of time) and *calendar* durations (months, years: 12 months = 1 year). A
calendar month is 28 to 31 days and a year 365 or 366, so no exact factor relates the two
kinds, and a comparison across them is refused with that reason (`conversion_problem`)
rather than silently rounded: "6 weeks" and "2 months" are different thresholds.
"""

from __future__ import annotations

from fractions import Fraction

# unit -> (kind, factor to the kind's base unit). The order is the order of the docs and of
# the "units are: ..." hints (grouped by kind, small to large).
UNITS: dict[str, tuple[str, Fraction]] = {
    "mm": ("length", Fraction(1, 10)),
    "cm": ("length", Fraction(1)),
    "m": ("length", Fraction(100)),
    "g": ("mass", Fraction(1)),
    "kg": ("mass", Fraction(1000)),
    "mL": ("volume", Fraction(1)),
    "L": ("volume", Fraction(1000)),
    "minutes": ("time", Fraction(1, 60)),
    "hours": ("time", Fraction(1)),
    "days": ("time", Fraction(24)),
    "weeks": ("time", Fraction(24 * 7)),
    # Months and years are calendar units: they convert to each other, not to days.
    "months": ("calendar", Fraction(1)),
    "years": ("calendar", Fraction(12)),
    "points": ("score", Fraction(1)),
    "percent": ("percent", Fraction(1)),
    "%": ("percent", Fraction(1)),
    "mL/min": ("clearance", Fraction(1)),
    "mL/min/1.73m2": ("normalised clearance", Fraction(1)),
    "mg/dL": ("mass concentration", Fraction(1)),
    "umol/L": ("molar concentration", Fraction(1)),
    "mmol/L": ("molar concentration", Fraction(1000)),
}

TIME_UNITS = frozenset(u for u, (kind, _) in UNITS.items() if kind in ("time", "calendar"))

# What a kind is called in messages.
KIND_WORDS: dict[str, str] = {
    "length": "a length",
    "mass": "a mass",
    "volume": "a volume",
    "time": "a duration in clock time",
    "calendar": "a duration in calendar time",
    "score": "a score",
    "percent": "a percentage",
    "clearance": "a clearance (mL/min)",
    "normalised clearance": "a clearance per 1.73 m² of body surface (mL/min/1.73m2)",
    "mass concentration": "a mass concentration",
    "molar concentration": "a molar concentration",
}


def kind_of(unit: str) -> str:
    return UNITS[unit][0]


def units_text() -> str:
    """Every unit, for hints: "mm, cm, m, g, ..."."""
    return ", ".join(UNITS)


def convert(value: Fraction, from_unit: str, to_unit: str) -> Fraction | None:
    """`value` in `from_unit` expressed in `to_unit`, or None if the kinds differ."""
    factor = factor_between(from_unit, to_unit)
    return None if factor is None else value * factor


def factor_between(from_unit: str, to_unit: str) -> Fraction | None:
    """The exact factor f with `x from_unit = x * f to_unit`, or None if the kinds differ."""
    from_kind, from_factor = UNITS[from_unit]
    to_kind, to_factor = UNITS[to_unit]
    if from_kind != to_kind:
        return None
    return from_factor / to_factor


def is_calendar_mix(a: str, b: str) -> bool:
    """Whether one unit is a calendar duration (months, years) and the other a clock duration."""
    return {kind_of(a), kind_of(b)} == {"time", "calendar"}


def conversion_problem(a: str, b: str) -> str | None:
    """Why a quantity in `a` cannot be converted to `b` (None if it can)."""
    ka, kb = kind_of(a), kind_of(b)
    if ka == kb:
        return None
    if is_calendar_mix(a, b):
        return (
            f"{a} do not convert to {b}: a calendar month is 28 to 31 days and a year 365 or 366, "
            "so there is no exact conversion"
        )
    if {ka, kb} == {"mass concentration", "molar concentration"}:
        return f"{a} and {b} do not convert: the factor depends on the substance's molar mass"
    return f"{a} is {KIND_WORDS[ka]} and {b} is {KIND_WORDS[kb]}"
