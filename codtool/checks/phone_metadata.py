"""phonenumbers' own metadata, compiled once per region: length, type and national format of a number.

phonenumbers answers `is_possible_number`, `number_type` and `format_number(NATIONAL)` by
looking the region up again on every call and trying each pattern in turn (through its own
regex cache), which costs more than the plain loop spends per order. The rules here are the
same rules read from the same `PhoneMetadata`, joined into one alternation per region and
length, so one regex call finds the first matching type (and one the first matching
format), as phonenumbers' ordered tests would. Anything outside the cases written out here
answers None and the caller asks phonenumbers; tests hold both paths equal on arbitrary input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter

from phonenumbers import PhoneMetadata, PhoneNumberType
from phonenumbers.phonenumberutil import _FIRST_GROUP_PATTERN, COUNTRY_CODE_TO_REGION_CODE

# The order of phonenumbers' _number_type_helper: the first description that matches wins,
# fixed line (then mobile) last.
_TYPE_ORDER = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE), ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST), ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER), ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN), ("voicemail", PhoneNumberType.VOICEMAIL),
    ("fixed_line", PhoneNumberType.FIXED_LINE), ("mobile", PhoneNumberType.MOBILE),
)

_TYPE_OF = dict(_TYPE_ORDER)


@dataclass(frozen=True, slots=True)
class Classified:
    """What phonenumbers would say of a possible, valid number: its region, type and national form."""

    region: str
    kind: int
    national: str


_GROUP_REF = re.compile(r"\\(\d)")
_DIGIT_GROUPS = re.compile(r"(?:\(\\d\{\d+(?:,\d+)?\}\))+")


@dataclass(frozen=True)
class _Format:
    """One number format: re.sub(pattern, rule, nsn) is phonenumbers' national form."""

    pattern: re.Pattern
    rule: str  # the format with the national-prefix rule already applied to its first group
    template: str | None  # the rule as str.format fields ("\\1 \\2" -> "{0} {1}"), None if it has other escapes
    groups: dict[int, Callable[[str], tuple[str, ...]] | None] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, number_format) -> _Format:
        rule = _national_rule(number_format)
        template = _GROUP_REF.sub(lambda m: f"{{{int(m[1]) - 1}}}", rule.replace("{", "{{").replace("}", "}}"))
        return cls(re.compile(number_format.pattern), rule, None if "\\" in template else template)

    def apply(self, nsn: str) -> str:
        """re.sub's answer, without expanding the template again when the first match is the whole number."""
        length = len(nsn)
        if length not in self.groups:
            self.groups[length] = self._slicer(length)
        if self.template is not None and (groups := self.groups[length]) is not None:
            return self.template.format(*groups(nsn))
        match = self.pattern.match(nsn)
        if self.template is not None and match is not None and match.end() == len(nsn):
            return self.template.format(*match.groups(""))
        return self.pattern.sub(self.rule, nsn)

    def _slicer(self, length: int) -> Callable[[str], tuple[str, ...]] | None:
        """The groups of a number of this length as slices, when the pattern is digit groups alone
        ("(\\d{3})(\\d{3,4})(\\d{4})"): then where they fall depends on the length only, so one match says it."""
        if not _DIGIT_GROUPS.fullmatch(self.pattern.pattern) or self.pattern.groups < 2:
            return None
        match = self.pattern.match("0" * length)
        if match is None or match.end() != length:
            return None
        return itemgetter(*(slice(*match.span(i)) for i in range(1, self.pattern.groups + 1)))


