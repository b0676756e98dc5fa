"""Signatures of outbound webhook deliveries, and the check a receiver runs on them.

Each delivery carries `X-OdooSync-Timestamp: <unix seconds>` and
`X-OdooSync-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. While a secret is
being rotated the header holds one `v1=` value per valid secret, comma-separated, so a receiver
that still has the old secret (or already the new one) accepts the delivery. The timestamp is
signed too: a receiver refuses a delivery older than its tolerance, so a captured request cannot
be replayed later (and deduplicates on the delivery id within the tolerance).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
SIGNATURE_HEADER = "X-OdooSync-Signature"
TIMESTAMP_HEADER = "X-OdooSync-Timestamp"
DELIVERY_HEADER = "X-OdooSync-Delivery"
SCHEME = "v1"
DEFAULT_TOLERANCE_S = 300


class SignatureVerificationError(ValueError):
    """The delivery is not signed with the secret, or is too old (or too far in the future)."""


def new_signing_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of `<timestamp>.<body>` under the secret."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets_in_use: Sequence[str], timestamp: int, body: bytes) -> str:
    """The header value: `v1=<hex>` per secret, the current secret first."""
    if not secrets_in_use:
        raise ValueError("at least one secret is needed to sign")
    return ",".join(f"{SCHEME}={compute_signature(s, timestamp, body)}" for s in secrets_in_use)


def verify_signature(
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    secret: str,
    *,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> int:
    """Check a received delivery; answer its timestamp, or raise SignatureVerificationError.

    `body` must be the raw bytes received (not re-serialised JSON). The timestamp must be within
    `tolerance_s` of now, in either direction; any one `v1=` value matching is enough.
    """
    if not signature or not timestamp:
        raise SignatureVerificationError("the signature or timestamp header is missing")
    try:
        sent_at = int(timestamp)
    except ValueError as exc:
        raise SignatureVerificationError("the timestamp is not a number") from exc
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        raise SignatureVerificationError("the timestamp is outside the tolerance; possible replay")
    expected = compute_signature(secret, sent_at, body)
    candidates = [
        value
        for scheme, _, value in (part.strip().partition("=") for part in signature.split(","))
        if scheme == SCHEME
    ]
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureVerificationError("no signature matches the secret")
    return sent_at
