"""A daily input folder built from the repository's fixtures: every kind of file the layout knows."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import ORDER_FIXTURES, REPO

SHIP = REPO / "fixtures" / "shipping"
REMIT = REPO / "fixtures" / "remit"
CONFIG = REMIT / "codtool.toml"
AS_OF = "2026-12-10"
LAYOUT = {  # folder under IN -> fixture files
    "orders/demo": ORDER_FIXTURES,
    "calls": [REPO / "fixtures" / "calls" / "outcomes_2026-11-23.csv"],
    "manifests/brt": [SHIP / "manifest_brt.csv"],
    "tracking/brt": [SHIP / "brt_status_2026-11-25.csv", SHIP / "brt_status_2026-11-27.csv",
                     SHIP / "brt_status_2026-12-04.csv"],
    "ndr": [SHIP / "ndr_decisions.csv"],
    "remittances/brt": [REMIT / "remittance_brt_2026-11-28.csv"],
    "bank": [REMIT / "bank_2026-11-30.csv"],
}


def build_folder(root: Path) -> Path:
    """IN under `root`, holding a copy of each fixture where the layout wants it."""
    for folder, files in LAYOUT.items():
        target = root / folder
        target.mkdir(parents=True, exist_ok=True)
        for f in files:
            shutil.copy(f, target / f.name)
    return root


def daily_args(in_dir: Path, out_dir: Path, *extra: str) -> list[str]:
    return ["--config", str(CONFIG), "daily", "--in", str(in_dir), "--out", str(out_dir), "--as-of", AS_OF, *extra]
