"""How API Gateway judges a Lambda authorizer's IAM policy against the method ARN."""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache
from typing import Any


class Decision(Enum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit deny"
    IMPLICIT_DENY = "implicit deny"


class InvalidPolicyError(ValueError):
    """The document is not an IAM policy API Gateway would accept."""


INVOKE_ACTION = "execute-api:Invoke"


def method_arn(region: str, account: str, api_id: str, *, stage: str, method: str, path: str) -> str:
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{method}/{path.lstrip('/')}"


def evaluate(policy: Any, arn: str) -> Decision:
    """An explicit Deny wins, then any Allow; nothing matching is a deny too."""
    allowed = False
    for statement in _statements(policy):
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise InvalidPolicyError(f"statement Effect must be Allow or Deny, got {effect!r}")
        actions = _strings(statement.get("Action"), "Action")
        resources = _strings(statement.get("Resource"), "Resource")
        if not any(_matches(action, INVOKE_ACTION, case_sensitive=False) for action in actions):
            continue
        if not any(_matches(resource, arn, case_sensitive=True) for resource in resources):
            continue
        if effect == "Deny":
            return Decision.EXPLICIT_DENY
        allowed = True
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def _statements(policy: Any) -> list[dict[str, Any]]:
    if not isinstance(policy, dict):
        raise InvalidPolicyError("policyDocument must be an object")
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, dict) for s in statements):
        raise InvalidPolicyError("policyDocument.Statement must be a statement or a list of them")
    return statements


def _strings(value: Any, what: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return value
    raise InvalidPolicyError(f"statement {what} must be a string or a list of strings")


def _matches(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    return _compiled(pattern, case_sensitive).fullmatch(value) is not None


@lru_cache(maxsize=1024)
def _compiled(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    # IAM wildcards: * is any run of characters (slashes included), ? is exactly one.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, 0 if case_sensitive else re.IGNORECASE)
