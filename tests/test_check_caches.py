"""The check's shortcuts change nothing: the phone check says what phonenumbers' public API says,
and cached results (phones by what was typed, Italian places by city, province and CAP) equal
uncached ones.

The phone oracle is the straightforward classification with `is_valid_number`, `number_type`
and `region_code_for_number`; results must agree on hostile input, on real-shaped numbers of
every region, typed several ways, in any order, cached or not.
"""

from __future__ import annotations

from itertools import zip_longest
from unittest.mock import patch

import phonenumbers
from hypothesis import example, given, settings
from hypothesis import strategies as st

from codtool import phones
from codtool.checks import address_it, phone, phone_metadata
from codtool.checks.address import check_address
from codtool.checks.address_model import Address
from codtool.checks.phone import check_phone, region_and_type
from codtool.checks.runner import checked

COUNTRIES = ["IT", "it", "US", "CA", "GB", "FR", "DE", "VA", "SM", "AE", "ZZ", "", "italy", " IT"]
_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=16)
_PREFIXES = st.sampled_from(["", "+", "00", "+39", "0039", "+1", "+44", "+379", "+800", "+882", "+7", "tel: ", "'"])
_NOISE = st.text(alphabet=" -./()+xext#'abc0123456789", max_size=6)


def _example(region: str, kind: int, tail: str) -> str:
    """A real-shaped number of another region and type, its last digits changed."""
    number = phonenumbers.example_number_for_type(region, kind)
    if number is None:
        return tail
    text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return text[:max(2, len(text) - len(tail))] + tail


# Shared country codes (+1, +39, +7, +44, +47, +590, +262...) are where the region walk matters.
_EXAMPLES = st.builds(_example, st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)),
                      st.sampled_from(list(phones.LINE_TYPES)), st.text(alphabet="0123456789", max_size=4))
_TYPED = st.one_of(
    _EXAMPLES,
    st.builds(lambda p, d, n: p + d + n, _PREFIXES, _DIGITS, _NOISE),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=25),
)


def _oracle(number: phonenumbers.PhoneNumber) -> tuple[str | None, int, bool]:
    return (phonenumbers.region_code_for_number(number), phonenumbers.number_type(number),
            phonenumbers.is_valid_number(number))


@settings(deadline=None, max_examples=400)  # phonenumbers loads region metadata on first use; no time is under test
@given(_TYPED, st.sampled_from(COUNTRIES))
def test_region_and_type_match_the_public_api(typed, country):
    try:
        number = phonenumbers.parse(phones.clean(typed), phones.region(country))
    except phonenumbers.NumberParseException:
        return
    region, kind = region_and_type(number)
    expected_region, expected_kind, valid = _oracle(number)
    assert kind == expected_kind
    assert (kind != phonenumbers.PhoneNumberType.UNKNOWN) == valid
    if valid:
        assert region == expected_region


@settings(deadline=None, max_examples=400)
@given(st.lists(st.tuples(_TYPED, st.sampled_from(COUNTRIES)), min_size=1, max_size=6))
def test_cached_check_gives_the_uncached_findings(calls):
    uncached = []
    for typed, country in calls:
        phone._checked.cache_clear()
        uncached.append(check_phone(typed, country))
    cached = [check_phone(f" {typed}\t", country) for typed, country in calls]  # padded: the same key
    cached += [check_phone(typed, country) for typed, country in reversed(calls)][::-1]
    assert cached == uncached + uncached


def test_cache_is_keyed_by_region_not_by_spelling_of_the_country():
    phone._checked.cache_clear()
    first = check_phone("333 123 4567", "IT")
    assert check_phone("333 123 4567", "it") is first
    assert check_phone("333 123 4567", "US") != first  # another region reads the digits otherwise


def test_unknown_country_named_in_the_message_even_when_cached():
    one, other = check_phone("12345", "Narnia"), check_phone("12345", "Atlantis")
    assert "Narnia" in one.findings[0].message and "Atlantis" in other.findings[0].message


