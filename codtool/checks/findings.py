"""Finding codes, their severity and meaning: the one table checks, docs and tests agree on.

Severity says what staff do next: error = do not ship until fixed, warning = confirm with
the customer by phone, info = noted, nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)
ACTIONABLE = (ERROR, WARNING)  # an order with one of these is "flagged"

CODES: dict[str, tuple[str, str]] = {
    "phone.missing": (ERROR, "no phone number: the courier cannot call before delivery"),
    "phone.unparsable": (ERROR, "not readable as a phone number"),
    "phone.invalid": (ERROR, "wrong length or prefix for its country"),
    "phone.possible_not_valid": (WARNING, "right length, but no such number range is assigned"),
    "phone.landline": (WARNING, "a landline: SMS/WhatsApp confirmation needs a mobile"),
    "phone.service_number": (WARNING, "toll-free, premium-rate or shared-cost number, not a person's"),
    "phone.foreign": (WARNING, "the number belongs to another country than the shipping address"),
    "phone.shared_other_name": (WARNING, "the same number is on orders with a different customer name"),
    "phone.extension": (INFO, "an extension was typed; couriers dial the main number"),
    "address.missing_street": (ERROR, "no street in the address line"),
    "address.missing_city": (ERROR, "no city"),
    "address.unknown_country": (ERROR, "the country is not an ISO 3166 code codtool knows"),
    "address.postcode_missing": (ERROR, "no postal code, and the country uses them"),
    "address.postcode_malformed": (ERROR, "the postal code does not have the country's shape"),
    "address.it.missing_house_number": (ERROR, "no house number (write 'snc' if there is none)"),
    "address.it.cap_malformed": (ERROR, "the CAP is not 5 digits"),
    "address.it.cap_unknown": (WARNING, "no comune uses this CAP"),
    "address.it.cap_comune_mismatch": (ERROR, "the CAP does not belong to the comune"),
    "address.it.cap_unverifiable": (INFO, "the comune's CAPs are not in the offline table"),
    "address.it.comune_unknown": (WARNING, "the city is not an Italian comune (often a frazione)"),
    "address.it.province_unknown": (WARNING, "the province is neither a sigla nor a province name"),
    "address.it.province_mismatch": (ERROR, "the comune is in another province"),
    "address.it.province_missing": (INFO, "no province given; taken from the comune"),
    "address.us.missing_house_number": (ERROR, "no house number"),
    "address.us.po_box": (ERROR, "a PO box: couriers do not deliver COD parcels to PO boxes"),
    "address.us.ambiguous": (WARNING, "an intersection, or a street line that parses more than one way"),
    "address.us.state_missing": (ERROR, "no state"),
    "address.us.state_unknown": (ERROR, "not a US state or territory"),
    "address.us.zip_malformed": (ERROR, "the ZIP is not 5 digits (or ZIP+4)"),
    "address.us.zip_unknown": (WARNING, "the ZIP is not in the offline ZIP table"),
    "address.us.zip_state_mismatch": (ERROR, "the ZIP belongs to another state"),
    "address.us.zip_po_box_only": (ERROR, "the ZIP serves PO boxes only"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem with one order, with what staff should do about it."""

    code: str
    message: str
    suggestion: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code!r}")

    @property
    def check(self) -> str:
        return self.code.split(".", 1)[0]

    @property
    def severity(self) -> str:
        return CODES[self.code][0]


def worst(findings: tuple[Finding, ...] | list[Finding]) -> str:
    """The most serious severity present, '' when there are none."""
    present = {f.severity for f in findings}
    return next((s for s in SEVERITIES if s in present), "")
