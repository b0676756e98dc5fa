"""Email, phone (E.164), VAT and zip normalisation."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from odoo_sync.sync.issues import InvalidValueError, IssueCode
from odoo_sync.sync.normalise import normalise_email, normalise_phone, normalise_vat, normalise_zip


@pytest.mark.parametrize(
    ("given_value", "normal"),
    [
        ("  Ann.Lee@Example.COM ", "Ann.Lee@example.com"),
        ("ann+tag@sub.example.co.uk", "ann+tag@sub.example.co.uk"),
        ("user@BÜCHER.example", "user@bücher.example"),
        ("user@xn--bcher-kva.example", "user@bücher.example"),
        ("jöhn@example.com", "jöhn@example.com"),
        ("o'brien@example.ie", "o'brien@example.ie"),
    ],
)
def test_valid_emails_are_normalised(given_value, normal):
    assert normalise_email(given_value) == normal
    assert normalise_email(normal) == normal


def test_ascii_domain_on_request():
    assert normalise_email("user@Bücher.example", ascii_domain=True) == "user@xn--bcher-kva.example"


@pytest.mark.parametrize(
    "bad",
    [
        "plainaddress",
        "@example.com",
        "ann@",
        "ann@@example.com",
        "ann@example",
        "ann lee@example.com",
        ".ann@example.com",
        "ann..lee@example.com",
        "ann.@example.com",
        'ann"x@example.com',
        "ann@exa mple.com",
        "ann@-example.com",
        "ann@example.com.",
        "ann@[192.168.0.1]",
        "ann@example.123",
        "a" * 65 + "@example.com",
        "ann@" + "a" * 64 + ".com",
        "ann@" + ".".join(["abcdefghij"] * 25) + ".com",
        "ann@exa_mple.com",
        12,
        None,
    ],
)
def test_invalid_emails_are_refused_with_the_value_named(bad):
    with pytest.raises(InvalidValueError) as caught:
        normalise_email(bad)
    assert caught.value.code is IssueCode.INVALID_EMAIL
    assert caught.value.value is bad


@pytest.mark.parametrize(
    ("given_value", "region", "normal"),
    [
        ("02 555 12 12", "BE", "+3225551212"),
        ("+32 2 555 12 12", None, "+3225551212"),
        ("(650) 253-0000", "US", "+16502530000"),
        ("+44 20 7946 0958", "BE", "+442079460958"),  # its own code wins over the region
        ("0032 2 555 12 12", "BE", "+3225551212"),
    ],
)
def test_phones_become_e164(given_value, region, normal):
    assert normalise_phone(given_value, region) == normal


@pytest.mark.parametrize(
    ("bad", "region", "fragment"),
    [
        ("02 555 12 12", None, "country code"),
        ("12", "BE", "not a valid phone number for BE"),
        ("not a phone", "BE", "not a phone number"),
        ("+1 650 253 0000 ext. 12", None, "extension"),
        ("+32 2 000 00 00", None, "not a valid"),
        (True, "BE", "not a phone number"),
        (None, "BE", "not a phone number"),
    ],
)
def test_bad_phones_are_named(bad, region, fragment):
    with pytest.raises(InvalidValueError) as caught:
        normalise_phone(bad, region)
    assert caught.value.code is IssueCode.INVALID_PHONE
    assert fragment in caught.value.message


def test_possible_but_unassigned_number_passes_when_not_strict():
    assert normalise_phone("+32 2 000 00 00", None, strict=False) == "+3220000000"


REGIONS = sorted(r for r in phonenumbers.SUPPORTED_REGIONS if phonenumbers.example_number(r) is not None)
FORMATS = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.RFC3966,
]


@given(st.sampled_from(REGIONS), st.sampled_from(FORMATS))
def test_e164_is_idempotent_for_any_written_form(region, number_format):
    example = phonenumbers.example_number(region)
    assert example is not None
    written = phonenumbers.format_number(example, number_format)
    if number_format == phonenumbers.PhoneNumberFormat.RFC3966:
        written = written.removeprefix("tel:")
    normal = normalise_phone(written, region)
    assert normal == phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    assert normalise_phone(normal, None) == normal
    assert normalise_phone(normal, "US") == normal


@pytest.mark.parametrize(
    ("given_value", "country", "normal", "checked"),
    [
        ("BE 0477.472.701", "BE", "BE0477472701", True),
        ("0477472701", "BE", "BE0477472701", True),
        ("be0477472701", None, "BE0477472701", True),
        ("094259216", "GR", "EL094259216", True),
        ("BE0477472701", "FR", "BE0477472701", True),  # a Belgian company with a French address
        ("NO 974 760 673 MVA", "NO", "NO974760673MVA", True),
        ("CHE-116.281.710 MWST", "CH", "CHE116281710MWST", True),
        ("12-3456789", "US", "123456789", False),
    ],
)
def test_vat_numbers(given_value, country, normal, checked):
    vat = normalise_vat(given_value, country)
    assert (vat.value, vat.checked) == (normal, checked)
    assert normalise_vat(vat.value, country).value == vat.value


@pytest.mark.parametrize(
    ("bad", "country"),
    [
        ("BE0477472702", "BE"),
        ("0477472702", "BE"),
        ("12345", None),
        ("", "BE"),
        (477472701, "BE"),
        ("FR123", "FR"),
    ],
)
def test_bad_vat_numbers_are_named(bad, country):
    with pytest.raises(InvalidValueError) as caught:
        normalise_vat(bad, country)
    assert caught.value.code is IssueCode.INVALID_VAT
    assert caught.value.value is bad


@pytest.mark.parametrize(
    ("given_value", "country", "normal"),
    [
        (" 1000 ", "BE", "1000"),
        (1000, "BE", "1000"),
        ("1012ab", "NL", "1012 AB"),
        ("1012 AB", "NL", "1012 AB"),
        ("941051420", "US", "94105-1420"),
        ("94105", "US", "94105"),
        ("sw1a1aa", "GB", "SW1A 1AA"),
        ("k1a0b1", "CA", "K1A 0B1"),
        ("11351", "SE", "113 51"),
        ("00950", "PL", "00-950"),
        ("L-1234", "LU", "1234"),
        ("  75001", "FR", "75001"),
        ("  abc  12 ", "ZZ", "ABC 12"),
        ("  abc  12 ", None, "ABC 12"),
    ],
)
def test_zip_codes_per_country(given_value, country, normal):
    assert normalise_zip(given_value, country) == normal
    assert normalise_zip(normal, country) == normal


@pytest.mark.parametrize(
    ("bad", "country"), [("100", "BE"), ("ABCDE", "DE"), ("0123 AB", "NL"), ("1234", "US"), (True, "BE")]
)
def test_bad_zip_codes_are_named(bad, country):
    with pytest.raises(InvalidValueError) as caught:
        normalise_zip(bad, country)
    assert caught.value.code is IssueCode.INVALID_ZIP
