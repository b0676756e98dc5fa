"""API Gateway's evaluation of an authorizer's IAM policy against the method ARN."""

import pytest

from local_stack.api.policy import Decision, InvalidPolicyError, evaluate, method_arn

ARN = method_arn("us-east-1", "123456789012", "abc123", stage="local", method="GET", path="/v1/things/42")
BASE = "arn:aws:execute-api:us-east-1:123456789012:abc123/local"


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def statement(effect, resource, action="execute-api:Invoke"):
    return {"Effect": effect, "Action": action, "Resource": resource}


def test_method_arn_names_stage_method_and_path():
    assert f"{BASE}/GET/v1/things/42" == ARN


@pytest.mark.parametrize(
    "resource",
    [
        f"{BASE}/*",
        f"{BASE}/GET/*",
        f"{BASE}/*/v1/things/*",
        f"{BASE}/GET/v1/things/4?",
        "*",
        [f"{BASE}/POST/*", "*"],
    ],
)
def test_wildcards_allow(resource):
    assert evaluate(policy(statement("Allow", resource)), ARN) is Decision.ALLOW


@pytest.mark.parametrize(
    "resource",
    [f"{BASE}/POST/*", f"{BASE}/GET/v1/things", f"{BASE}/GET/v1/things/4", f"{BASE.upper()}/*"],
)
def test_resources_that_do_not_match_are_an_implicit_deny(resource):
    assert evaluate(policy(statement("Allow", resource)), ARN) is Decision.IMPLICIT_DENY


def test_explicit_deny_wins_over_allow():
    document = policy(statement("Allow", f"{BASE}/*"), statement("Deny", f"{BASE}/GET/v1/things/*"))

    assert evaluate(document, ARN) is Decision.EXPLICIT_DENY


@pytest.mark.parametrize(
    "action", ["execute-api:*", "*", "EXECUTE-API:invoke", ["s3:GetObject", "execute-api:Invoke"]]
)
def test_actions_covering_invoke(action):
    assert evaluate(policy(statement("Allow", "*", action)), ARN) is Decision.ALLOW


def test_other_actions_do_not_allow():
    assert (
        evaluate(policy(statement("Allow", "*", "execute-api:ManageConnections")), ARN)
        is Decision.IMPLICIT_DENY
    )


def test_single_statement_object_is_accepted():
    assert evaluate({"Statement": statement("Allow", "*")}, ARN) is Decision.ALLOW


@pytest.mark.parametrize(
    "document",
    [
        None,
        {"Statement": "Allow"},
        policy({"Effect": "allow", "Action": "*", "Resource": "*"}),
        policy({"Effect": "Allow", "Resource": "*"}),
        policy({"Effect": "Allow", "Action": "*", "Resource": []}),
        policy({"Effect": "Allow", "Action": "*", "Resource": 7}),
    ],
)
def test_malformed_policies_are_rejected(document):
    with pytest.raises(InvalidPolicyError):
        evaluate(document, ARN)
