"""Normalisers for contact data: email, phone (E.164), VAT, zip codes and address text.

Each takes the raw value and returns its normal form, or raises `InvalidValueError` with a code
and a message naming the value. They are idempotent: a normal form normalises to itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import idna

from odoo_sync.sync.countries import normalise_country_code
from odoo_sync.sync.issues import InvalidValueError, IssueCode, describe_value

_WHITESPACE = re.compile(r"\s+")


def _require_text(value: object, code: IssueCode, what: str) -> str:
    if isinstance(value, str):
        return value
    raise InvalidValueError(code, f"{describe_value(value)} is not text ({what} expected)", value)


def collapse_whitespace(value: str) -> str:
    """Trimmed, with every run of whitespace (tabs, newlines, non-breaking spaces) one space."""
    return _WHITESPACE.sub(" ", value).strip()


# --- email ------------------------------------------------------------------------------------

# RFC 5322 atext; non-ASCII letters are allowed too (RFC 6531 internationalised addresses).
_ATEXT_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-")
_LDH_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_OCTETS = 64


def normalise_email(value: object, *, ascii_domain: bool = False) -> str:
    """A syntactically valid address with its domain lower-cased and IDNA-checked.

    The local part keeps its case (it is case-sensitive by the standard). Quoted local parts,
    comments and IP-literal domains are refused: real sign-up data does not need them and mail
    systems often mishandle them. The domain comes back in Unicode form (Odoo encodes it when
    sending) unless `ascii_domain` asks for the xn-- form.
    """
    text = _require_text(value, IssueCode.INVALID_EMAIL, "an email address").strip()

    def invalid(reason: str) -> InvalidValueError:
        return InvalidValueError(
            IssueCode.INVALID_EMAIL, f"{describe_value(value)} is not a valid email: {reason}", value
        )

    if text.count("@") != 1:
        raise invalid("it needs exactly one '@'")
    local, domain = text.split("@")
    _check_local_part(local, invalid)
    ascii_name = _ascii_domain(domain, invalid)
    address = f"{local}@{ascii_name if ascii_domain else idna.decode(ascii_name)}"
    if len(f"{local}@{ascii_name}".encode()) > MAX_EMAIL_LENGTH:
        raise invalid(f"it is longer than {MAX_EMAIL_LENGTH} characters")
    return address


def _check_local_part(local: str, invalid: Callable[[str], InvalidValueError]) -> None:
    if not local:
        raise invalid("nothing before '@'")
    if len(local.encode()) > MAX_LOCAL_PART_OCTETS:
        raise invalid(f"the part before '@' is longer than {MAX_LOCAL_PART_OCTETS} bytes")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise invalid("dots may not start, end or repeat in the part before '@'")
    for char in local:
        if char == "." or char in _ATEXT_ASCII:
            continue
        if ord(char) > 127 and unicodedata.category(char)[0] in "LMN":
            continue
        raise invalid(f"{char!r} is not allowed before '@'")


def _ascii_domain(domain: str, invalid: Callable[[str], InvalidValueError]) -> str:
    if not domain:
        raise invalid("nothing after '@'")
    if domain.startswith("[") or domain.endswith("."):
        raise invalid("the domain must be a host name")
    try:
        ascii_name = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise invalid(f"the domain is not a valid host name ({exc})") from exc
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise invalid("the domain needs a dot (e.g. example.com)")
    if len(ascii_name) > 253 or not all(_LDH_LABEL.match(label) for label in labels):
        raise invalid("the domain is not a valid host name")
    if labels[-1].isdigit():
        raise invalid("the domain's last part cannot be a number")
    return ascii_name


# --- phone ------------------------------------------------------------------------------------


def normalise_phone(value: object, region: str | None = None, *, strict: bool = True) -> str:
    """The number in E.164 (+3225551212). `region` (ISO alpha-2, usually the record's country)
    reads numbers written without their country code. `strict` checks the number is assigned
    in its numbering plan; otherwise only its length must be possible. Extensions are refused:
    E.164 cannot carry them."""
    text = value if isinstance(value, str) else str(value) if isinstance(value, int) else None
    if text is None or isinstance(value, bool):
        raise InvalidValueError(
            IssueCode.INVALID_PHONE, f"{describe_value(value)} is not a phone number", value
        )

    def invalid(reason: str) -> InvalidValueError:
        return InvalidValueError(IssueCode.INVALID_PHONE, f"{describe_value(value)} {reason}", value)

    # Imported here: phonenumbers is large, and most functions never read a phone number.
    import phonenumbers  # noqa: PLC0415

    try:
        number = phonenumbers.parse(text, region.upper() if region else None)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise invalid("has no country code: start it with + or give the record a country") from exc
        raise invalid("is not a phone number") from exc
    if number.extension:
        raise invalid("has an extension, which E.164 cannot hold")
    checked = phonenumbers.is_valid_number(number) if strict else phonenumbers.is_possible_number(number)
    if not checked:
        where = phonenumbers.region_code_for_number(number) or f"+{number.country_code}"
        raise invalid(f"is not a valid phone number for {where}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- VAT --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VatNumber:
    """A normalised VAT number; `checked` is False where no check exists for the country."""

    value: str
    country: str
    checked: bool


@cache
def _eu_prefixes() -> tuple[dict[str, str], dict[str, str]]:
    """VAT prefixes of stdnum's EU module and the country each means: Greece uses EL, XI is
    Northern Ireland (GB); a number of any other country has no EU prefix. Then each EU
    country's prefix. Built on first use: python-stdnum is large, and most functions never
    check a VAT number."""
    from stdnum.eu import vat as eu_vat  # noqa: PLC0415

    prefix_to_country = {prefix.upper(): prefix.upper() for prefix in eu_vat.MEMBER_STATES} | {
        "EL": "GR",
        "XI": "GB",
    }
    country_to_prefix = {
        country: ("EL" if country == "GR" else country)
        for country in prefix_to_country.values()
        if country != "GB"
    }
    return prefix_to_country, country_to_prefix


_VAT_NOISE = re.compile(r"[\s.\-/,]")


def normalise_vat(value: object, country: str | None) -> VatNumber:
    """A VAT number checked with python-stdnum: EU numbers with their prefix (BE0477472701,
    EL for Greece), other countries in their compact form. A leading prefix of another EU
    country wins over the record's country (a foreign company)."""
    text = _require_text(value, IssueCode.INVALID_VAT, "a VAT number")
    compact = _VAT_NOISE.sub("", text).upper()
    if not compact:
        raise InvalidValueError(IssueCode.INVALID_VAT, "the VAT number is blank", value)
    home = normalise_country_code(country) if country else None
    prefix = compact[:2]
    prefix_to_country, country_to_prefix = _eu_prefixes()
    if prefix in prefix_to_country and compact[:2].isalpha():
        return _eu_vat(compact, prefix_to_country[prefix], value)
    if home in country_to_prefix:
        return _eu_vat(country_to_prefix[home] + compact, home, value)
    if home is None:
        raise InvalidValueError(
            IssueCode.INVALID_VAT,
            f"{describe_value(value)} has no EU country prefix and the record has no country",
            value,
        )
    return _national_vat(compact, home, value)


def _eu_vat(compact: str, country: str, original: object) -> VatNumber:
    from stdnum.eu import vat as eu_vat  # noqa: PLC0415
    from stdnum.exceptions import ValidationError as StdnumValidationError  # noqa: PLC0415

    try:
        return VatNumber(value=eu_vat.validate(compact), country=country, checked=True)
    except StdnumValidationError as exc:
        raise InvalidValueError(
            IssueCode.INVALID_VAT,
            f"{describe_value(original)} is not a valid {country} VAT number: {exc}",
            original,
        ) from exc


def _national_vat(compact: str, country: str, original: object) -> VatNumber:
    from stdnum import get_cc_module  # noqa: PLC0415
    from stdnum.exceptions import ValidationError as StdnumValidationError  # noqa: PLC0415

    module = get_cc_module(country, "vat")
    if module is None:
        return VatNumber(value=compact, country=country, checked=False)
    try:
        number: str = module.validate(compact)
    except StdnumValidationError as exc:
        raise InvalidValueError(
            IssueCode.INVALID_VAT,
            f"{describe_value(original)} is not a valid {country} VAT number: {exc}",
            original,
        ) from exc
    # Keep a country prefix the tenant wrote (NO974760673MVA): Odoo reads it as the country.
    if compact.startswith(country) and not number.startswith(country):
        number = country + number
    return VatNumber(value=number, country=country, checked=True)


# --- zip codes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipRule:
    pattern: re.Pattern[str]  # matched against the upper-cased code without spaces or dashes
    example: str
    layout: Callable[[re.Match[str]], str]


def _digits(count: int, example: str) -> ZipRule:
    return ZipRule(re.compile(rf"^(\d{{{count}}})$"), example, lambda m: m[1])


def _split_digits(first: int, second: int, joiner: str, example: str) -> ZipRule:
    return ZipRule(
        re.compile(rf"^(\d{{{first}}})(\d{{{second}}})$"), example, lambda m: f"{m[1]}{joiner}{m[2]}"
    )


ZIP_RULES: dict[str, ZipRule] = {
    **{
        cc: _digits(4, "1000")
        for cc in ("AT", "AU", "BE", "BG", "CH", "CY", "DK", "HU", "LU", "NO", "NZ", "SI", "ZA")
    },
    **{cc: _digits(5, "75001") for cc in ("DE", "EE", "ES", "FI", "FR", "HR", "IT", "LT", "MX", "TR", "UA")},
    **{cc: _digits(6, "110001") for cc in ("CN", "IN", "RU", "SG")},
    "US": ZipRule(
        re.compile(r"^(\d{5})(\d{4})?$"), "94105 or 94105-1420", lambda m: m[1] + (f"-{m[2]}" if m[2] else "")
    ),
    "NL": ZipRule(re.compile(r"^([1-9]\d{3})([A-Z]{2})$"), "1012 AB", lambda m: f"{m[1]} {m[2]}"),
    "CA": ZipRule(
        re.compile(r"^([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])(\d[ABCEGHJ-NPRSTV-Z]\d)$"),
        "K1A 0B1",
        lambda m: f"{m[1]} {m[2]}",
    ),
    "GB": ZipRule(
        re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$"), "SW1A 1AA", lambda m: f"{m[1]} {m[2]}"
    ),
    "IE": ZipRule(
        re.compile(r"^([AC-FHKNPRTV-Y]\d{2}|D6W)([0-9AC-FHKNPRTV-Y]{4})$"),
        "D02 X285",
        lambda m: f"{m[1]} {m[2]}",
    ),
    "SE": _split_digits(3, 2, " ", "113 51"),
    "CZ": _split_digits(3, 2, " ", "110 00"),
    "SK": _split_digits(3, 2, " ", "811 01"),
    "GR": _split_digits(3, 2, " ", "105 57"),
    "PL": _split_digits(2, 3, "-", "00-950"),
    "PT": _split_digits(4, 3, "-", "1000-001"),
    "JP": _split_digits(3, 4, "-", "100-0001"),
    "BR": _split_digits(5, 3, "-", "01310-100"),
}
# Some countries prefix codes with their letter code ("L-1234", "LT-01100"): accepted, dropped.
_ZIP_COUNTRY_PREFIX = re.compile(r"^([A-Z]{1,2})-(?=\d)")


def normalise_zip(value: object, country: str | None) -> str:
    """The postal code in its country's usual layout where a rule is known (BE, NL, DE, US,
    GB, CA, ... see ZIP_RULES); elsewhere trimmed and upper-cased."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = collapse_whitespace(_require_text(value, IssueCode.INVALID_ZIP, "a postal code")).upper()
    rule = ZIP_RULES.get(country.upper()) if country else None
    if rule is None:
        return text
    prefixed = _ZIP_COUNTRY_PREFIX.match(text)
    if prefixed and country and prefixed[1] in (country.upper(), country.upper()[0]):
        text = text[prefixed.end() :]
    match = rule.pattern.match(re.sub(r"[\s-]", "", text))
    if match is None:
        raise InvalidValueError(
            IssueCode.INVALID_ZIP,
            f"{describe_value(value)} is not a postal code of {country} (e.g. {rule.example})",
            value,
        )
    return rule.layout(match)
