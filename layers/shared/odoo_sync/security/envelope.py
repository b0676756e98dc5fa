"""KMS envelope encryption for connection secrets.

Each secret gets its own data key from KMS; the secret is sealed locally with AES-256-GCM and
only the KMS-encrypted data key is stored beside it. The encryption context (tenant and
connection) is bound both into KMS (so a data key cannot be decrypted for another tenant) and
into the GCM associated data (so a ciphertext moved to another item fails authentication).
"""

from __future__ import annotations

import base64
import json
import os
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict

from odoo_sync.errors import StorageError

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

_NONCE_BYTES = 12


class SealedSecret(BaseModel):
    """What is stored: never the plaintext, never the plaintext data key."""

    model_config = ConfigDict(frozen=True)

    key_id: str
    encrypted_data_key: str
    nonce: str
    ciphertext: str


class SecretDecryptionError(StorageError):
    code = "secret_unreadable"


class EnvelopeCipher:
    def __init__(self, kms: KMSClient, key_id: str) -> None:
        self._kms = kms
        self._key_id = key_id

    def seal(self, plaintext: str, context: dict[str, str]) -> SealedSecret:
        try:
            data_key = self._kms.generate_data_key(
                KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=context
            )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError("could not obtain a data key from KMS") from exc
        nonce = os.urandom(_NONCE_BYTES)
        ciphertext = AESGCM(data_key["Plaintext"]).encrypt(nonce, plaintext.encode(), _aad(context))
        return SealedSecret(
            key_id=data_key["KeyId"],
            encrypted_data_key=_b64(data_key["CiphertextBlob"]),
            nonce=_b64(nonce),
            ciphertext=_b64(ciphertext),
        )

    def open(self, sealed: SealedSecret, context: dict[str, str]) -> str:
        try:
            data_key = self._kms.decrypt(
                CiphertextBlob=base64.b64decode(sealed.encrypted_data_key),
                EncryptionContext=context,
                KeyId=sealed.key_id,
            )
        except (ClientError, BotoCoreError) as exc:
            raise SecretDecryptionError("the stored credential could not be decrypted") from exc
        try:
            plaintext = AESGCM(data_key["Plaintext"]).decrypt(
                base64.b64decode(sealed.nonce), base64.b64decode(sealed.ciphertext), _aad(context)
            )
        except InvalidTag as exc:
            raise SecretDecryptionError("the stored credential failed its integrity check") from exc
        return plaintext.decode()


def _aad(context: dict[str, str]) -> bytes:
    return json.dumps(context, sort_keys=True, separators=(",", ":")).encode()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
