"""Export formats: which header columns feed which codtool field.

Each profile lists, per codtool field, the header names to try in order (the first
non-empty cell wins, per row), so a shipping field falls back to its billing twin.
Header names are compared case-insensitively with spaces folded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from codtool.errors import InputFileError, MappingError
from codtool.tomlfiles import ListOf, OneOf, Table, Text, load

ORDER_FIELDS = (
    "order_id", "created_at", "customer_name", "first_name", "last_name", "email", "phone",
    "address1", "address2", "city", "postcode", "province", "country", "payment_method",
    "cod_amount", "total", "currency", "notes", "status", "cancelled_at",
)
ITEM_FIELDS = ("sku", "item_name", "quantity", "item_price")
FIELDS = ORDER_FIELDS + ITEM_FIELDS
REQUIRED = ("order_id", "address1", "city")
_HEADER = Text(max_chars=1_000, non_empty=True)
MAPPING_SCHEMA = Table({"columns": Table({f: OneOf((_HEADER, ListOf(_HEADER, min_items=1, max_items=50)))
                                          for f in FIELDS})}, required=("columns",))


@dataclass(frozen=True)
class Profile:
    """A named export format: candidate columns per field and the headers that identify it."""

    name: str
    columns: dict[str, tuple[str, ...]]
    signature: tuple[str, ...] = ()
    amount_field: str = "total"


def _shopify() -> Profile:
    ship_bill = {
        "customer_name": "Name", "phone": "Phone", "address1": "Address1",
        "address2": "Address2", "city": "City", "postcode": "Zip", "province": "Province",
        "country": "Country",
    }
    columns = {f: (f"Shipping {c}", f"Billing {c}") for f, c in ship_bill.items()}
    columns["address1"] = ("Shipping Address1", "Shipping Street", "Billing Address1", "Billing Street")
    columns["phone"] = ("Shipping Phone", "Billing Phone", "Phone")
    columns["province"] = ("Shipping Province", "Shipping Province Name", "Billing Province")
    columns |= {
        "order_id": ("Name",), "created_at": ("Created at",), "email": ("Email",),
        "payment_method": ("Payment Method", "Payment Gateway"), "total": ("Total",),
        "currency": ("Currency",), "notes": ("Notes",), "cancelled_at": ("Cancelled at",),
        "status": ("Financial Status",), "sku": ("Lineitem sku",),
        "item_name": ("Lineitem name",), "quantity": ("Lineitem quantity",),
        "item_price": ("Lineitem price",),
    }
    return Profile("shopify", columns, ("Name", "Financial Status", "Lineitem quantity", "Lineitem name"))


def _woocommerce() -> Profile:
    columns: dict[str, tuple[str, ...]] = {}
    for f, key in {
        "first_name": "first_name", "last_name": "last_name", "phone": "phone",
        "address1": "address_1", "address2": "address_2", "city": "city",
        "postcode": "postcode", "province": "state", "country": "country",
    }.items():
        columns[f] = (f"shipping_{key}", f"billing_{key}")
    columns |= {
        "order_id": ("order_id", "order_number", "id"),
        "created_at": ("order_date", "date", "date_created"),
        "email": ("billing_email", "customer_email"),
        "payment_method": ("payment_method", "payment_method_title"),
        "total": ("order_total", "total"), "currency": ("order_currency", "currency"),
        "notes": ("customer_note",), "status": ("order_status", "status"),
        "sku": ("sku", "item_sku", "product_sku"),
        "item_name": ("item_name", "name", "product_name"),
        "quantity": ("qty", "quantity", "item_quantity"),
        "item_price": ("item_price", "price", "item_cost"),
    }
    signature = ("billing_first_name", "shipping_address_1", "payment_method", "order_total")
    return Profile("woocommerce", columns, signature)


def _prestashop() -> Profile:
    """The order-with-address export shops build with the SQL manager, English or Italian."""
    columns = {
        "order_id": ("reference", "id_order", "Riferimento", "ID ordine", "ID"),
        "created_at": ("date_add", "invoice_date", "Data", "Data ordine", "Date"),
        "first_name": ("firstname", "Nome", "First name"),
        "last_name": ("lastname", "Cognome", "Last name"),
        "customer_name": ("customer", "Cliente", "Customer"),
        "email": ("email", "Email", "E-mail"),
        "phone": ("phone_mobile", "phone", "Cellulare", "Telefono", "Mobile phone", "Phone"),
        "address1": ("address1", "Indirizzo", "Address"),
        "address2": ("address2", "Indirizzo 2", "Address (2)"),
        "city": ("city", "Città", "Citta", "City"),
        "postcode": ("postcode", "CAP", "Codice postale", "Zip/postal code"),
        "province": ("state", "Provincia", "State"),
        "country": ("iso_code", "country", "Nazione", "Paese", "Country"),
        "payment_method": ("payment", "module", "Pagamento", "Payment"),
        "total": ("total_paid", "total_paid_tax_incl", "Totale", "Total"),
        "currency": ("currency", "Valuta", "Currency"),
        "status": ("current_state", "order_state", "Stato", "Status"),
        "sku": ("product_reference", "Riferimento prodotto"),
        "item_name": ("product_name", "Prodotto", "Product"),
        "quantity": ("product_quantity", "Quantità", "Quantita", "Quantity"),
        "item_price": ("unit_price_tax_incl", "Prezzo unitario", "Unit price"),
    }
    signature = ("id_order", "total_paid", "Riferimento", "Pagamento", "Totale", "phone_mobile", "address1")
    return Profile("prestashop", columns, signature)


def _generic() -> Profile:
    columns = {f: (f,) for f in FIELDS}
    columns["order_id"] = ("order_id", "order")
    columns["cod_amount"] = ("cod_amount", "cod")
    return Profile("generic", columns, ("order_id", "customer_name", "cod_amount"), amount_field="cod_amount")


PROFILES = {p.name: p for p in (_shopify(), _woocommerce(), _prestashop(), _generic())}


def fold(header: str) -> str:
    return " ".join(header.split()).casefold()


def detect(header: list[str]) -> Profile:
    """Pick the profile whose identifying headers best match; ties go to the more specific."""
    present = {fold(h) for h in header}
    scores = {name: sum(fold(s) in present for s in p.signature) for name, p in PROFILES.items()}
    best = max(scores, key=lambda n: scores[n])
    if scores[best] < 2:
        raise MappingError(
            "cannot recognise the export format from its header; "
            "use --profile or a --mapping file (see README, 'Generic format')"
        )
    return PROFILES[best]


def load_mapping(path: Path, base: Profile) -> Profile:
    """A TOML `[columns]` table maps codtool fields to the file's own header names."""
    table = load(path, MAPPING_SCHEMA, MappingError, "mapping file")["columns"]
    if not table:
        raise MappingError(f"{path}: needs a [columns] table mapping codtool fields to headers")
    columns = dict(base.columns)
    for name, value in table.items():
        columns[name] = (value,) if isinstance(value, str) else tuple(value)
    amount = "cod_amount" if "cod_amount" in table else base.amount_field
    return Profile(f"{base.name}+mapping", columns, base.signature, amount)


def resolve(profile: Profile, header: list[str], path: Path) -> dict[str, list[int]]:
    """Column indexes per field, in priority order; fails naming the missing columns."""
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        index.setdefault(fold(h), i)
    found = {f: [index[fold(c)] for c in cands if fold(c) in index] for f, cands in profile.columns.items()}
    found = {f: cols for f, cols in found.items() if cols}
    missing = [f for f in REQUIRED if f not in found]
    if "customer_name" not in found and not {"first_name", "last_name"} & set(found):
        missing.append("customer_name")
    if profile.amount_field not in found and "total" not in found:
        missing.append(profile.amount_field)
    if missing:
        names = dict(profile.columns)
        names["customer_name"] = sum((names.get(f, ()) for f in ("customer_name", "first_name", "last_name")), ())
        wanted = "; ".join(f"{f} ({' or '.join(names.get(f) or (f,))})" for f in missing)
        raise InputFileError(path, f"missing required column(s) for profile {profile.name}: {wanted}")
    return found
