"""`codtool calls list|record|confirm` and `codtool notify export|mark-sent|templates`."""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from codtool.commands import CsvDialectOption, ForceOption, SheetOption, add_group, choices, day_option, output_file
from codtool.exports import ExportError, export_format
from codtool.input_policy import MAX_ID
from codtool.notify.call_sheet import json_reasons_text, write_call_sheet
from codtool.notify.templates import KINDS, LANGUAGES, Templates, load_templates, templates_folder
from codtool.render import table
from codtool.state import state_of

SHOWN = 50  # calls the table shows, riskiest first

if TYPE_CHECKING:  # the stage libraries are imported by the commands that run them: --help stays fast
    from rich.console import Console

    from codtool.notify.calls import CallList, ConfirmResult
    from codtool.notify.notices import NoticeResult
    from codtool.notify.outcomes import RecordResult
    from codtool.notify.sent import MarkResult

Kind = choices("Kind", KINDS)
Language = choices("Language", LANGUAGES)
PolicyOption = Annotated[Path | None, typer.Option("--policy", help="TOML file with the confirmation policy.")]
DateOption = Annotated[str | None, typer.Option("--date", metavar="DATE",
                                                help="Day to plan, YYYY-MM-DD (default: today).")]



def register(app: typer.Typer) -> None:
    add_group(app, "calls", "Confirmation calls: who to phone, and what they said.",
              {"list": list_calls, "record": record, "confirm": confirm})
    add_group(app, "notify", "Customer messages: WhatsApp links and SMS text.",
              {"export": notify_export, "mark-sent": notify_mark_sent, "templates": notify_templates})


def _checked_out(path: Path | None, force: bool) -> Path | None:
    if path is not None:
        try:
            export_format(path)
        except ExportError as exc:
            raise typer.BadParameter(str(exc), param_hint="--out") from None
        export_format(path, force)  # an existing file is a one-line error, not a usage error
    return path


def list_calls(
    ctx: typer.Context,
    day: DateOption = None,
    limit: Annotated[int | None, typer.Option(min=1, max=MAX_ID,
                                                                    help="At most this many, riskiest first.")] = None,
    out: Annotated[Path | None, typer.Option(help="Also write the call sheet to FILE.csv or FILE.xlsx.")] = None,
    policy: PolicyOption = None,
    csv_dialect: CsvDialectOption = "machine",
    force: ForceOption = False,
) -> None:
    """Orders to phone today, riskiest first, with the reasons and the number to dial.

    Example: codtool calls list --out calls.xlsx
    """
    out = _checked_out(out, force)
    if out is not None:
        output_file(out, force, csv_dialect)
    from codtool.notify.calls import awaiting_count, call_list
    from codtool.notify.policy import load_policy

    state = state_of(ctx)
    state.on_interrupt("nothing recorded (calls list only reads the ledger) and no call sheet written.")
    when = day_option(day, "--date")
    total = awaiting_count(state.ledger(), when) if state.output.watched else None
    with state.output.progress("Scoring open orders", total, unit="orders") as tick:
        result = call_list(state.ledger(), when, load_policy(policy), limit, tick)
    if out is not None:
        write_call_sheet(out, result.calls, force, csv_dialect)
        result.file = str(out)
    data = result.to_json() if state.output.as_json else None  # the lines are read back only for --json
    state.output.emit(data, lambda c: _show_list(c, result))


