"""Customer message templates, in the customer's language as told by the shipping country.

Kept short on purpose: one SMS is 160 GSM-7 characters, and every accent outside GSM-7
(or an emoji) halves that, so templates use plain words and the amount as locals write it.

Operators may replace any built-in text with a file `templates/KIND.LANG.txt` in the
configuration folder (e.g. `templates/confirm.it.txt`). Files are checked when loaded: a
placeholder the kind does not know, or a missing one the message needs, is a one-line error
naming the file, so a typo never reaches a customer as a literal `{nome}`.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from codtool.errors import CodtoolError
from codtool.money import Money, grouped

KINDS = ("confirm", "out_for_delivery", "failed")
LANGUAGES = ("it", "en", "de", "fr", "es")
MAX_CHARS = 1_000  # a template is one message; ten SMS parts is already far too long

# Placeholders each kind may use, and those it must use (a confirmation without the amount to
# pay, or a failed-delivery notice without the order, tells the customer nothing).
PLACEHOLDERS = {
    "confirm": ("name", "order", "amount", "address", "shop"),
    "out_for_delivery": ("name", "order", "amount", "address", "shop", "courier"),
    "failed": ("name", "order", "amount", "address", "shop", "courier"),
}
REQUIRED = {"confirm": ("order", "amount"), "out_for_delivery": ("order", "amount"), "failed": ("order",)}

_LANGUAGE_BY_COUNTRY = {
    "IT": "it", "SM": "it", "VA": "it",
    "DE": "de", "AT": "de", "LI": "de",
    "FR": "fr", "MC": "fr", "BE": "fr", "LU": "fr",
    "ES": "es",
}

TEMPLATES: dict[str, dict[str, str]] = {
    "it": {
        "confirm": "Ciao {name}, ordine {order} di {shop} confermato: paghi {amount} alla consegna in {address}. "
                   "Errori? Rispondi qui.",
        "out_for_delivery": "Ciao {name}, l'ordine {order} di {shop} è in consegna oggi con {courier}. "
                            "Tieni pronti {amount} in contanti.",
        "failed": "Ciao {name}, {courier} non ha potuto consegnare l'ordine {order} di {shop}. "
                  "Rispondi qui per una nuova consegna.",
    },
    "en": {
        "confirm": "Hi {name}, your {shop} order {order} is confirmed: you pay {amount} on delivery to {address}. "
                   "Anything wrong? Reply here.",
        "out_for_delivery": "Hi {name}, your {shop} order {order} is out for delivery today with {courier}. "
                            "Please have {amount} ready in cash.",
        "failed": "Hi {name}, {courier} could not deliver your {shop} order {order}. "
                  "Reply here to arrange a new delivery.",
    },
    "de": {
        "confirm": "Hallo {name}, Ihre Bestellung {order} bei {shop} ist bestätigt: Sie zahlen {amount} bei "
                   "Lieferung. Adresse: {address}. Fehler? Antworten Sie hier.",
        "out_for_delivery": "Hallo {name}, Ihre Bestellung {order} bei {shop} wird heute von {courier} zugestellt. "
                            "Bitte {amount} bar bereithalten.",
        "failed": "Hallo {name}, {courier} konnte Ihre Bestellung {order} bei {shop} nicht zustellen. "
                  "Antworten Sie hier für eine neue Zustellung.",
    },
    "fr": {
        "confirm": "Bonjour {name}, votre commande {order} chez {shop} est confirmée : vous paierez {amount} à la "
                   "livraison. Adresse : {address}. Une erreur ? Répondez ici.",
        "out_for_delivery": "Bonjour {name}, votre commande {order} chez {shop} est en livraison aujourd'hui avec "
                            "{courier}. Préparez {amount} en espèces.",
        "failed": "Bonjour {name}, {courier} n'a pas pu livrer votre commande {order} chez {shop}. "
                  "Répondez ici pour une nouvelle livraison.",
    },
    "es": {
        "confirm": "Hola {name}, tu pedido {order} de {shop} está confirmado: pagarás {amount} contra reembolso "
                   "en {address}. ¿Algún error? Responde aquí.",
        "out_for_delivery": "Hola {name}, tu pedido {order} de {shop} está en reparto hoy con {courier}. "
                            "Ten preparados {amount} en efectivo.",
        "failed": "Hola {name}, {courier} no pudo entregar tu pedido {order} de {shop}. "
                  "Responde aquí para una nueva entrega.",
    },
}

# Thousands and decimal separators, and whether the symbol goes after the number.
_NUMBER_STYLE = {"it": (".", ",", True), "de": (".", ",", True), "es": (".", ",", True),
                 "fr": (" ", ",", True), "en": (",", ".", False)}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
BUILT_IN = "built-in"


class TemplateError(CodtoolError):
    """A message template file cannot be read or uses placeholders its kind does not allow."""


def language_for(country: str) -> str:
    """The customer's language from the shipping country; English where we have no template."""
    return _LANGUAGE_BY_COUNTRY.get((country or "").upper(), "en")


