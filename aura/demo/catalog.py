"""Product catalogues of the demo stores (beauty and supplements)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FULL, TRAVEL, SUB, GIFT = 0, 1, 2, 3
KIND_NAMES = {FULL: "full", TRAVEL: "travel", SUB: "subscription", GIFT: "gift"}

# (title, type, tags, vendor, sku prefix, weight, variants, status)
# variant: (option value, sku suffix, price, grams, kind, compare-at price or None)
_V = tuple[str, str, float, int, int, float | None]
_P = tuple[str, str, str, str, str, float, tuple[_V, ...], str]

BEAUTY: tuple[_P, ...] = (
    ("Rose Glow Serum", "Serum", "serum, bestseller, vegan", "Aura Botanics", "RGS", 10.0,
     (("30 ml", "30ML", 48.0, 90, FULL, None), ("50 ml", "50ML", 72.0, 130, FULL, None),
      ("Travel 10 ml", "10ML", 18.0, 35, TRAVEL, None)), "active"),
    ("Vitamin C Brightening Serum", "Serum", "serum, brightening", "Aura Botanics", "VCS", 8.0,
     (("30 ml", "30ML", 52.0, 90, FULL, None), ("Travel 10 ml", "10ML", 19.0, 35, TRAVEL, None)),
     "active"),
    ("Hyaluronic Hydra Serum", "Serum", "serum, hydrating, vegan", "Aura Botanics", "HHS", 7.0,
     (("30 ml", "30ML", 38.0, 90, FULL, None), ("50 ml", "50ML", 58.0, 130, FULL, None),
      ("Travel 10 ml", "10ML", 15.0, 35, TRAVEL, None)), "active"),
    ("Retinol Renewal Serum", "Serum", "serum, anti-aging", "Aura Botanics", "RRS", 5.0,
     (("30 ml", "30ML", 58.0, 90, FULL, None), ("Sample 5 ml", "5ML", 12.0, 20, TRAVEL, None)),
     "active"),
    ("Niacinamide Clarity Serum", "Serum", "serum, blemish", "Aura Botanics", "NCS", 4.5,
     (("30 ml", "30ML", 34.0, 90, FULL, None), ("Travel 10 ml", "10ML", 14.0, 35, TRAVEL, None)),
     "active"),
    ("Peptide Firming Serum", "Serum", "serum, anti-aging, sale", "Aura Botanics", "PFS", 2.5,
     (("30 ml", "30ML", 62.0, 90, FULL, 78.0),), "active"),
    ("Cloud Cream Moisturizer", "Moisturizer", "moisturizer, bestseller", "Aura Botanics", "CCM",
     8.5, (("50 ml", "50ML", 44.0, 140, FULL, None), ("100 ml", "100ML", 74.0, 250, FULL, None),
           ("Mini 15 ml", "15ML", 16.0, 45, TRAVEL, None)), "active"),
    ("Barrier Repair Cream", "Moisturizer", "moisturizer, sensitive", "Aura Botanics", "BRC", 5.0,
     (("50 ml", "50ML", 40.0, 140, FULL, None), ("Mini 15 ml", "15ML", 15.0, 45, TRAVEL, None)),
     "active"),
    ("Night Recovery Cream", "Moisturizer", "moisturizer, night", "Aura Botanics", "NRC", 3.5,
     (("50 ml", "50ML", 48.0, 140, FULL, None),), "active"),
    ("Oil-Free Gel Moisturizer", "Moisturizer", "moisturizer, oily skin", "Aura Botanics", "OGM",
     3.0, (("50 ml", "50ML", 36.0, 130, FULL, None),
           ("Mini 15 ml", "15ML", 13.0, 40, TRAVEL, None)), "active"),
    ("Gentle Milk Cleanser", "Cleanser", "cleanser, bestseller", "Aura Botanics", "GMC", 7.5,
     (("100 ml", "100ML", 24.0, 160, FULL, None), ("Travel 15 ml", "15ML", 9.0, 40, TRAVEL, None)),
     "active"),
    ("Foaming Gel Cleanser", "Cleanser", "cleanser", "Aura Botanics", "FGC", 4.0,
     (("100 ml", "100ML", 22.0, 160, FULL, None),), "active"),
    ("Melting Balm Cleanser", "Cleanser", "cleanser, balm", "Aura Botanics", "MBC", 3.5,
     (("100 ml", "100ML", 30.0, 170, FULL, None), ("Mini 15 ml", "15ML", 11.0, 40, TRAVEL, None)),
     "active"),
    ("Clay Detox Mask", "Mask", "mask, clay", "Aura Botanics", "CDM", 3.0,
     (("50 ml", "50ML", 32.0, 150, FULL, None), ("100 ml", "100ML", 50.0, 260, FULL, None)),
     "active"),
    ("Overnight Glow Mask", "Mask", "mask, overnight", "Aura Botanics", "OGL", 3.0,
     (("50 ml", "50ML", 36.0, 150, FULL, None), ("Mini 15 ml", "15ML", 13.0, 45, TRAVEL, None)),
     "active"),
    ("Hydrating Sheet Mask Set", "Mask", "mask, sheet", "Aura Botanics", "HSM", 2.0,
     (("5 pack", "5PK", 22.0, 120, FULL, None),), "active"),
    ("Daily Shield SPF 50", "Sunscreen", "spf, sunscreen, bestseller", "Aura Botanics", "DSS", 6.0,
     (("50 ml", "50ML", 32.0, 140, FULL, None), ("Travel 15 ml", "15ML", 12.0, 45, TRAVEL, None)),
     "active"),
    ("Tinted Mineral SPF 30", "Sunscreen", "spf, tinted", "Aura Botanics", "TMS", 2.5,
     (("50 ml", "50ML", 34.0, 140, FULL, None),), "active"),
    ("Bright Eyes Cream", "Eye Care", "eye", "Aura Botanics", "BEC", 3.0,
     (("15 ml", "15ML", 38.0, 60, FULL, None), ("Sample 5 ml", "5ML", 11.0, 20, TRAVEL, None)),
     "active"),
    ("Caffeine Eye Serum", "Eye Care", "eye, serum", "Aura Botanics", "CES", 2.0,
     (("15 ml", "15ML", 30.0, 60, FULL, None),), "active"),
    ("Balancing Toner", "Toner", "toner", "Aura Botanics", "BTN", 3.5,
     (("100 ml", "100ML", 26.0, 170, FULL, None), ("Travel 15 ml", "15ML", 9.0, 40, TRAVEL, None)),
     "active"),
    ("Essence Mist", "Toner", "toner, mist", "Aura Botanics", "EMS", 2.0,
     (("100 ml", "100ML", 28.0, 160, FULL, None),), "active"),
    ("Lip Repair Balm", "Lip Care", "lip", "Aura Botanics", "LRB", 3.0,
     (("15 ml", "15ML", 14.0, 30, FULL, None),), "active"),
    ("Silk Body Oil", "Body", "body, oil", "Aura Botanics", "SBO", 1.5,
     (("100 ml", "100ML", 42.0, 220, FULL, 48.0),), "active"),
    ("Jade Facial Roller", "", "tool", "Luna Tools", "JFR", 1.2,
     (("Default Title", "1", 28.0, 180, FULL, None),), "active"),
    ("Gua Sha Stone", "", "tool", "Luna Tools", "GSS", 1.0,
     (("Default Title", "1", 24.0, 120, FULL, None),), "active"),
    ("Skincare Discovery Set", "Set", "set, gift", "Aura Botanics", "DSC", 2.0,
     (("Default Title", "1", 35.0, 200, FULL, None),), "active"),
    ("Sakura Limited Edition Serum", "Serum", "serum, limited", "Aura Botanics", "SKS", 0.0,
     (("30 ml", "30ML", 66.0, 90, FULL, None),), "draft"),
    ("Free Gift - Mini Rose Glow Serum", "Gift", "gift, hidden", "Aura Botanics", "GWP", 0.0,
     (("5 ml", "RGS-5ML", 0.0, 20, GIFT, None),), "active"),
)

SUPPLEMENTS: tuple[_P, ...] = (
    ("Daily Magnesium", "Capsules", "magnesium, sleep, subscription", "Vital Daily", "DMG", 10.0,
     (("60 capsules", "60C", 26.0, 110, FULL, None),
      ("120 capsules", "120C", 44.0, 190, FULL, None),
      ("60 capsules (Subscribe & Save)", "60C-SUB", 22.10, 110, SUB, 26.0)), "active"),
    ("Vitamin D3 + K2", "Capsules", "vitamins, immunity, subscription", "Vital Daily", "VDK", 7.0,
     (("60 capsules", "60C", 22.0, 80, FULL, None),
      ("60 capsules (Subscribe & Save)", "60C-SUB", 18.70, 80, SUB, 22.0)), "active"),
    ("Omega-3 Fish Oil", "Capsules", "omega, heart, subscription", "Vital Daily", "OMG", 8.0,
     (("60 softgels", "60SG", 30.0, 150, FULL, None),
      ("120 softgels", "120SG", 52.0, 280, FULL, 58.0),
      ("60 softgels (Subscribe & Save)", "60SG-SUB", 25.50, 150, SUB, 30.0)), "active"),
    ("Probiotic 50B", "Capsules", "gut, subscription", "Vital Daily", "PRB", 7.5,
     (("30 capsules", "30C", 39.0, 70, FULL, None),
      ("30 capsules (Subscribe & Save)", "30C-SUB", 33.15, 70, SUB, 39.0)), "active"),
    ("Ashwagandha Calm", "Capsules", "stress, subscription", "Vital Daily", "ASH", 4.5,
     (("60 capsules", "60C", 27.0, 90, FULL, None),
      ("60 capsules (Subscribe & Save)", "60C-SUB", 22.95, 90, SUB, 27.0)), "active"),
    ("Iron + Vitamin C", "Capsules", "vitamins", "Vital Daily", "IRC", 2.0,
     (("60 capsules", "60C", 18.0, 70, FULL, None),), "active"),
    ("Zinc Immune", "Capsules", "immunity", "Vital Daily", "ZNI", 2.0,
     (("60 capsules", "60C", 16.0, 60, FULL, None),), "active"),
    ("B-Complex", "Capsules", "vitamins, energy, subscription", "Vital Daily", "BCX", 3.0,
     (("60 capsules", "60C", 22.0, 70, FULL, None),
      ("60 capsules (Subscribe & Save)", "60C-SUB", 18.70, 70, SUB, 22.0)), "active"),
    ("Turmeric Curcumin", "Capsules", "joint", "Vital Daily", "TUR", 2.5,
     (("60 capsules", "60C", 28.0, 90, FULL, None),), "active"),
    ("Deep Sleep Support", "Capsules", "sleep, subscription", "Vital Daily", "SLP", 4.0,
     (("60 capsules", "60C", 26.0, 80, FULL, None),
      ("60 capsules (Subscribe & Save)", "60C-SUB", 22.10, 80, SUB, 26.0)), "active"),
    ("Collagen Beauty Gummies", "Gummies", "collagen, beauty, subscription", "Vital Daily", "CLG",
     6.0, (("60 gummies", "60G", 30.0, 200, FULL, None),
           ("60 gummies (Subscribe & Save)", "60G-SUB", 25.50, 200, SUB, 30.0)), "active"),
    ("Multivitamin Gummies", "Gummies", "vitamins, subscription", "Vital Daily", "MVG", 6.5,
     (("60 gummies", "60G", 25.0, 200, FULL, None),
      ("60 gummies (Subscribe & Save)", "60G-SUB", 21.25, 200, SUB, 25.0)), "active"),
    ("Biotin Hair Gummies", "Gummies", "hair, beauty", "Vital Daily", "BHG", 3.5,
     (("60 gummies", "60G", 24.0, 200, FULL, None),), "active"),
    ("Apple Cider Vinegar Gummies", "Gummies", "digestion, sale", "Vital Daily", "ACV", 2.0,
     (("60 gummies", "60G", 19.0, 200, FULL, 24.0),), "active"),
    ("Greens Superfood Powder", "Powder", "greens, subscription", "Pure Sprout", "GSP", 6.0,
     (("30 servings", "30S", 49.0, 300, FULL, None),
      ("Travel Pack 5 servings", "5S", 11.0, 60, TRAVEL, None),
      ("30 servings (Subscribe & Save)", "30S-SUB", 41.65, 300, SUB, 49.0)), "active"),
    ("Collagen Peptides Powder", "Powder", "collagen, subscription", "Pure Sprout", "CPP", 4.5,
     (("30 servings", "30S", 44.0, 330, FULL, None),
      ("30 servings (Subscribe & Save)", "30S-SUB", 37.40, 330, SUB, 44.0)), "active"),
    ("Plant Protein Powder", "", "protein", "Pure Sprout", "PPP", 2.5,
     (("20 servings", "20S", 42.0, 640, FULL, None),), "active"),
    ("Electrolyte Hydration Mix", "Powder", "hydration, subscription", "Vital Daily", "ELM", 4.0,
     (("30 servings", "30S", 32.0, 240, FULL, None),
      ("Trial 5 sticks", "5ST", 8.0, 40, TRAVEL, None),
      ("30 servings (Subscribe & Save)", "30S-SUB", 27.20, 240, SUB, 32.0)), "active"),
    ("Weekly Pill Organizer", "", "accessory", "Vital Daily", "PLO", 1.0,
     (("Default Title", "1", 12.0, 60, FULL, None),), "active"),
    ("Shaker Bottle", "Accessory", "accessory", "Vital Daily", "SHK", 1.0,
     (("Default Title", "1", 15.0, 150, FULL, None),), "active"),
    ("Free Gift - Greens Travel Pack", "Gift", "gift, hidden", "Pure Sprout", "GWP", 0.0,
     (("5 servings", "GSP-5S", 0.0, 60, GIFT, None),), "active"),
)


def _handle(title: str) -> str:
    keep = "".join(ch.lower() if ch.isalnum() else "-" for ch in title)
    return "-".join(part for part in keep.split("-") if part)


@dataclass(frozen=True)
class Catalog:
    """Variants (one row each) plus per-product lookups used by the order simulation."""

    variants: pd.DataFrame  # one row per variant; see `build_catalog`
    main_full: np.ndarray  # per product: index of its first full-size variant (-1 if none)
    travel: np.ndarray  # per product: index of its travel/sample variant (-1 if none)
    sub: np.ndarray  # per product: index of its Subscribe & Save variant (-1 if none)
    product_weight: np.ndarray  # per product: popularity weight
    gift: int  # index of the free-gift variant

    @property
    def n_products(self) -> int:
        return len(self.product_weight)


def build_catalog(vertical: str) -> Catalog:
    """The catalogue of `vertical` ('beauty' or 'supplements')."""
    products = BEAUTY if vertical == "beauty" else SUPPLEMENTS
    rows: list[dict[str, object]] = []
    n = len(products)
    main_full = np.full(n, -1, dtype=np.int64)
    travel = np.full(n, -1, dtype=np.int64)
    sub = np.full(n, -1, dtype=np.int64)
    weight = np.zeros(n)
    gift = -1
    for p, (title, ptype, tags, vendor, prefix, w, variants, status) in enumerate(products):
        weight[p] = w
        for j, (value, suffix, price, grams, kind, compare) in enumerate(variants):
            v = len(rows)
            sku = f"{prefix}-{suffix}"
            if kind == FULL and main_full[p] < 0:
                main_full[p] = v
            elif kind == TRAVEL:
                travel[p] = v
            elif kind == SUB:
                sub[p] = v
            elif kind == GIFT:
                gift = v
            rows.append(
                {
                    "product": p, "handle": _handle(title), "title": title, "type": ptype,
                    "tags": tags, "vendor": vendor, "option": value, "sku": sku,
                    "grams": grams, "price_cents": round(price * 100),
                    "compare_cents": round(compare * 100) if compare else 0,
                    "kind": kind, "status": status, "first": j == 0,
                    "name": title if value == "Default Title" else f"{title} - {value}",
                }
            )
    return Catalog(pd.DataFrame(rows), main_full, travel, sub, weight, gift)


def general_weights(cat: Catalog) -> np.ndarray:
    """Probability of each variant as an add-on line (no subscription or gift variants)."""
    v = cat.variants
    pw = cat.product_weight[v["product"].to_numpy()]
    is_main = np.zeros(len(v), dtype=bool)
    is_main[cat.main_full[cat.main_full >= 0]] = True
    share = np.select(
        [is_main, v["kind"].to_numpy() == FULL, v["kind"].to_numpy() == TRAVEL], [0.75, 0.25, 0.2],
        0.0,
    )
    w = pw * share
    return w / w.sum()


def sub_weights(cat: Catalog) -> np.ndarray:
    """Probability of each variant as an extra Subscribe & Save line."""
    v = cat.variants
    w = np.where(v["kind"].to_numpy() == SUB, cat.product_weight[v["product"].to_numpy()], 0.0)
    return w / w.sum() if w.sum() > 0 else w