def _show_list(console: Console, result: CallList) -> None:
    """The riskiest SHOWN calls: a big day's table (78,000 rows: 100 s and 1.3 GB to draw) would only
    scroll by; the whole list is the call sheet (--out) or --json."""
    cols = ("id", "order", "customer", "phone", "e164", "address", "amount", "items", "score", "reasons", "attempt")
    rows = ((r["id"], r["order"], r["customer"], r["phone_national"], r["phone_e164"], r["address"],
             f"{r['amount']} {r['currency']}", r["items"], r["score"],
             json_reasons_text(r["reasons"]).replace("; ", "\n"),
             r["attempt"]) for r in islice(result.calls, SHOWN))
    console.print(table(f"Calls for {result.day} ({len(result.calls)})", cols, rows, numeric=("amount", "score"),
                        drop_first=("attempt", "items", "phone", "address")))
    if len(result.calls) > SHOWN:
        where = f"every call is in {result.file}" if result.file else "write them all with --out FILE.xlsx"
        console.print(f"... and {len(result.calls) - SHOWN} more, less risky: {where}.")
    console.print(f"{result.needs_no_call} low-risk orders need no call (codtool calls confirm); "
                  f"{result.not_due_yet} wait for their retry time.")
    if result.file:
        console.print(f"Call sheet written to {result.file}: fill in outcome and called_at, then "
                      f"codtool calls record {result.file}")


def record(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Call sheet with outcome and called_at filled in (CSV or XLSX).")],
    policy: PolicyOption = None,
    sheet: SheetOption = None,
) -> None:
    """Record call outcomes and move orders: confirmed, cancelled, or unreachable by policy.

    Example: codtool calls record calls.xlsx
    """
    from codtool.notify.outcomes import record_outcomes
    from codtool.notify.policy import load_policy

    state = state_of(ctx)
    with state.all_or_nothing():
        result = record_outcomes(state.ledger(), file, load_policy(policy), sheet)
        state.output.emit(result.to_json(), lambda c: _show_record(c, result))
        state.finish(len(result.rejects), str(file))


def _show_record(console: Console, r: RecordResult) -> None:
    console.print(f"{r.file}: {r.recorded} outcomes recorded, {r.already_recorded} already recorded, "
                  f"{r.blank} lines without outcome, {len(r.rejects)} rejected.")
    if r.status_changes:
        console.print(table("Status changes", ("line", "order", "from", "to", "reason"),
                            ((c["line"], c["order"], c["from"], c["to"], c["reason"]) for c in r.status_changes)))
    if r.not_applied:
        console.print(table("Not applied", ("line", "order", "status", "wanted", "why"),
                            ((c["line"], c["order"], c["from"], c["to"], c["reason"]) for c in r.not_applied)))
    if r.rejects:
        console.print(table("Rejected lines", ("line", "reason"), ((x.line, x.message) for x in r.rejects)))


def confirm(
    ctx: typer.Context,
    day: DateOption = None,
    policy: PolicyOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be confirmed; change nothing.")] = False,
) -> None:
    """Confirm the low-risk, cleanly checked orders that need no call, recording the reason.

    Example: codtool calls confirm --dry-run
    """
    from codtool.notify.calls import auto_confirm
    from codtool.notify.policy import load_policy

    state = state_of(ctx)
    result = auto_confirm(state.ledger(), day_option(day, "--date"), load_policy(policy), dry_run)
    state.output.emit(result.to_json(), lambda c: _show_confirm(c, result))


def _show_confirm(console: Console, r: ConfirmResult) -> None:
    verb = "would be confirmed" if r.dry_run else "confirmed"
    console.print(table(f"Orders {verb} by policy ({len(r.confirmed)})",
                        ("id", "order", "customer", "amount", "score", "reasons"),
                        ((x["id"], x["order"], x["customer"], f"{x['amount']} {x['currency']}", x["score"],
                          json_reasons_text(x["reasons"]) or "no risk signal") for x in r.confirmed),
                        numeric=("amount", "score")))
    console.print(f"{r.need_call} orders still need a call (codtool calls list).")


def notify_export(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Option(help="Which notice.")],
    out: Annotated[Path, typer.Option(help="FILE.csv or FILE.xlsx to write the messages to.")],
    again: Annotated[bool, typer.Option("--again", help="Include customers already sent this notice.")] = False,
    csv_dialect: CsvDialectOption = "machine",
    force: ForceOption = False,
) -> None:
    """Write customer messages with WhatsApp links and SMS text, flagging SMS longer than one part.

    Nothing is recorded as sent: after sending, run `codtool notify mark-sent FILE`.

    Example: codtool notify export --kind confirm --out messages.csv
    """
    kind = kind.value
    _checked_out(out, force)
    output_file(out, force, csv_dialect)
    from codtool.notify.notices import Wording, export_notices
    from codtool.notify.sender import FileSender

    state = state_of(ctx)
    wording = Wording(_templates(ctx), state.config())
    result = export_notices(state.ledger(), kind, FileSender(out, force, csv_dialect), wording, again)
    state.output.emit(result.to_json() | {"file": str(out)}, lambda c: _show_notices(c, result, out))


