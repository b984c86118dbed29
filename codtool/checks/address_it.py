"""Italian addresses: street abbreviations, house number (or "snc"), CAP, comune and province.

A CAP "belongs" to a comune when it is in the comune's list (Roma has 82, 25 comuni share
12020); comuni whose CAPs the offline table lacks are reported as unverifiable, never wrong.
"""

from __future__ import annotations

import re
from functools import lru_cache

from codtool.checks import italy_data
from codtool.checks.address_model import Address, AddressResult, has_street, squash
from codtool.checks.address_other import missing_city, missing_street
from codtool.checks.findings import Finding
from codtool.checks.italy_data import Comune

_ABBREVIATIONS = {
    "cso": "corso", "pza": "piazza", "pzza": "piazza", "ple": "piazzale", "vle": "viale", "vlo": "vicolo",
    "vic": "vicolo", "v": "via", "loc": "località", "fraz": "frazione", "lgo": "largo", "str": "strada",
    "cda": "contrada", "bgo": "borgo", "ss": "strada statale", "sp": "strada provinciale",
}
_LEADING_ABBREVIATION = re.compile(
    r"^(c\.?so|p\.?zz?a|p\.?le|v\.?le|v\.?lo|vic|v|loc|fraz|l\.?go|str|c\.?da|b\.?go|s\.?s|s\.?p)(?:\.\s*|\s+)",
    re.IGNORECASE,
)
# What follows the house number: "int. 4", "scala B", "piano 2", "c/o Rossi".
_UNIT = re.compile(r"[\s,]+(int\.?|interno|scala|sc\.|piano|pal\.?|palazzina|edificio|citofono|c/o|presso)"
                   r"(?=[\s.\d]|$).*$", re.IGNORECASE)
_NUMBER = re.compile(
    r"(?:^|[\s,])(?:n\.?|n°|nr\.?|civ\.?)?\s*"
    r"(\d+(?:\s*/\s*[a-z0-9]+|\s*-?\s*[a-z](?![a-z])|\s+(?:bis|ter))?|s\.?\s*n\.?\s*c\.?|s\.\s*n\.)\s*$",
    re.IGNORECASE,
)
_SNC = re.compile(r"s\.?\s*n\.?(\s*c\.?)?", re.IGNORECASE)
_CITY_PROVINCE = re.compile(r"^(.*?)\s*\(\s*([A-Za-z]{2})\s*\)\s*$")


def expand_abbreviation(line: str) -> str:
    """'C.so Vittorio Emanuele II 45' -> 'Corso Vittorio Emanuele II 45' (leading street type only)."""
    match = _LEADING_ABBREVIATION.match(line)
    if not match:
        return line
    key = match.group(1).replace(".", "").casefold()
    return f"{_ABBREVIATIONS[key]} {line[match.end():]}"


def split_house_number(line: str) -> tuple[str, str]:
    """(street, house number); the number is '' when missing and 'snc' when absent by design."""
    core = _UNIT.sub("", line).rstrip(" ,")
    match = _NUMBER.search(core)
    if not match:
        return core, ""
    number = match.group(1)
    number = "snc" if _SNC.fullmatch(number.strip()) else re.sub(r"\s+", "", number).upper()
    return core[:match.start()].rstrip(" ,"), number


def check_italy(address: Address) -> AddressResult:
    """Street line and place are checked apart, each cached: a day's streets and towns repeat
    in ever new combinations, so each half is mostly looked up rather than worked out."""
    return AddressResult(*joined(_street_part(address.address1, address.address2),
                                 _place_part(address.city, address.province, address.postcode)))


def joined(street: tuple, place: tuple) -> tuple:
    """The two halves (`street_part`, `place_part`) as one address, in AddressResult's order: (line,
    number, postcode, city, sigla, "IT", findings). It only unpacks and concatenates, so the check
    runner's halves, cached with their findings already in stored form, join the same way."""
    no_street, no_number, full_line, number = street
    no_city, (city, sigla, place_findings), postcode = place
    return full_line, number, postcode, city, sigla, "IT", no_street + no_city + no_number + place_findings


def street_part(address1: str, address2: str) -> tuple[tuple[Finding, ...], tuple[Finding, ...], str, str]:
    """(missing street, missing house number, the full line case-folded, the house number)."""
    line = expand_abbreviation(squash(address1))
    street, number = split_house_number(line)
    if not number and address2.strip():
        _, number = split_house_number(" " + squash(address2))
    no_number = ()
    if not number and has_street(street):
        no_number = (Finding("address.it.missing_house_number", f"no house number in {address1!r}",
                             "ask for the house number, or write 'snc' if there is none"),)
    full_line = squash(" ".join(p for p in (line, address2) if p.strip()))
    return missing_street(address1), no_number, full_line.casefold(), number


