"""dbt-duckdb plugin: registers the statistics UDFs on dbt's DuckDB connection.

profiles.yml (module_paths must contain the project root):

    plugins:
      - module: python_udfs.dbt_plugin
        alias: aura_stats
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from python_udfs.registration import register


class Plugin(BasePlugin):
    def configure_connection(self, conn: Any) -> None:
        register(conn)

    def configure_cursor(self, cursor: Any) -> None:
        # The UDFs are shared by all cursors; the temporary macros are per cursor.
        register(cursor)