def _templates(ctx: typer.Context) -> Templates:
    """The operator's template files beside the configuration in use, checked, over the built-in texts."""
    return load_templates(templates_folder(state_of(ctx).config().path))


def _show_notices(console: Console, r: NoticeResult, out: Path) -> None:
    console.print(table(f"{r.kind} messages ({len(r.messages)})", ("order", "customer", "phone", "lang", "sms", "text"),
                        ((m.order, m.customer, m.phone_e164, m.language,
                          f"{m.sms.encoding} {m.sms.units} ch, {m.sms.segments} SMS" + (" LONG" if m.sms.long else ""),
                          m.text) for m in r.messages)))
    if r.skipped:
        console.print(table("Not messaged", ("order", "phone", "reason"),
                            ((s["order"], s["phone"], s["reason"]) for s in r.skipped)))
    console.print(f"Written to {out}; {r.already_sent} already sent before (use --again to include them). "
                  f"Nothing is recorded as sent until: codtool notify mark-sent {out}")


def notify_mark_sent(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A file written by notify export (CSV or XLSX), "
                                                              "with the lines of messages not sent deleted.")],
    sheet: SheetOption = None,
) -> None:
    """Record the messages of an exported file as sent; the same file twice records nothing new.

    Example: codtool notify mark-sent messages.csv
    """
    from codtool.notify.sent import mark_sent

    state = state_of(ctx)
    with state.all_or_nothing():
        result = mark_sent(state.ledger(), file, sheet)
        state.output.emit(result.to_json(), lambda c: _show_marked(c, result))
        state.finish(len(result.rejects), str(file))


def _show_marked(console: Console, r: MarkResult) -> None:
    console.print(f"{r.file}: {r.recorded} messages recorded as sent, {r.already_sent} already recorded, "
                  f"{len(r.rejects)} rejected.")
    if r.rejects:
        console.print(table("Rejected lines", ("line", "reason"), ((x.line, x.message) for x in r.rejects)))


def notify_templates(
    ctx: typer.Context,
    show: Annotated[Kind | None, typer.Option("--show", metavar="KIND", help="Print this kind's text.")] = None,
    lang: Annotated[Language | None, typer.Option("--lang", metavar="LANG",
                                                  help="The language of --show (it, en, de, fr, es).")] = None,
) -> None:
    """List the message templates in use (built-in or the operator's file), or show one.

    Example: codtool notify templates --show confirm --lang it
    """
    if (show is None) != (lang is None):
        raise typer.BadParameter("give --show KIND and --lang LANG together", param_hint="--show/--lang")
    state = state_of(ctx)
    templates = _templates(ctx)
    if show is not None and lang is not None:
        t = templates.get(show.value, lang.value)
        data = {"kind": t.kind, "language": t.language, "source": t.source, "text": t.text}
        state.output.emit(data, lambda c: c.print(t.text, markup=False, highlight=False, soft_wrap=True))
        return
    folder = templates_folder(state.config().path)
    rows = [{"kind": t.kind, "language": t.language, "source": t.source} for t in templates.all()]
    state.output.emit({"folder": str(folder) if folder else None, "templates": rows},
                      lambda c: _show_templates(c, rows, folder))


def _show_templates(console: Console, rows: list[dict], folder: Path | None) -> None:
    console.print(table(f"Message templates ({len(rows)})", ("kind", "language", "source"),
                        ((r["kind"], r["language"], r["source"]) for r in rows)))
    if folder is not None:
        console.print(f"To change one, write {folder}/KIND.LANG.txt (see codtool notify templates --show).")
