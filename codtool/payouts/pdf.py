"""The PDF statement (reportlab): what a shop receives, in Italian, deterministic to the byte.

reportlab is imported here only, so commands that write no PDF never load it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from codtool.money import Money
from codtool.payouts import reasons
from codtool.payouts.statements import Statement

FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
BODY, BOLD = "CodtoolSans", "CodtoolSans-Bold"
STATUS_IT = {"open": "aperto", "due": "da pagare", "paid": "pagato", "carried": "saldo negativo riportato"}
KIND_IT = {"parcel": "", "rto": "reso (RTO)"}


def register_fonts() -> None:
    """DejaVu Sans (shipped in codtool/data/fonts), so "€" and accents render in every PDF codtool writes."""
    if BODY not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(BODY, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(BODY, normal=BODY, bold=BOLD, italic=BODY, boldItalic=BOLD)


def _eur(minor: int, currency: str) -> str:
    return Money(minor, currency).display("it")


def _day(text: str) -> str:
    return date.fromisoformat(text).strftime("%d/%m/%Y") if text else ""


class NumberedCanvas(pdfcanvas.Canvas):
    """Pages are kept until the end so each can say 'Pagina N di M' (`PAGE`, in the document's language)."""

    PAGE = "Pagina {n} di {m}"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for page in self._pages:
            self.__dict__.update(page)
            self.setFont(BODY, 8)
            self.setFillColor(colors.grey)
            self.drawRightString(A4[0] - 15 * mm, 10 * mm, self.PAGE.format(n=self._pageNumber, m=len(self._pages)))
            super().showPage()
        super().save()


def render(s: Statement, path: Path, operator: str) -> None:
    register_fonts()
    normal = ParagraphStyle("n", fontName=BODY, fontSize=9, leading=12)
    small = ParagraphStyle("s", fontName=BODY, fontSize=7, leading=9)
    title = ParagraphStyle("t", fontName=BOLD, fontSize=15, leading=19)
    doc = SimpleDocTemplate(str(path), pagesize=A4, invariant=1, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=18 * mm, title=f"Estratto conto {s.id} - {s.shop}",
                            author=operator, creator="codtool", subject="Estratto conto contrassegni")
    story = [Paragraph(f"Estratto conto contrassegni n. {s.id}", title), Spacer(1, 3 * mm),
             Paragraph(f"Da: <b>{escape(operator)}</b> &nbsp;&nbsp; A: <b>{escape(s.shop)}</b>", normal),
             Paragraph(f"Periodo: {_day(s.cycle_start)} - {_day(s.cycle_end)} &nbsp;&nbsp; "
                       f"Stato: {STATUS_IT.get(s.status, s.status)}", normal), Spacer(1, 4 * mm),
             _summary(s), Spacer(1, 5 * mm), _parcels(s, small)]
    if s.adjustments:
        story += [Spacer(1, 5 * mm), Paragraph("<b>Rettifiche</b>", normal), Spacer(1, 2 * mm), _adjustments(s, small)]
    doc.build(story, canvasmaker=NumberedCanvas)


def escape(text: str) -> str:
    """Text for a reportlab Paragraph, which reads a little markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _summary(s: Statement) -> Table:
    cur = s.currency
    adjustments = sum(a["amount_minor"] for a in s.adjustments)
    rows = [["Pacchi consegnati e incassati", str(s.parcels)],
            ["Contrassegni incassati", _eur(s.cod, cur)],
            ["Commissioni e addebiti", "-" + _eur(s.fees, cur) if s.fees else _eur(0, cur)],
            ["Rettifiche", _eur(adjustments, cur)],
            ["Netto del periodo" if s.net >= 0 else "Saldo a vostro debito (riportato)", _eur(s.net, cur)]]
    if s.paid:
        rows.append(["Pagato", _eur(s.paid, cur)])
    table = Table(rows, colWidths=(80 * mm, 45 * mm), hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), BODY, 9), ("FONT", (0, 4), (-1, 4), BOLD, 10),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
        ("LINEABOVE", (0, 4), (-1, 4), 0.5, colors.black), ("BACKGROUND", (0, 0), (-1, -1), colors.whitesmoke),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return table


def _parcels(s: Statement, small: ParagraphStyle) -> Table:
    cur = s.currency
    header = ["Ordine", "Tracking", "Corriere", "Consegna", "Contrassegno", "Commissione", "Netto", "Nota"]
    rows = [header] + [[ln["order_id"], ln["tracking_number"], ln["courier"], _day(ln["delivered_at"]),
                        _eur(ln["cod_minor"], cur), _eur(ln["fee_minor"], cur), _eur(ln["net_minor"], cur),
                        Paragraph(escape(KIND_IT.get(ln["kind"], ln["kind"])), small)] for ln in s.lines]
    rows.append(["Totale", "", "", "", _eur(s.cod, cur), _eur(s.fees, cur),
                 _eur(s.cod - s.fees, cur), ""])
    table = Table(rows, colWidths=(20 * mm, 32 * mm, 16 * mm, 19 * mm, 24 * mm, 23 * mm, 22 * mm, 24 * mm),
                  repeatRows=1)
    table.setStyle(parcel_table_style())
    return table


def parcel_table_style(header_size: float = 7.5) -> TableStyle:
    """A parcel list with a total row, as statements and courier reminders print it: bold header and total,
    amounts (columns 5 to 7) right-aligned, striped rows."""
    return TableStyle([
        ("FONT", (0, 0), (-1, -1), BODY, 7.5), ("FONT", (0, 0), (-1, 0), BOLD, header_size),
        ("FONT", (0, -1), (-1, -1), BOLD, 7.5), ("ALIGN", (4, 0), (6, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black), ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.Color(0.95, 0.95, 0.95)]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)])


def _adjustments(s: Statement, small: ParagraphStyle) -> Table:
    rows = [["Motivo", "Importo"]] + [[Paragraph(escape(reasons.italian(a["reason"])), small),
                                       _eur(a["amount_minor"], s.currency)] for a in s.adjustments]
    table = Table(rows, colWidths=(150 * mm, 30 * mm), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), BODY, 7.5), ("FONT", (0, 0), (-1, 0), BOLD, 7.5),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table
