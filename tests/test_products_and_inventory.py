"""Shopify products and inventory exports feed dim_products and fct_inventory_snapshots."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES, built

PRODUCTS = (
    "Handle,Title,Vendor,Type,Tags,Option1 Name,Option1 Value,Variant SKU,Variant Grams,"
    "Variant Price,Variant Compare At Price,Status\n"
) + """\
rose-glow-serum,Rose Glow Serum,Aura Labs,Serum,"bestseller, vegan",Size,30 ml,RGS-30ML,80,42.00,,active
rose-glow-serum,,,,,,Travel 10 ml,RGS-10ML,30,20.00,,
rose-glow-serum,,,,,,,,,,,
daily-magnesium,Daily Magnesium,Aura Labs,Supplement,subscription,Count,60 capsules,MAG-60,120,30.00,,active
"""

INVENTORY = """Handle,Title,SKU,Location,Available,On hand,Incoming,Committed
rose-glow-serum,Rose Glow Serum,RGS-30ML,Warehouse,12,14,0,2
rose-glow-serum,Rose Glow Serum,RGS-30ML,Warehouse,99,99,0,0
daily-magnesium,Daily Magnesium,MAG-60,,400,400,100,0
"""


def test_catalogue_and_stock(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "shopify_small", data)
    (data / "products_export.csv").write_text(PRODUCTS)
    (data / "inventory_export.csv").write_text(INVENTORY)
    query = built(tmp_path / "catalogue.duckdb", data,
                  select="+dim_products +fct_inventory_snapshots +mart_input_issues")

    products = {
        r[0]: r[1:]
        for r in query(
            "select product_key, product_title, category, cast(price as double), is_in_catalogue, "
            "unit_count, is_subscription, is_sample_size from dim_products"
        )
    }
    # Title and type sit on the product's first row only; variants inherit them.
    assert products["RGS-10ML"] == ("Rose Glow Serum", "Serum", 20.0, True, None, False, True)
    # The product's 'subscription' tag does not make this one-off variant a subscription.
    assert products["MAG-60"] == ("Daily Magnesium", "Supplement", 30.0, True, 60, False, False)
    # Sold but not in the catalogue: kept, priced at its last selling price.
    assert products["DC-100ML"][2:4] == (30.0, False)

    stock = query(
        "select cast(snapshot_date as varchar), sku, location, available, snapshot_date_source "
        "from fct_inventory_snapshots order by sku"
    )
    assert stock == [
        ("2026-01-03", "MAG-60", "default", 400, "as_of_date"),
        ("2026-01-03", "RGS-30ML", "Warehouse", 12, "as_of_date"),
    ]
    issues = query(
        "select rows_affected, first_file, first_row from mart_input_issues "
        "where input_name = 'inventory' and issue_type = 'duplicate_row'"
    )
    assert issues == [(1, "inventory_export.csv", 3)]