@settings(deadline=None, max_examples=300)
@given(_TYPED, st.sampled_from(COUNTRIES))
def test_kind_and_findings_follow_the_public_api(typed, country):
    result = check_phone(typed, country)
    codes = {f.code for f in result.findings}
    if not any(ch.isdigit() for ch in typed):  # letters alone are not read as a vanity number
        assert result.kind == "unknown" and codes <= {"phone.missing", "phone.unparsable"}
        return
    try:
        number = phonenumbers.parse(phones.clean(typed.strip()), phones.region(country))
    except phonenumbers.NumberParseException:
        assert result.kind == "unknown" and codes <= {"phone.missing", "phone.unparsable"}
        return
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        assert codes == {"phone.invalid"}
        return
    number.extension = None
    assert result.e164 == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert result.national == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    region, kind, valid = _oracle(number)
    assert ("phone.possible_not_valid" in codes) == (not valid)
    if valid:
        assert result.kind == phones.LINE_TYPES.get(kind, "unknown")
        home = phones.region(country)
        assert ("phone.foreign" in codes) == bool(home and region and region != home)


_FIELD = st.one_of(st.sampled_from(["Roma", "roma (RM)", "Reggio Emilia", "S. Giovanni in Persiceto", "Milano", "",
                                    "RM", "MI", "Torino", "00184", "20121", "184", "0018", "Bolzano/Bozen"]),
                   st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20))


@settings(deadline=None, max_examples=300)  # the first example loads the CAP table
@given(st.lists(st.tuples(_FIELD, _FIELD, _FIELD), min_size=1, max_size=5), _FIELD)
def test_cached_italian_place_gives_the_uncached_findings(places, street):
    def checked(city, province, cap):
        return check_address(Address(f"{street} 12", "", city, cap, province, "IT"))

    uncached = []
    for place in places:
        address_it._place_part.cache_clear()
        address_it._street_part.cache_clear()
        uncached.append(checked(*place))
    assert [checked(*place) for place in places] == uncached
    assert [checked(*place) for place in reversed(places)] == uncached[::-1]




def _spaced(prefix: str, digits: str, seps: list[str]) -> str:
    return prefix + "".join(d + s for d, s in zip_longest(digits, seps[:len(digits)], fillvalue=""))


_ITALIANISH = st.builds(_spaced,
                        st.sampled_from(["", "", "+39", "+39 ", "+39-", "+3", "+", "0039", "39", "00", "0", "+390"]),
                        st.text(alphabet="0123456789", min_size=0, max_size=19),
                        st.lists(st.sampled_from(["", "", "", " ", "-", ".", "  ", "/", "(", ")"]), max_size=19))


@settings(deadline=None, max_examples=600)
@given(_ITALIANISH, st.sampled_from(["IT", "VA", "SM", "US", "GB", None]))
@example("393331234567", "IT")  # the country code typed without its plus: parse strips it
@example("39 06 1234567", "IT")
@example("0039 333 1234567", "IT")
def test_italian_shortcut_parses_as_phonenumbers_does(text, region):
    fast = phone._plain_italian(text, region)
    try:
        expected = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        assert fast is None
        return
    assert fast is None or fast == expected
    assert phone.parse(text, region) == expected


def _without_metadata_shortcut(typed: str, country: str) -> phone.PhoneResult:
    """check_phone as phonenumbers' public functions answer it, without the compiled metadata."""
    with patch.object(phone_metadata, "classify", lambda country_code, nsn: None):
        return phone._checked.__wrapped__(typed.strip(), phones.region(country), "" if phones.region(country)
                                          else country)


_MOBILE_OR_LANDLINE = st.builds(lambda head, rest: head + rest, st.sampled_from(["3", "0", "8", "1", "5", "4", "7"]),
                                st.text(alphabet="0123456789", min_size=2, max_size=12))


@settings(deadline=None, max_examples=800)
@given(st.one_of(_TYPED, _ITALIANISH, st.builds(_spaced, _PREFIXES, _MOBILE_OR_LANDLINE, st.just([]))),
       st.sampled_from(COUNTRIES))
