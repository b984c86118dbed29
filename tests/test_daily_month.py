"""A generated stretch of daily folders (scripts/daily_month.py), run day by day as cron would.

Every day's steps succeed; parcels end as the generator lived them; each day's folder run again
that day changes nothing; the outputs of each day are where docs/daily.md says.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from daily_month import build, delivered_on
from test_daily import content

DAYS, PER_DAY = 9, 30


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    return build(tmp_path_factory.mktemp("daily_month"), PER_DAY, DAYS)


def daily(cli, month, day, *extra):
    result = cli("--json", "--config", str(month.config), "daily", "--in", str(month.folder(day)),
                 "--out", str(month.root / "out"), "--as-of", day.isoformat(), *extra)
    assert result.exit_code in (0, 3), result.output
    return json.loads(result.stdout)


def test_a_month_of_days_runs_and_ends_as_the_generator_lived_it(cli, month):
    refused_lines = 0
    for day in month.days:
        summary = daily(cli, month, day)
        assert [s["step"] for s in summary["steps"] if s["status"] != "ok"] == [], (day, summary["steps"])
        assert summary["bad_files"] == []
        refused_lines += sum(f["rejected_lines"] for f in summary["files"] if f["kind"] == "manifests")
        assert (month.root / "out" / day.isoformat() / "calls.xlsx").is_file()
        before = content(cli.db)
        again = daily(cli, month, day)  # cron ran twice, or someone re-ran the night by hand
        assert {f["status"] for f in again["files"]} <= {"already_processed"}
        assert content(cli.db) == before, day
    last = month.days[-1]
    shipped = {r[0] for r in cli.sql("SELECT tracking_number FROM shipments")}
    confirmed = [o for o in month.orders if o.outcome == "confirmed" and o.day + timedelta(days=1) <= last]
    assert len(shipped) == len(confirmed) - refused_lines
    delivered = {o.tracking for o in month.orders if (d := delivered_on(o)) is not None and d < last}
    assert {r[0] for r in cli.sql("SELECT tracking_number FROM shipments WHERE status = 'delivered'")} == (
        delivered & shipped)
    assert cli.sql("SELECT COUNT(*) FROM remittances")[0][0] > 0, "a payout day falls in the stretch"
    assert summary["status"] == "attention"  # the short-paid parcel stays open
    assert list((month.root / "out").glob("*/statements/*.pdf")), "shop cycles closed on the way"
