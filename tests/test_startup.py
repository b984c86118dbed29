"""Start-up stays light: `--help`, `doctor` and small cron steps must not load the data libraries.

Each command imports the libraries its work needs when it runs (pandas for reading files,
openpyxl for spreadsheets, reportlab for PDFs, the currency and country tables); importing the
command line itself loads none of them. Checked in a fresh interpreter, since the test
session has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Loaded only by the commands that use them; phonenumbers and rapidfuzz are left out while the
# dedupe command's defaults live beside its matcher.
HEAVY = ("pandas", "numpy", "openpyxl", "reportlab", "iso4217", "pycountry", "usaddress", "zipcodes", "psycopg")


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_data_library():
    assert _loaded_after("import codtool.cli") == []


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["import", "--help"], ["calls", "list", "--help"],
                                  ["report", "delivery", "--help"], ["payout", "statement", "--help"]])
def test_help_loads_no_data_library(args):
    code = ("import sys\nfrom codtool.cli import app\n"
            f"try:\n    app({args!r}, prog_name='codtool')\nexcept SystemExit:\n    pass")
    assert _loaded_after(code) == []


def test_the_probe_sees_a_library_that_is_loaded():
    """The check above can fail: importing the importer does load pandas."""
    assert "pandas" in _loaded_after("import codtool.importing.importer")
