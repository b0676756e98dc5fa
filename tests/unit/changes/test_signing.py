"""Signing deliveries and the receiver's check, with replay tolerance and rotation."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from odoo_sync.core.signing import (
    SECRET_PREFIX,
    SignatureVerificationError,
    compute_signature,
    new_signing_secret,
    signature_header,
    verify_signature,
)

SECRET = "whsec_test-secret"
NOW = 1_714_557_600
BODY = b'{"id":"dlv_1","type":"record.updated"}'


def test_a_signed_body_verifies_and_answers_its_timestamp() -> None:
    header = signature_header([SECRET], NOW, BODY)

    assert header == f"v1={compute_signature(SECRET, NOW, BODY)}"
    assert verify_signature(BODY, header, str(NOW), SECRET, now=NOW + 10) == NOW


def test_the_signature_covers_timestamp_dot_body_with_hmac_sha256() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()

    assert compute_signature(SECRET, NOW, BODY) == expected


@pytest.mark.parametrize(
    ("body", "timestamp", "secret", "problem"),
    [
        (BODY + b" ", str(NOW), SECRET, "no signature matches"),
        (BODY, str(NOW), "whsec_other", "no signature matches"),
        (BODY, str(NOW + 1), SECRET, "no signature matches"),
        (BODY, "yesterday", SECRET, "not a number"),
    ],
)
def test_a_changed_body_timestamp_or_secret_is_refused(
    body: bytes, timestamp: str, secret: str, problem: str
) -> None:
    header = signature_header([SECRET], NOW, BODY)

    with pytest.raises(SignatureVerificationError, match=problem):
        verify_signature(body, header, timestamp, secret, now=NOW)


@pytest.mark.parametrize("age_s", [301, -301, 86_400])
def test_a_delivery_outside_the_tolerance_is_refused_as_a_replay(age_s: int) -> None:
    header = signature_header([SECRET], NOW, BODY)

    with pytest.raises(SignatureVerificationError, match="tolerance"):
        verify_signature(BODY, header, str(NOW), SECRET, now=NOW + age_s)


def test_the_tolerance_is_the_receivers_choice() -> None:
    header = signature_header([SECRET], NOW, BODY)

    assert verify_signature(BODY, header, str(NOW), SECRET, now=NOW + 3600, tolerance_s=7200) == NOW


@pytest.mark.parametrize(("signature", "timestamp"), [(None, str(NOW)), ("v1=abc", None), ("", "")])
def test_missing_headers_are_refused(signature: str | None, timestamp: str | None) -> None:
    with pytest.raises(SignatureVerificationError, match="missing"):
        verify_signature(BODY, signature, timestamp, SECRET, now=NOW)


def test_during_a_rotation_either_secret_verifies() -> None:
    header = signature_header(["whsec_new", "whsec_old"], NOW, BODY)

    assert header.count("v1=") == 2
    assert verify_signature(BODY, header, str(NOW), "whsec_new", now=NOW) == NOW
    assert verify_signature(BODY, header, str(NOW), "whsec_old", now=NOW) == NOW
    with pytest.raises(SignatureVerificationError):
        verify_signature(BODY, header, str(NOW), "whsec_neither", now=NOW)


def test_other_schemes_are_ignored() -> None:
    value = compute_signature(SECRET, NOW, BODY)

    with pytest.raises(SignatureVerificationError):
        verify_signature(BODY, f"v0={value}", str(NOW), SECRET, now=NOW)


def test_secrets_are_prefixed_and_unguessable() -> None:
    secrets = {new_signing_secret() for _ in range(50)}

    assert len(secrets) == 50
    assert all(s.startswith(SECRET_PREFIX) and len(s) > 40 for s in secrets)


def test_signing_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="at least one secret"):
        signature_header([], NOW, BODY)


@given(
    body=st.binary(max_size=512),
    secret=st.text(min_size=1, max_size=64),
    timestamp=st.integers(min_value=0, max_value=2**33),
    flip=st.integers(min_value=0, max_value=10_000),
)
def test_property_signatures_verify_and_any_changed_byte_fails(
    body: bytes, secret: str, timestamp: int, flip: int
) -> None:
    header = signature_header([secret], timestamp, body)

    assert verify_signature(body, header, str(timestamp), secret, now=timestamp) == timestamp
    if body:
        position = flip % len(body)
        tampered = body[:position] + bytes([body[position] ^ 0x01]) + body[position + 1 :]
        with pytest.raises(SignatureVerificationError):
            verify_signature(tampered, header, str(timestamp), secret, now=timestamp)
