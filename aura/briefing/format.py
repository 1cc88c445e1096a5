"""Plain-English formatting for the briefing: money, shares, changes, counts and dates.

Every function takes a value that may be missing (None, NaN, pandas NA, an infinity) and
then returns a sentence fragment saying so (`missing`, "not enough data" by default),
never 'nan', 'None' or 'inf'. Money is in the store's currency: a symbol for the common
codes, else the code after the number. Shares are fractions (0.125 = 12.5%); point changes
are differences of shares (0.025 = 2.5 points).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

NOT_ENOUGH_DATA = "not enough data"
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "JPY": "¥"}


def number(value: object) -> float | None:
    """The value as a finite float, or None when it is missing or not finite."""
    if value is None or isinstance(value, bool | str):
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def money(value: object, currency: str | None = None, *, cents: bool = False,
          missing: str = NOT_ENOUGH_DATA) -> str:
    """41128.58 -> '$41,129' (USD), '41,129 SEK', '41,129' without a currency."""
    x = number(value)
    if x is None:
        return missing
    text = f"{abs(x):,.2f}" if cents else f"{abs(round(x)):,.0f}"
    sign = "-" if x < 0 and text.strip("0.,") else ""
    code = (currency or "").upper()
    if code in CURRENCY_SYMBOLS:
        return f"{sign}{CURRENCY_SYMBOLS[code]}{text}"
    return f"{sign}{text} {code}" if code else f"{sign}{text}"


def money_range(p10: object, p50: object, p90: object, currency: str | None = None,
                missing: str = NOT_ENOUGH_DATA) -> str:
    """'about $1,219 (likely between $327 and $2,099)'."""
    if number(p50) is None:
        return missing
    low, high = money(p10, currency, missing=""), money(p90, currency, missing="")
    if not low or not high:
        return f"about {money(p50, currency)}"
    return f"about {money(p50, currency)} (likely between {low} and {high})"


def count(value: object, singular: str | None = None, plural: str | None = None,
          missing: str = NOT_ENOUGH_DATA) -> str:
    """1234 -> '1,234'; with a noun, '1 customer' / '1,234 customers'."""
    x = number(value)
    if x is None:
        return missing
    text = f"{round(x):,}" if abs(x - round(x)) < 1e-9 else f"{x:,.1f}"
    if singular is None:
        return text
    noun = singular if round(x) == 1 else (plural or singular + "s")
    return f"{text} {noun}"


def share(value: object, digits: int = 1, missing: str = NOT_ENOUGH_DATA) -> str:
    """0.4426 -> '44.3%'."""
    x = number(value)
    return missing if x is None else f"{x * 100:.{digits}f}%"


def points(value: object, digits: int = 1, signed: bool = True, missing: str = NOT_ENOUGH_DATA) -> str:
    """0.0407 -> '+4.1 points' (a difference of two shares)."""
    x = number(value)
    if x is None:
        return missing
    sign = "+" if signed and x > 0 else ""
    return f"{sign}{x * 100:.{digits}f} points"


def relative(value: object, digits: int = 1, signed: bool = True, missing: str = NOT_ENOUGH_DATA) -> str:
    """-0.0207 -> '-2.1%' (a relative change)."""
    x = number(value)
    if x is None:
        return missing
    sign = "+" if signed and x > 0 else ""
    return f"{sign}{x * 100:.{digits}f}%"


def decimal(value: object, digits: int = 2, missing: str = NOT_ENOUGH_DATA) -> str:
    """1.9198 -> '1.92'."""
    x = number(value)
    return missing if x is None else f"{x:,.{digits}f}"


def day(value: object, missing: str = "unknown date") -> str:
    """A date (or timestamp) -> '31 Oct 2026'."""
    if value is None:
        return missing
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.day} {value.strftime('%b %Y')}"
    try:
        return day(date.fromisoformat(str(value)[:10]), missing)
    except ValueError:
        return missing


def month_label(value: date) -> str:
    """date(2026, 10, 31) -> 'October 2026'."""
    return value.strftime("%B %Y")


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def text(value: object, missing: str = "") -> str:
    """A text column for display: missing values become `missing`, never 'None' or 'nan'."""
    if value is None:
        return missing
    if isinstance(value, float) and not math.isfinite(value):
        return missing
    if isinstance(value, Decimal):
        return decimal(value)
    out = str(value).strip()
    return out if out and out.lower() not in {"nan", "none", "<na>", "nat"} else missing
