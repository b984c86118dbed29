"""A courier reminder as PDF, on the shop statements' machinery (codtool.payouts.pdf): the same
embedded font, numbered pages and `invariant=1`, so the same reminder gives the same bytes."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from codtool.payouts.pdf import BODY, BOLD, NumberedCanvas, escape, parcel_table_style, register_fonts
from codtool.remit.chase_texts import WORDS, Letter, day


def _canvas(language: str) -> type[NumberedCanvas]:
    return type(f"Canvas_{language}", (NumberedCanvas,), {"PAGE": WORDS[language]["page"]})


def render(reminder, words: Letter, path: Path) -> None:
    """Letterhead, the request, the parcel table with its total, the contract terms, the signature."""
    register_fonts()
    lang = reminder.language
    normal = ParagraphStyle("n", fontName=BODY, fontSize=9.5, leading=13)
    title = ParagraphStyle("t", fontName=BOLD, fontSize=14, leading=18)
    said = WORDS[lang]
    doc = SimpleDocTemplate(str(path), pagesize=A4, invariant=1, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=18 * mm, title=words.subject, author=words.operator,
                            creator="codtool", subject=words.title)
    story = [Paragraph(escape(words.title), title), Spacer(1, 3 * mm),
             Paragraph(f"{said['from']}: <b>{escape(words.operator)}</b> &nbsp;&nbsp; {said['to']}: "
                       f"<b>{escape(reminder.courier.upper())}</b> &nbsp;&nbsp; {said['date']}: "
                       f"{day(reminder.as_of, lang)}", normal), Spacer(1, 5 * mm),
             Paragraph(escape(words.greeting), normal), Spacer(1, 2 * mm),
             Paragraph(escape(words.body), normal), Spacer(1, 5 * mm), _parcels(words)]
    if words.terms:
        story += [Spacer(1, 5 * mm), Paragraph(f"<b>{escape(said['terms'])}</b>", normal),
                  Paragraph(escape(words.terms), normal)]
    story += [Spacer(1, 6 * mm), Paragraph(escape(words.regards), normal), Paragraph(escape(words.operator), normal)]
    doc.build(story, canvasmaker=_canvas(lang))


def _parcels(words: Letter) -> Table:
    rows = [list(words.headers), *map(list, words.rows),
            [words.total_label, "", "", "", "", words.cod_total, words.total]]
    table = Table(rows, colWidths=(36 * mm, 24 * mm, 22 * mm, 24 * mm, 18 * mm, 28 * mm, 28 * mm), repeatRows=1)
    table.setStyle(parcel_table_style(header_size=7))
    return table