def display_amount(amount: Money, language: str) -> str:
    """An amount as the customer writes it: "1.034,50 €" in Italy, "€1,034.50" in English."""
    thousands, decimal, symbol_after = _NUMBER_STYLE[language]
    number = grouped(amount, thousands, decimal)
    symbol = _SYMBOLS.get(amount.currency)
    if symbol is None:
        return f"{number} {amount.currency}" if symbol_after else f"{amount.currency} {number}"
    return f"{number} {symbol}" if symbol_after else f"{symbol}{number}"


@dataclass(frozen=True)
class MessageFields:
    name: str
    order: str
    amount: Money
    address: str
    courier: str = ""
    shop: str = ""


@dataclass(frozen=True)
class Template:
    """One kind's text in one language, and where it came from (BUILT_IN or the file's path)."""

    kind: str
    language: str
    text: str
    source: str = BUILT_IN


class Templates:
    """The built-in texts with any operator files laid over them."""

    def __init__(self, overrides: dict[tuple[str, str], Template] | None = None) -> None:
        self.overrides = overrides or {}

    def get(self, kind: str, language: str) -> Template:
        if kind not in KINDS:
            raise ValueError(f"unknown message kind {kind!r}")
        return self.overrides.get((kind, language)) or Template(kind, language, TEMPLATES[language][kind])

    def all(self) -> list[Template]:
        return [self.get(kind, language) for kind in KINDS for language in LANGUAGES]

    def render(self, kind: str, language: str, fields: MessageFields) -> str:
        return self.get(kind, language).text.format(
            name=fields.name.strip() or _CUSTOMER_FALLBACK[language],
            order=fields.order, amount=display_amount(fields.amount, language),
            address=fields.address, courier=fields.courier or _COURIER_FALLBACK[language],
            shop=fields.shop,
        )


def render(kind: str, language: str, fields: MessageFields) -> str:
    """A built-in template filled in (the operator's files are read by `load_templates`)."""
    return Templates().render(kind, language, fields)


def templates_folder(config_path: Path | None) -> Path | None:
    """`templates/` beside the configuration file in use, else in the user's config directory."""
    if config_path is not None:
        return config_path.parent / "templates"
    try:
        from platformdirs import user_config_dir
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return None
    return Path(user_config_dir("codtool")) / "templates"


def load_templates(folder: Path | None) -> Templates:
    """Every `KIND.LANG.txt` in the folder, each checked; other files (notes, backups) are left alone."""
    if folder is None or not folder.is_dir():
        return Templates()
    overrides = {}
    for path in sorted(folder.glob("*.txt")):
        template = read_template(path)
        overrides[(template.kind, template.language)] = template
    return Templates(overrides)


def read_template(path: Path) -> Template:
    kind, language = _name_parts(path)
    try:
        with path.open("rb") as f:
            text = f.read(MAX_CHARS * 4 + 1).decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise TemplateError(f"{path}: not UTF-8 text (byte {exc.start + 1})") from None
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read ({exc.strerror})") from None
    if not text:
        raise TemplateError(f"{path}: the template is empty")
    if len(text) > MAX_CHARS:
        raise TemplateError(f"{path}: longer than {MAX_CHARS} characters")
    check_placeholders(text, kind, str(path))
    return Template(kind, language, text, str(path))


def _name_parts(path: Path) -> tuple[str, str]:
    parts = path.name.removesuffix(".txt").split(".")
    if len(parts) != 2 or parts[0] not in KINDS or parts[1] not in LANGUAGES:
        raise TemplateError(f"{path}: name a template KIND.LANG.txt with KIND one of {', '.join(KINDS)} "
                            f"and LANG one of {', '.join(LANGUAGES)}")
    return parts[0], parts[1]


def check_placeholders(text: str, kind: str, where: str) -> None:
    """Plain `{name}` placeholders only: the kind's own, with every required one present."""
    allowed = PLACEHOLDERS[kind]
    try:
        pieces = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(f"{where}: {exc} (write a literal brace as {{{{ or }}}})") from None
    used = set()
    for _, name, spec, conversion in pieces:
        if name is None:
            continue
        if name not in allowed:
            raise TemplateError(f"{where}: unknown placeholder {{{name}}} "
                                f"(a {kind} message can use {', '.join('{' + p + '}' for p in allowed)})")
        if spec or conversion:
            raise TemplateError(f"{where}: write the placeholder as plain {{{name}}}, without ':' or '!'")
        used.add(name)
    missing = [p for p in REQUIRED[kind] if p not in used]
    if missing:
        raise TemplateError(f"{where}: a {kind} message needs {', '.join('{' + p + '}' for p in missing)}")


_CUSTOMER_FALLBACK = {"it": "cliente", "en": "customer", "de": "Kunde", "fr": "client", "es": "cliente"}
_COURIER_FALLBACK = {"it": "il corriere", "en": "the courier", "de": "der Kurier", "fr": "le transporteur",
                     "es": "el mensajero"}
