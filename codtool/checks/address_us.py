"""United States addresses: usaddress for the street line, the offline `zipcodes` table for ZIPs."""

from __future__ import annotations

import re
from functools import cache

import usaddress
import zipcodes

from codtool.checks.address_model import Address, AddressResult, squash
from codtool.checks.address_other import street_findings
from codtool.checks.findings import Finding

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana",
    "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
    "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
    "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands", "AA": "Armed Forces Americas", "AE": "Armed Forces Europe",
    "AP": "Armed Forces Pacific",
}
_STATE_BY_NAME = {name.casefold(): code for code, name in STATES.items()}
_ZIP = re.compile(r"(\d{5})(?:-?(\d{4}))?")
_PO_BOX = re.compile(r"\b(p\.?\s*o\.?\s*box|post\s+office\s+box|pob|box\s+\d+$)", re.IGNORECASE)
_LINE_LABELS = (
    "AddressNumberPrefix", "AddressNumber", "AddressNumberSuffix", "StreetNamePreDirectional",
    "StreetNamePreModifier", "StreetNamePreType", "StreetName", "StreetNamePostType",
    "StreetNamePostDirectional", "OccupancyType", "OccupancyIdentifier", "SubaddressType",
    "SubaddressIdentifier", "USPSBoxType", "USPSBoxID",
)


@cache
def _zip_table() -> dict[str, tuple[str, str, str]]:
    """ZIP -> (state, city, type), built once: zipcodes.matching scans the whole list per call."""
    return {z["zip_code"]: (z["state"], z["city"], z["zip_code_type"]) for z in zipcodes.list_all()}


def state_code(text: str) -> str | None:
    cleaned = squash(text).strip(".").upper()
    if cleaned in STATES:
        return cleaned
    return _STATE_BY_NAME.get(cleaned.casefold())


def check_us(address: Address) -> AddressResult:
    findings = street_findings(address)
    line = squash(" ".join(p for p in (address.address1, address.address2) if p.strip()))
    parts, street_findings_ = _street(line)
    findings += street_findings_
    state, state_findings = _state(address.province)
    zip_code, zip_findings = _zip(squash(address.postcode), state)
    findings += state_findings + zip_findings
    normal = " ".join(parts[label] for label in _LINE_LABELS if label in parts) or line
    return AddressResult(normal.casefold(), parts.get("AddressNumber", ""), zip_code, squash(address.city),
                         state or squash(address.province), "US", tuple(findings))


def _street(line: str) -> tuple[dict[str, str], list[Finding]]:
    findings = []
    try:
        parts, kind = usaddress.tag(line)
    except usaddress.RepeatedLabelError as exc:
        parts = {label: text for text, label in reversed(exc.parsed_string)}
        kind = "Ambiguous"
    if kind == "PO Box" or "USPSBoxID" in parts or _PO_BOX.search(line):
        findings.append(Finding("address.us.po_box", f"{line!r} is a PO box",
                                "ask for a street address where someone can pay the courier"))
    elif kind == "Intersection":
        findings.append(Finding("address.us.ambiguous", f"{line!r} is an intersection, not a street address",
                                "ask for the house number and street"))
    elif "StreetName" in parts and "AddressNumber" not in parts:
        findings.append(Finding("address.us.missing_house_number", f"no house number in {line!r}",
                                "ask for the house number"))
    elif kind == "Ambiguous":
        findings.append(Finding("address.us.ambiguous", f"{line!r} can be read in more than one way",
                                "confirm the street address"))
    return parts, findings


def _state(text: str) -> tuple[str, list[Finding]]:
    if not text.strip():
        return "", [Finding("address.us.state_missing", "no state", "ask for the state (two letters, e.g. NY)")]
    code = state_code(text)
    if code is None:
        return "", [Finding("address.us.state_unknown", f"{text.strip()!r} is not a US state",
                            "write the two-letter state code, e.g. NY")]
    return code, []


def _zip(text: str, state: str) -> tuple[str, list[Finding]]:
    if not text:
        return "", [Finding("address.postcode_missing", "no ZIP", "ask for the 5-digit ZIP")]
    match = _ZIP.fullmatch(text)
    if not match:
        padded = text.zfill(5) if text.isdigit() and 3 <= len(text) < 5 else ""
        lost = f"; {padded} if a spreadsheet dropped its leading zeros" if padded else ""
        return text, [Finding("address.us.zip_malformed", f"ZIP {text!r} is not 5 digits{lost}",
                              f"ZIP {padded}" if padded else "ask for the 5-digit ZIP")]
    zip5 = match.group(1)
    normal = f"{zip5}-{match.group(2)}" if match.group(2) else zip5
    known = _zip_table().get(zip5)
    if known is None:
        return normal, [Finding("address.us.zip_unknown", f"ZIP {zip5} is not in the ZIP table", "confirm the ZIP")]
    zip_state, city, kind = known
    if state and zip_state != state:
        return normal, [Finding("address.us.zip_state_mismatch", f"ZIP {zip5} is in {zip_state} ({city}), not {state}",
                                f"confirm the ZIP and state ({zip_state}?)")]
    if kind == "PO BOX":
        return normal, [Finding("address.us.zip_po_box_only", f"ZIP {zip5} ({city}) serves PO boxes only",
                                "ask for the ZIP of the street address")]
    return normal, []
