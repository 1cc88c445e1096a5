"""Customer identities: emails, phones and addresses, built in bulk with pyarrow."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

FIRST = (
    "emma olivia ava sophia isabella mia amelia harper evelyn abigail emily ella elizabeth "
    "camila luna sofia avery mila aria scarlett penelope layla chloe victoria madison eleanor "
    "grace nora riley zoey hannah hazel lily ellie violet lillian zoe stella aurora natalie "
    "emilia everly leah aubrey willow addison lucy audrey bella nova brooklyn paisley savannah "
    "claire skylar isla genesis naomi elena caroline jane maya james noah liam lucas ethan"
).split()
LAST = (
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez "
    "gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white harris "
    "sanchez clark ramirez lewis robinson walker young allen king wright scott torres nguyen hill "
    "flores green adams nelson baker hall rivera campbell mitchell carter roberts gomez phillips "
    "evans turner diaz parker cruz edwards collins reyes stewart morris murphy cook rogers doe"
).split()
DOMAINS = (
    ("gmail.com", 0.42), ("yahoo.com", 0.11), ("icloud.com", 0.14), ("hotmail.com", 0.08),
    ("outlook.com", 0.08), ("aol.com", 0.03), ("me.com", 0.03), ("proton.me", 0.02),
    ("comcast.net", 0.03), ("hey.com", 0.06),
)

# country, province, weight, zip low, zip high (US) or postal letters (CA), area codes, tax bp
_GEO: tuple[tuple[str, str, float, int, int, str, tuple[int, ...], int], ...] = (
    ("US", "CA", 12.0, 90001, 96162, "", (213, 310, 415, 619, 714, 818, 408), 880),
    ("US", "TX", 9.0, 75001, 79999, "", (214, 512, 713, 210, 469), 820),
    ("US", "FL", 7.0, 32003, 34997, "", (305, 407, 813, 954, 561), 700),
    ("US", "NY", 7.5, 10001, 14925, "", (212, 718, 917, 646, 516, 585), 885),
    ("US", "PA", 4.0, 15001, 19640, "", (215, 412, 610), 634),
    ("US", "IL", 4.0, 60001, 62999, "", (312, 773, 847), 882),
    ("US", "OH", 3.5, 43001, 45999, "", (216, 614, 513), 724),
    ("US", "GA", 3.3, 30002, 31999, "", (404, 678, 770), 738),
    ("US", "NC", 3.2, 27006, 28909, "", (704, 919, 336), 700),
    ("US", "MI", 3.0, 48001, 49971, "", (313, 248, 616), 600),
    ("US", "NJ", 3.0, 7001, 8989, "", (201, 973, 732), 663),
    ("US", "VA", 2.6, 20101, 24658, "", (703, 804, 757), 600),
    ("US", "WA", 2.4, 98001, 99403, "", (206, 425, 253), 890),
    ("US", "AZ", 2.2, 85001, 86556, "", (480, 602, 520), 840),
    ("US", "MA", 2.3, 1001, 2791, "", (617, 508, 781), 625),
    ("US", "TN", 2.0, 37010, 38589, "", (615, 901, 865), 900),
    ("US", "CO", 1.8, 80001, 81658, "", (303, 720, 719), 780),
    ("US", "MN", 1.7, 55001, 56763, "", (612, 651, 952), 750),
    ("US", "MD", 1.8, 20601, 21930, "", (301, 410, 443), 600),
    ("US", "WI", 1.6, 53001, 54990, "", (414, 608, 920), 600),
    ("US", "CT", 1.2, 6001, 6928, "", (203, 860), 635),
    ("US", "ME", 0.5, 3901, 4992, "", (207,), 650),
    ("CA", "ON", 1.4, 0, 0, "MKLNP", (416, 647, 613), 1300),
    ("CA", "BC", 0.7, 0, 0, "V", (604, 778), 1200),
    ("CA", "QC", 0.5, 0, 0, "HGJ", (514, 438), 1498),
    ("CA", "AB", 0.4, 0, 0, "T", (403, 780), 500),
)
COUNTRY = np.array([g[0] for g in _GEO])
PROVINCE = np.array([g[1] for g in _GEO])
TAX_BP = np.array([g[7] for g in _GEO], dtype=np.int64)
_GEO_P = np.array([g[2] for g in _GEO]) / sum(g[2] for g in _GEO)
_US = np.flatnonzero(COUNTRY == "US")
_LETTERS = np.array(list("ABCEGHJKLMNPRSTVWXYZ"))


@dataclass(frozen=True)
class Identity:
    """Integer draws that determine each simulated customer's identity strings."""

    first: np.ndarray
    last: np.ndarray
    domain: np.ndarray
    style: np.ndarray
    geo: np.ndarray  # shipping geo (index into the geo table)
    billing_geo: np.ndarray
    area: np.ndarray  # phone area code
    zip_num: np.ndarray  # US zip as an integer (CA postal codes are drawn per order)
    accepts: np.ndarray  # accepts email marketing


