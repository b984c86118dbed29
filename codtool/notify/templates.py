"""Customer message templates, in the customer's language as told by the shipping country.

Kept short on purpose: one SMS is 160 GSM-7 characters, and every accent outside GSM-7
(or an emoji) halves that, so templates use plain words and the amount as locals write it.
"""

from __future__ import annotations

from dataclasses import dataclass

from codtool.money import Money, grouped

KINDS = ("confirm", "out_for_delivery", "failed")

_LANGUAGE_BY_COUNTRY = {
    "IT": "it", "SM": "it", "VA": "it",
    "DE": "de", "AT": "de", "LI": "de",
    "FR": "fr", "MC": "fr", "BE": "fr", "LU": "fr",
    "ES": "es",
}

TEMPLATES: dict[str, dict[str, str]] = {
    "it": {
        "confirm": "Ciao {name}, ordine {order} confermato: paghi {amount} alla consegna. "
                   "Indirizzo: {address}. Errori? Rispondi qui.",
        "out_for_delivery": "Ciao {name}, l'ordine {order} è in consegna oggi con {courier}. "
                            "Tieni pronti {amount} in contanti.",
        "failed": "Ciao {name}, {courier} non ha potuto consegnare l'ordine {order}. "
                  "Rispondi qui per una nuova consegna.",
    },
    "en": {
        "confirm": "Hi {name}, order {order} confirmed: you pay {amount} on delivery. "
                   "Address: {address}. Anything wrong? Reply here.",
        "out_for_delivery": "Hi {name}, order {order} is out for delivery today with {courier}. "
                            "Please have {amount} ready in cash.",
        "failed": "Hi {name}, {courier} could not deliver order {order}. Reply here to arrange a new delivery.",
    },
    "de": {
        "confirm": "Hallo {name}, Bestellung {order} bestätigt: Sie zahlen {amount} bei Lieferung. "
                   "Adresse: {address}. Fehler? Antworten Sie hier.",
        "out_for_delivery": "Hallo {name}, Bestellung {order} wird heute von {courier} zugestellt. "
                            "Bitte {amount} bar bereithalten.",
        "failed": "Hallo {name}, {courier} konnte Bestellung {order} nicht zustellen. "
                  "Antworten Sie hier für eine neue Zustellung.",
    },
    "fr": {
        "confirm": "Bonjour {name}, commande {order} confirmée : vous paierez {amount} à la livraison. "
                   "Adresse : {address}. Une erreur ? Répondez ici.",
        "out_for_delivery": "Bonjour {name}, la commande {order} est en livraison aujourd'hui avec {courier}. "
                            "Préparez {amount} en espèces.",
        "failed": "Bonjour {name}, {courier} n'a pas pu livrer la commande {order}. "
                  "Répondez ici pour une nouvelle livraison.",
    },
    "es": {
        "confirm": "Hola {name}, pedido {order} confirmado: pagarás {amount} contra reembolso. "
                   "Dirección: {address}. ¿Algún error? Responde aquí.",
        "out_for_delivery": "Hola {name}, el pedido {order} está en reparto hoy con {courier}. "
                            "Ten preparados {amount} en efectivo.",
        "failed": "Hola {name}, {courier} no pudo entregar el pedido {order}. Responde aquí para una nueva entrega.",
    },
}

# Thousands and decimal separators, and whether the symbol goes after the number.
_NUMBER_STYLE = {"it": (".", ",", True), "de": (".", ",", True), "es": (".", ",", True),
                 "fr": (" ", ",", True), "en": (",", ".", False)}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


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


def render(kind: str, language: str, fields: MessageFields) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    return TEMPLATES[language][kind].format(
        name=fields.name.strip() or _CUSTOMER_FALLBACK[language],
        order=fields.order, amount=display_amount(fields.amount, language),
        address=fields.address, courier=fields.courier or _COURIER_FALLBACK[language],
    )


_CUSTOMER_FALLBACK = {"it": "cliente", "en": "customer", "de": "Kunde", "fr": "client", "es": "cliente"}
_COURIER_FALLBACK = {"it": "il corriere", "en": "the courier", "de": "der Kurier", "fr": "le transporteur",
                     "es": "el mensajero"}
