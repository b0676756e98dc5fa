from __future__ import annotations

import base64

import boto3
import pytest

from odoo_sync.security.envelope import EnvelopeCipher, SecretDecryptionError

CONTEXT = {"tenant_id": "ten_a", "connection_id": "con_a", "purpose": "odoo-credential"}


@pytest.fixture
def cipher(aws) -> EnvelopeCipher:
    return EnvelopeCipher(boto3.client("kms"), aws.key_id)


def test_a_sealed_secret_opens_with_its_own_context(cipher):
    sealed = cipher.seal("s3cret-api-key", CONTEXT)

    assert cipher.open(sealed, CONTEXT) == "s3cret-api-key"


def test_the_stored_form_does_not_contain_the_secret(cipher):
    sealed = cipher.seal("s3cret-api-key", CONTEXT)

    assert "s3cret" not in sealed.model_dump_json()


def test_each_secret_gets_its_own_data_key_and_nonce(cipher):
    first, second = cipher.seal("same", CONTEXT), cipher.seal("same", CONTEXT)

    assert first.encrypted_data_key != second.encrypted_data_key
    assert first.nonce != second.nonce


def test_another_tenants_context_cannot_open_the_secret(cipher):
    sealed = cipher.seal("s3cret-api-key", CONTEXT)

    with pytest.raises(SecretDecryptionError):
        cipher.open(sealed, {**CONTEXT, "tenant_id": "ten_b"})


def test_a_tampered_ciphertext_is_refused(cipher):
    sealed = cipher.seal("s3cret-api-key", CONTEXT)
    raw = bytearray(base64.b64decode(sealed.ciphertext))
    raw[0] ^= 1
    tampered = sealed.model_copy(update={"ciphertext": base64.b64encode(bytes(raw)).decode()})

    with pytest.raises(SecretDecryptionError):
        cipher.open(tampered, CONTEXT)
