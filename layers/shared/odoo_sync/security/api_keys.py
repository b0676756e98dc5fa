"""API keys: generated once, shown once, stored only as a hash.

Keys carry 256 bits of randomness, so a plain SHA-256 digest is enough to make the stored
value useless to a thief; a slow password hash would only cost latency on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TENANT_KEY_PREFIX = "osk_live_"
OPERATOR_KEY_PREFIX = "osk_op_"
_MAX_KEY_LENGTH = 200


def generate_tenant_key() -> str:
    return TENANT_KEY_PREFIX + secrets.token_urlsafe(32)


def generate_operator_key() -> str:
    return OPERATOR_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches_hash(key: str, expected_hash: str) -> bool:
    return hmac.compare_digest(hash_key(key), expected_hash.strip().lower())


def display_prefix(key: str) -> str:
    """Enough of a key for a person to recognise it in a list, not enough to use it."""
    return key[: len(TENANT_KEY_PREFIX) + 4] + "…"


def bearer_token(authorization_header: str | None) -> str | None:
    """The key in `Authorization: Bearer <key>` (scheme case-insensitive), or None."""
    if not authorization_header or len(authorization_header) > _MAX_KEY_LENGTH + 10:
        return None
    scheme, _, token = authorization_header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token