def draw_identity(n: int, rng: np.random.Generator) -> Identity:
    """Identity draws for `n` customers."""
    geo = rng.choice(len(_GEO), size=n, p=_GEO_P)
    moved = rng.random(n) < 0.03
    billing = np.where(moved & (COUNTRY[geo] == "US"), rng.choice(_US, size=n), geo)
    lo = np.array([g[3] for g in _GEO])[geo]
    hi = np.array([g[4] for g in _GEO])[geo]
    zip_num = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)
    area = _pick_from(_AREAS, geo, rng.random(n))
    return Identity(
        first=rng.integers(0, len(FIRST), n),
        last=rng.integers(0, len(LAST), n),
        domain=rng.choice(len(DOMAINS), size=n, p=[d[1] for d in DOMAINS]),
        style=rng.choice(4, size=n, p=[0.5, 0.2, 0.15, 0.15]),
        geo=geo,
        billing_geo=billing,
        area=area,
        zip_num=zip_num,
        accepts=rng.random(n) < 0.58,
    )


def _table(rows: list[list[object]], fill: object) -> tuple[np.ndarray, np.ndarray]:
    """Ragged per-geo lists as a padded table plus row lengths."""
    width = max(len(r) for r in rows)
    table = np.array([list(r) + [fill] * (width - len(r)) for r in rows])
    return table, np.array([len(r) for r in rows])


_AREAS = _table([list(g[6]) for g in _GEO], 0)
_POSTAL_FIRST = _table([list(g[5] or "X") for g in _GEO], "X")


def _pick_from(table: tuple[np.ndarray, np.ndarray], geo: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One entry of each row's list, chosen uniformly by `u` in [0, 1)."""
    values, lengths = table
    return values[geo, (u * lengths[geo]).astype(np.int64)]


def _str(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def emails(ident: Identity, ids: np.ndarray) -> pa.Array:
    """Canonical (lower-case) email of customers `ids`; unique per customer id."""
    first = pa.array(np.array(FIRST)[ident.first[ids]])
    last = pa.array(np.array(LAST)[ident.last[ids]])
    style = ident.style[ids]
    first = pc.if_else(pa.array(style == 2), pc.utf8_slice_codeunits(first, 0, 1), first)
    sep = pa.array(np.array([".", "", "", "_"])[style])
    domain = pa.array(np.array([d[0] for d in DOMAINS])[ident.domain[ids]])
    return pc.binary_join_element_wise(first, sep, last, _str(ids), "@", domain, "")


def phone_digits(ident: Identity, ids: np.ndarray) -> pa.Array:
    """Ten-digit phone number of customers `ids`; unique per customer id (< 8M ids)."""
    exchange = 200 + ids % 800
    line = pc.utf8_lpad(_str(((ids // 800) * 7919 + 1234) % 10_000), 4, "0")
    return pc.binary_join_element_wise(_str(ident.area[ids]), _str(exchange), line, "")


def format_phones(digits: pa.Array, style: np.ndarray) -> pa.Array:
    """Phones in one of five common formats (style 0 is E.164, the canonical one)."""
    a = pc.utf8_slice_codeunits(digits, 0, 3)
    e = pc.utf8_slice_codeunits(digits, 3, 6)
    x = pc.utf8_slice_codeunits(digits, 6, 10)
    forms = [
        pc.binary_join_element_wise("+1", digits, ""),
        pc.binary_join_element_wise("(", a, ") ", e, "-", x, ""),
        pc.binary_join_element_wise(a, e, x, "-"),
        digits,
        pc.binary_join_element_wise("+1 (", a, ") ", e, "-", x, ""),
    ]
    out = forms[0]
    for k in range(1, len(forms)):
        out = pc.if_else(pa.array(style == k), forms[k], out)
    return out


def email_variants(canonical: pa.Array, style: np.ndarray) -> pa.Array:
    """The same email as customers sometimes type it: 0 as is, 1 trailing space,
    2 Capitalised, 3 UPPER, 4 leading space."""
    forms = [
        canonical,
        pc.binary_join_element_wise(canonical, " ", ""),
        pc.utf8_capitalize(canonical),
        pc.utf8_upper(canonical),
        pc.binary_join_element_wise(" ", canonical, ""),
    ]
    out = forms[0]
    for k in range(1, len(forms)):
        out = pc.if_else(pa.array(style == k), forms[k], out)
    return out


def postal_codes(geo: np.ndarray, zip_num: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """US 5-digit zips (leading zeros kept) and Canadian postal codes like 'M5V 2T6'."""
    us = pc.utf8_lpad(_str(zip_num), 5, "0")
    n = len(geo)
    if not (COUNTRY[geo] == "CA").any():
        return us
    head = _pick_from(_POSTAL_FIRST, geo, rng.random(n))
    d = rng.integers(0, 10, size=(n, 3)).astype(str)
    lt = _LETTERS[rng.integers(0, len(_LETTERS), size=(n, 2))]
    ca = pc.binary_join_element_wise(
        pa.array(head), pa.array(d[:, 0]), pa.array(lt[:, 0]), " ",
        pa.array(d[:, 1]), pa.array(lt[:, 1]), pa.array(d[:, 2]), "",
    )
    return pc.if_else(pa.array(COUNTRY[geo] == "CA"), ca, us)
