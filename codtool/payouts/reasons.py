"""The wording of every reason a payout run writes on a statement, in English and in Italian.

The ledger stores the English text (it is the audit trail and the JSON); the shop's PDF statement
is Italian. Both wordings live here, side by side, so a reason cannot change in one language and
not the other: `italian(text)` recognises each English form this module writes and renders it in
Italian with Italian dates; a text it does not recognise (an operator's own words) stays as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date


def delivered(day: date, credited: date) -> str:
    return f"delivered {day.isoformat()}, cash credited {credited.isoformat()}"


def late(tracking: str, order: str, credited: date, cycle_label: str) -> str:
    return (f"late: parcel {tracking} (order {order}) credited {credited.isoformat()}, "
            f"after the statement of {cycle_label} closed")


def paid_again(tracking: str, order: str) -> str:
    return f"paid again: parcel {tracking} (order {order}) settled anew"


def reversal(tracking: str, order: str) -> str:
    return (f"reversal: the courier's payment for parcel {tracking} (order {order}) was reversed or the parcel "
            "is no longer delivered; it is paid again once settled")


def rto_fee(tracking: str, day: date, late_cycle: bool) -> str:
    late_note = " (late: its cycle was already closed)" if late_cycle else ""
    return f"RTO fee: parcel {tracking} returned to the sender on {day.isoformat()}{late_note}"


def carried(statement_id: int, start: str, end: str) -> str:
    return (f"balance carried from statement {statement_id} ({start} to {end}): "
            "fees and charges exceeded the cash collected")


_DAY = r"(\d{4}-\d{2}-\d{2})"


def _it_day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def _it_label(label: str) -> str:
    start, _, end = label.partition("/")
    return f"{_it_day(start)} - {_it_day(end)}"


_ITALIAN: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(rf"delivered {_DAY}, cash credited {_DAY}"),
     lambda m: f"consegnata il {_it_day(m[1])}, incasso accreditato il {_it_day(m[2])}"),
    (re.compile(rf"late: parcel (.*) \(order (.*)\) credited {_DAY}, after the statement of ({_DAY}/{_DAY}) closed"),
     lambda m: (f"in ritardo: spedizione {m[1]} (ordine {m[2]}) accreditata il {_it_day(m[3])}, "
                f"dopo la chiusura dell'estratto {_it_label(m[4])}")),
    (re.compile(r"paid again: parcel (.*) \(order (.*)\) settled anew"),
     lambda m: f"pagata di nuovo: spedizione {m[1]} (ordine {m[2]}) saldata di nuovo"),
    (re.compile(r"reversal: the courier's payment for parcel (.*) \(order (.*)\) was reversed or the parcel "
                r"is no longer delivered; it is paid again once settled"),
     lambda m: (f"storno: il pagamento del corriere per la spedizione {m[1]} (ordine {m[2]}) è stato stornato "
                "o la spedizione non risulta più consegnata; sarà pagata di nuovo al saldo")),
    (re.compile(rf"RTO fee: parcel (.*) returned to the sender on {_DAY}( \(late: its cycle was already closed\))?"),
     lambda m: (f"costo reso: spedizione {m[1]} resa al mittente il {_it_day(m[2])}"
                + (" (in ritardo: il suo ciclo era già chiuso)" if m[3] else ""))),
    (re.compile(rf"balance carried from statement (\d+) \({_DAY} to {_DAY}\): "
                r"fees and charges exceeded the cash collected"),
     lambda m: (f"saldo riportato dall'estratto n. {m[1]} ({_it_day(m[2])} - {_it_day(m[3])}): "
                "commissioni e addebiti superiori all'incassato")),
)


def italian(text: str) -> str:
    """The Italian wording of a reason this module wrote; any other text unchanged."""
    for pattern, render in _ITALIAN:
        if match := pattern.fullmatch(text):
            return render(match)
    return text