class _Region:
    """One region's metadata as compiled patterns; built on first use, kept for the process."""

    def __init__(self, metadata: PhoneMetadata) -> None:
        self.code = metadata.id
        general = metadata.general_desc
        self.lengths = frozenset(general.possible_length) - frozenset(general.possible_length_local_only or ())
        self.general = _compiled(general.national_number_pattern)
        self.metadata = metadata
        self.mobile = metadata.mobile
        self.same_mobile_and_fixed = bool(metadata.same_mobile_and_fixed_line_pattern)
        self.formats = tuple(_Format.of(f) for f in metadata.number_format)
        self.choose_format = _alternation(
            (f"f{i}", (f"(?={f.leading_digits_pattern[-1]})" if f.leading_digits_pattern else "") + f"(?:{f.pattern})")
            for i, f in enumerate(metadata.number_format))
        self._types: dict[int, re.Pattern | None] = {}

    def kind(self, nsn: str) -> int:
        """phonenumbers' _number_type_helper(nsn, metadata), one matching instead of up to eleven."""
        if self.general is None or self.general.fullmatch(nsn) is None:
            return PhoneNumberType.UNKNOWN
        length = len(nsn)
        if length not in self._types:
            self._types[length] = self._types_of_length(length)
        combined = self._types[length]
        hit = combined.fullmatch(nsn) if combined is not None else None
        if hit is None:
            return PhoneNumberType.UNKNOWN
        if hit.lastgroup == "fixed_line":
            if self.same_mobile_and_fixed or _matches(self.mobile, nsn):
                return PhoneNumberType.FIXED_LINE_OR_MOBILE
            return PhoneNumberType.FIXED_LINE
        return _TYPE_OF[hit.lastgroup]

    def _types_of_length(self, length: int) -> re.Pattern | None:
        """The descriptions a number of this length can match, in phonenumbers' order."""
        branches = []
        for name, _ in _TYPE_ORDER:
            desc = getattr(self.metadata, name)
            if name == "mobile" and self.same_mobile_and_fixed:
                continue  # phonenumbers does not test mobile then
            if desc is None or not desc.national_number_pattern:
                continue
            if desc.possible_length and length not in desc.possible_length:
                continue
            branches.append((name, desc.national_number_pattern))
        return _alternation(branches)

    def national(self, nsn: str) -> str:
        """format_number(number, NATIONAL) for a number without extension: the first format that fits."""
        hit = self.choose_format.fullmatch(nsn) if self.choose_format is not None else None
        if hit is None:
            return nsn
        return self.formats[int(hit.lastgroup[1:])].apply(nsn)


def _national_rule(number_format) -> str:
    """_format_nsn_using_pattern's rule for NATIONAL without a carrier code."""
    if number_format.national_prefix_formatting_rule:
        return _FIRST_GROUP_PATTERN.sub(number_format.national_prefix_formatting_rule, number_format.format, count=1)
    return number_format.format


def _compiled(pattern: str | None) -> re.Pattern | None:
    return re.compile(pattern) if pattern else None


def _alternation(branches) -> re.Pattern | None:
    """One regex trying each (name, pattern) in order; fullmatch's lastgroup names the first that fits."""
    parts = [f"(?P<{name}>{pattern})" for name, pattern in branches]
    return re.compile("|".join(parts)) if parts else None


def _matches(desc, nsn: str) -> bool:
    """phonenumbers' _is_number_matching_desc."""
    if desc is None or not desc.national_number_pattern:
        return False
    if desc.possible_length and len(nsn) not in desc.possible_length:
        return False
    return _pattern(desc.national_number_pattern).fullmatch(nsn) is not None


@cache
def _pattern(text: str) -> re.Pattern:
    return re.compile(text)


@cache
def _main_region(country_code: int) -> _Region | None:
    """The compiled metadata of a country code's main region, when only its rules can apply.

    For shared codes (+39 IT and VA, +1 ...) the main region decides alone only when it has
    no leading digits and the number is valid there: that is the first step of the region
    walk. Other answers go to phonenumbers.
    """
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions or regions[0] == "001":
        return None
    metadata = PhoneMetadata.metadata_for_region(regions[0], None)
    if metadata is None or (len(regions) > 1 and metadata.leading_digits is not None):
        return None
    return _Region(metadata)


def classify(country_code: int, nsn: str) -> Classified | None:
    """Region, type and national format of a possible and valid number, or None to ask phonenumbers."""
    compiled = _main_region(country_code)
    if compiled is None or len(nsn) not in compiled.lengths or not nsn.strip("0"):
        return None
    kind = compiled.kind(nsn)
    if kind == PhoneNumberType.UNKNOWN:
        return None
    return Classified(compiled.code, kind, compiled.national(nsn))
