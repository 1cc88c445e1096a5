"""A play's audience as the CSV text the app offers for download.

It is the file `python -m aura.audiences` writes (same columns, same people left out: no
email, or declined email marketing), produced by `aura.audiences.export_audiences` into a
temporary folder and read back, so the app and the command line can never disagree.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from aura.audiences import export_audiences


def audience_csv(db_path: Path | str, play_id: str) -> tuple[str, str]:
    """(file name, CSV text) of the play's audience in the build at `db_path`."""
    with tempfile.TemporaryDirectory(prefix="aura-audience-") as tmp:
        [path] = export_audiences(db_path, tmp, plays=[play_id])
        return path.name, path.read_text(encoding="utf-8")
