"""Converters from public / third-party data sets to Aura's canonical input files.

Each converter is a module with ``convert(input_path, out_dir) -> dict`` returning counts.
Run one with ``python -m aura.convert NAME --input PATH --out DIR``.
"""

from __future__ import annotations

CONVERTERS: dict[str, str] = {
    # name -> module (imported lazily by the CLI)
    "online_retail": "aura.convert.online_retail",
}
