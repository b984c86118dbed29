"""The words of a courier reminder, in Italian and English: one place for every file's wording.

The letter is the operator's, so its language is the operator's (`[chase] language`, or a
courier's `chase_language`): Italian by default, like the PDF shop statements. Amounts go
through `Money.display` (Italian "1.234,50 €", English "1,234.50 EUR"); dates are written
"31/10/2026" in Italian and "2026-10-31" in English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from codtool.config import Terms
from codtool.money import Money

STEP_TITLE = {
    "it": {"friendly": "Promemoria contrassegni da rimettere", "formal": "Sollecito formale di pagamento",
           "final": "Ultimo avviso prima di azioni di recupero"},
    "en": {"friendly": "Reminder: COD remittances outstanding", "formal": "Formal request for payment",
           "final": "Final notice before recovery action"},
}
HEADERS = {
    "it": ("Tracking", "Ordine", "Consegna", "Scadenza", "Ritardo gg", "Contrassegno", "Importo dovuto"),
    "en": ("Tracking", "Order", "Delivered", "Payout due", "Days late", "COD", "Amount due"),
}
WORDS = {
    "it": {"total": "Totale", "from": "Da", "to": "A", "date": "Data", "page": "Pagina {n} di {m}",
           "subject": "Oggetto", "sheet": "Sollecito", "terms": "Condizioni contrattuali",
           "greeting": "Spett.le {courier},", "regards": "Cordiali saluti,"},
    "en": {"total": "Total", "from": "From", "to": "To", "date": "Date", "page": "Page {n} of {m}",
           "subject": "Subject", "sheet": "Reminder", "terms": "Contract terms",
           "greeting": "Dear {courier} team,", "regards": "Kind regards,"},
}
_BODY = {
    "it": {
        "friendly": ("Dai nostri controlli risultano consegnate e incassate le spedizioni in contrassegno "
                     "elencate sotto (n. {n}), per le quali non abbiamo ancora ricevuto la rimessa: in tutto {total}. "
                     "Vi chiediamo cortesemente di verificare e di disporre il versamento entro il {pay_by}. "
                     "Se lo avete già disposto, vi preghiamo di inviarci la distinta e di ignorare questo messaggio."),
        "formal": ("Nonostante il nostro promemoria{earlier}, non abbiamo ancora ricevuto la rimessa dei contrassegni "
                   "delle spedizioni elencate sotto (n. {n}), consegnate e incassate: in tutto {total}. "
                   "Con la presente vi chiediamo formalmente di versare tale importo entro il {pay_by}, "
                   "come previsto dalle condizioni del contratto richiamate sotto."),
        "final": ("Ultimo avviso. I contrassegni delle spedizioni elencate sotto (n. {n}), per {total}, "
                  "risultano ancora non rimessi nonostante i nostri solleciti{earlier}. "
                  "In mancanza del versamento entro il {pay_by}, ci riserviamo di tutelare i nostri diritti "
                  "nelle sedi opportune, senza ulteriore preavviso."),
    },
    "en": {
        "friendly": ("Our records show the cash-on-delivery parcels listed below ({n}) as delivered and collected, "
                     "but we have not yet received their remittance: {total} in all. Please check and arrange "
                     "payment by {pay_by}. If you have already paid, please send us the remittance list and "
                     "disregard this message."),
        "formal": ("Despite our reminder{earlier}, we have not yet received the COD remittance for the parcels "
                   "listed below ({n}), delivered and collected: {total} in all. We hereby formally request payment of "
                   "this amount by {pay_by}, as the contract terms quoted below provide."),
        "final": ("Final notice. The COD collected on the parcels listed below ({n}), {total}, is still unpaid "
                  "despite our reminders{earlier}. Unless payment reaches us by {pay_by}, we reserve the right to "
                  "pursue recovery without further notice."),
    },
}
_TERMS = {
    "it": ("Ciclo di rimessa: {cycle} giorni; pagamento entro {lag} giorni dalla fine del ciclo; tolleranza "
           "{grace} giorni. Commissione contrassegno: {fee}."),
    "en": ("Remittance cycle: {cycle} days; payment due {lag} days after the cycle ends; grace {grace} days. "
           "COD fee: {fee}."),
}


def day(when: date, language: str) -> str:
    return when.strftime("%d/%m/%Y") if language == "it" else when.isoformat()


def amount(money: Money, language: str) -> str:
    return money.display(language)


@dataclass(frozen=True)
class Letter:
    """What every format of one reminder says: title, subject line, paragraphs, table and total."""

    title: str
    subject_label: str
    subject: str
    greeting: str
    body: str
    terms: str  # '' for a friendly reminder
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    total_label: str
    total: str
    cod_total: str
    regards: str
    operator: str


def letter(reminder) -> Letter:
    """The reminder's wording (`reminder` is a codtool.remit.chase.Reminder)."""
    lang, r = reminder.language, reminder
    words = WORDS[lang]
    earlier = ", ".join(day(d, lang) for _, d in r.earlier)
    body = _BODY[lang][r.step].format(n=len(r.lines), total=amount(r.total, lang), pay_by=day(r.pay_by, lang),
                                      earlier=f" ({earlier})" if earlier else "")
    rows = [(ln.tracking_number, ln.order_ref, day(ln.delivered_on, lang), day(ln.payout_due, lang),
             str(ln.days_overdue), amount(ln.cod, lang), amount(ln.amount, lang)) for ln in r.lines]
    operator = r.operator or ("il mittente" if lang == "it" else "the sender")
    title = STEP_TITLE[lang][r.step]
    subject = f"{title} - {r.courier.upper()} - {len(r.lines)} - {amount(r.total, lang)}"
    terms = contract_terms(r.contract, lang, r.currency) if r.step != "friendly" else ""
    return Letter(title, words["subject"], subject, words["greeting"].format(courier=r.courier.upper()), body, terms,
                  HEADERS[lang], rows, words["total"], amount(r.total, lang), amount(r.cod_total, lang),
                  words["regards"], operator)


def contract_terms(terms: Terms | None, language: str, currency: str) -> str:
    """The courier's cycle, payout lag, grace and COD fee, as the configuration states them."""
    if terms is None:
        return ""
    return _TERMS[language].format(cycle=terms.cycle_days, lag=terms.payout_lag_days, grace=terms.grace_days,
                                   fee=fee_text(terms, language, currency))


def fee_text(terms: Terms, language: str, currency: str) -> str:
    parts = []
    if terms.fee_percent:
        rate = _percent(terms.fee_percent, language)
        parts.append(f"{rate} del contrassegno" if language == "it" else f"{rate} of the COD")
    if terms.fee_fixed:
        fixed = amount(Money(terms.fee_fixed, currency), language)
        parts.append(f"più {fixed} fissi" if language == "it" and parts else
                     f"plus {fixed} fixed" if parts else fixed)
    if terms.fee_min:
        least = amount(Money(terms.fee_min, currency), language)
        parts.append(f"minimo {least}" if language == "it" else f"at least {least}")
    return ", ".join(parts) or ("nessuna" if language == "it" else "none")


def _percent(rate: Decimal, language: str) -> str:
    text = format(rate.normalize(), "f")
    return (text.replace(".", ",") if language == "it" else text) + "%"