@example("+39 333 1234567", "IT")
@example("06 1234 5678", "IT")
@example("800 123456", "IT")
@example("+39 0669812345", "VA")
@example("+1 212 555 0100 ext. 12", "US")
def test_metadata_shortcut_gives_what_phonenumbers_gives(typed, country):
    """e164, national form, kind and findings: the compiled metadata changes none of them."""
    region = phones.region(country)
    fast = phone._checked.__wrapped__(typed.strip(), region, "" if region else country)
    assert fast == _without_metadata_shortcut(typed, country)


@settings(deadline=None, max_examples=400)
@given(_EXAMPLES)
def test_classify_is_region_type_and_national_format(typed):
    try:
        number = phonenumbers.parse(typed, None)
    except phonenumbers.NumberParseException:
        return
    number.extension = None
    known = phone_metadata.classify(number.country_code, phonenumbers.national_significant_number(number))
    if known is None:
        return
    assert phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE
    region, kind, valid = _oracle(number)
    assert valid and (known.region, known.kind) == (region, kind)
    assert known.national == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def test_the_shortcut_answers_for_common_italian_numbers():
    """Without this the equality tests above would pass with a shortcut that never answers."""
    for nsn, kind in [("3331234567", phonenumbers.PhoneNumberType.MOBILE),
                      ("0612345678", phonenumbers.PhoneNumberType.FIXED_LINE)]:
        known = phone_metadata.classify(39, nsn)
        assert known is not None and (known.region, known.kind) == ("IT", kind)


def test_classify_matches_phonenumbers_on_every_regions_example_numbers():
    """Every region's example number of every type: the compiled formats and types of all metadata."""
    answered = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in phones.LINE_TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            known = phone_metadata.classify(number.country_code, phonenumbers.national_significant_number(number))
            if known is None:
                continue
            answered += 1
            assert (known.region, known.kind) == (phonenumbers.region_code_for_number(number),
                                                  phonenumbers.number_type(number)), (region, kind)
            assert known.national == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert answered > 1000


_LINE = st.one_of(st.sampled_from(["Via Roma 12", "V. Roma 12", "C.so Italia, 5 int. 4", "Via Roma", "12", "",
                                   "Loc. Case Sparse snc", "P.zza Duomo 1/A", "  via  roma   3 ", "V. "]),
                  st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20))


@settings(deadline=None, max_examples=300)
@given(st.lists(st.tuples(_LINE, _LINE, _FIELD, _FIELD, _FIELD), min_size=1, max_size=5))
def test_cached_italian_street_gives_the_uncached_findings(addresses):
    """The street half of an Italian address, looked up, equals it worked out from scratch."""
    def checked(address1, address2, city, province, cap):
        return check_address(Address(address1, address2, city, cap, province, "IT"))

    uncached = []
    for address in addresses:
        address_it._street_part.cache_clear()
        uncached.append(checked(*address))
    assert [checked(*address) for address in reversed(addresses)] == uncached[::-1]

_STREET = st.one_of(st.sampled_from(["Via Roma 12", "C.so Italia", "V.le Europa 10 int. 4", "Loc. Case Sparse snc", "",
                                     "Via dei Mille", "9", "  P.zza  Duomo, 3/B ", "12"]),
                    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20))


@settings(deadline=None, max_examples=300)
@given(st.lists(st.tuples(_STREET, _STREET, _FIELD, _FIELD, _FIELD), min_size=1, max_size=5))
def test_the_runners_italian_path_stores_what_check_address_says(addresses):
    """`checked` joins the street and place halves itself for orders shipped to IT; the stored
    columns and findings (in order) must be check_address's, cached or not."""
    for _repeat in range(2):  # the second time from the runner's caches
        rows = [(i, "", "", a1, a2, city, cap, province, "IT") for i, (a1, a2, city, cap, province) in
                enumerate(addresses)]
        for (_, values, findings), (a1, a2, city, cap, province) in zip(checked(rows), addresses, strict=True):
            result = check_address(Address(a1, a2, city, cap, province, "IT"))
            assert values[3:] == (result.line, result.house_number, result.postcode, result.city, result.province,
                                  result.country)
            phone_findings = [f for f in findings if f[0] == "phone"]
            assert findings[len(phone_findings):] == tuple(
                (f.check, f.code, f.severity, f.message, f.suggestion) for f in result.findings)