def place_part(city: str, province: str, cap: str) -> tuple[tuple[Finding, ...], tuple, str]:
    """(missing city, what _place says, the CAP as stored)."""
    return missing_city(city), _place(city, province, cap), squash(cap)


# Full well before 200,000 orders, so memory stays flat in the day's size. Uncached above for
# callers that keep results in their own form (the check runner).
_street_part = lru_cache(maxsize=1 << 14)(street_part)
_place_part = lru_cache(maxsize=1 << 14)(place_part)


def _place(typed_city: str, typed_province: str, typed_cap: str) -> tuple[str, str, tuple[Finding, ...]]:
    """Normalised city and province, and what is wrong with CAP, comune and province.

    Cached through place_part's callers: it depends only on these three fields, and a day's orders
    come from a few thousand comuni.
    """
    city, province = squash(typed_city), squash(typed_province)
    bracketed = _CITY_PROVINCE.match(city)
    if bracketed:
        city, province = bracketed.group(1), province or bracketed.group(2)
    findings: list[Finding] = []
    sigla = italy_data.province_sigla(province) if province else None
    if province and sigla is None:
        findings.append(Finding("address.it.province_unknown", f"province {province!r} is not known",
                                "write the two-letter sigla, e.g. MI, RM, TO"))
    comuni = italy_data.comuni_by_name(city) if city else ()
    if comuni and sigla:
        in_province = tuple(c for c in comuni if c.sigla == sigla)
        if not in_province:
            where = ", ".join(sorted({c.sigla for c in comuni}))
            findings.append(Finding("address.it.province_mismatch", f"{comuni[0].name} is in {where}, not {sigla}",
                                    f"province {where}"))
        comuni = in_province or comuni
    if comuni and not province:
        sigle = sorted({c.sigla for c in comuni})
        findings.append(Finding("address.it.province_missing", f"no province; {comuni[0].name} is in "
                                f"{', '.join(sigle)}", f"province {sigle[0]}" if len(sigle) == 1 else ""))
        sigla = sigle[0] if len(sigle) == 1 else sigla
    if city and not comuni:
        findings.append(_unknown_comune(city, squash(typed_cap)))
    findings += _cap_findings(squash(typed_cap), comuni)
    name = comuni[0].name if len({c.name for c in comuni}) == 1 else city
    return name, sigla or province.upper(), tuple(findings)


def _unknown_comune(city: str, cap: str) -> Finding:
    owners = italy_data.comuni_by_cap(cap) if italy_data.cap_shape_ok(cap) else ()
    suggestion = f"CAP {cap} is {_names(owners)}" if owners else "check the comune's spelling"
    return Finding("address.it.comune_unknown", f"{city!r} is not an Italian comune", suggestion)


def _cap_findings(cap: str, comuni: tuple[Comune, ...]) -> list[Finding]:
    if not cap:
        return [Finding("address.postcode_missing", "no CAP", _expected(comuni) or "ask for the CAP")]
    if not italy_data.cap_shape_ok(cap):
        padded = cap.zfill(5) if cap.isdigit() and 3 <= len(cap) < 5 else ""
        lost = f"; {padded} if a spreadsheet dropped its leading zeros" if padded else ""
        return [Finding("address.it.cap_malformed", f"CAP {cap!r} is not 5 digits{lost}",
                        f"CAP {padded}" if padded else _expected(comuni) or "ask for the 5-digit CAP")]
    if not comuni:
        if italy_data.comuni_by_cap(cap):
            return []
        return [Finding("address.it.cap_unknown", f"no comune uses CAP {cap}", "ask for the CAP")]
    if any(cap in c.caps for c in comuni):
        return []
    if not any(c.caps for c in comuni):
        return [Finding("address.it.cap_unverifiable", f"the CAPs of {comuni[0].name} are not in the offline table")]
    owners = italy_data.comuni_by_cap(cap)
    owner = f" (CAP {cap} is {_names(owners)})" if owners else ""
    return [Finding("address.it.cap_comune_mismatch", f"CAP {cap} is not used in {comuni[0].name}{owner}",
                    _expected(comuni))]


def _expected(comuni: tuple[Comune, ...]) -> str:
    caps = sorted({cap for c in comuni for cap in c.caps})
    if not caps:
        return ""
    if len(caps) == 1:
        return f"CAP {caps[0]}"
    return f"a CAP of {comuni[0].name} ({caps[0]}-{caps[-1]}): ask for the street's CAP"


def _names(comuni: tuple[Comune, ...], shown: int = 3) -> str:
    names = [f"{c.name} ({c.sigla})" for c in comuni[:shown]]
    more = f" and {len(comuni) - shown} more" if len(comuni) > shown else ""
    return ", ".join(names) + more
