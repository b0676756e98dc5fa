"""The local API Gateway, seen from an HTTP client: routing, authorizers, events, responses."""

import base64
import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.integration.local_stack.conftest import invocations_of

ALLOW = {"Authorization": "Bearer allow"}


@pytest.fixture(scope="module")
def api(stack):
    with httpx.Client(base_url=stack.api_url, timeout=30) as client:
        yield client


def echo(api, **kwargs):
    response = api.request(
        kwargs.pop("method", "GET"), "/echo", headers=kwargs.pop("headers", ALLOW), **kwargs
    )
    assert response.status_code == 200, response.text
    return response, response.json()


def test_route_without_authorizer_answers_without_a_key(api):
    response = api.get("/health")

    assert response.status_code == 200
    assert response.json() == {"ok": True, "layer": "from the layer"}  # the layer is importable


def test_missing_key_is_401_with_the_templates_body_and_the_authorizer_is_not_called(api, stack):
    before = len(invocations_of(stack, "AuthFunction"))

    response = api.get("/echo")

    assert response.status_code == 401
    assert response.json() == {"code": "unauthorized", "request": response.headers["x-amzn-RequestId"]}
    assert len(invocations_of(stack, "AuthFunction")) == before


def test_authorizer_raising_unauthorized_is_401(api):
    response = api.get("/echo", headers={"Authorization": "Bearer reject"})

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.parametrize("key", ["Bearer crash", "Bearer nopolicy", "Bearer nested"])
def test_broken_authorizer_answers_500_without_calling_the_route(api, stack, key):
    before = len(invocations_of(stack, "ApiFunction"))

    response = api.get("/echo", headers={"Authorization": key})

    assert response.status_code == 500
    assert response.json() == {"message": None}
    assert len(invocations_of(stack, "ApiFunction")) == before


def test_explicit_deny_is_403_with_the_templates_body_and_headers(api):
    response = api.get("/echo", headers={"Authorization": "Bearer deny"})

    assert response.status_code == 403
    assert response.headers["X-Denied"] == "yes"
    assert response.json() == {
        "code": "forbidden",
        "detail": "User is not authorized to access this resource with an explicit deny",
    }


def test_policy_is_checked_against_the_method_arn(api):
    narrow = {"Authorization": "Bearer narrow"}  # allows GET /items/* only

    assert api.get("/items/none", headers=narrow).status_code == 404  # reached the function
    assert api.get("/echo", headers=narrow).status_code == 403
    assert api.put("/items/none", headers=narrow, json={"value": "x"}).status_code == 403


@pytest.mark.parametrize(("method", "path"), [("GET", "/nowhere"), ("DELETE", "/items/1"), ("GET", "/items")])
def test_unknown_route_or_method_is_missing_authentication_token(api, method, path):
    response = api.request(method, path, headers=ALLOW)

    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}


def test_literal_segment_wins_over_a_path_parameter(api):
    response = api.get("/items/special", headers=ALLOW)

    assert response.json()["resource"] == "/items/special"
    assert response.json()["pathParameters"] is None


def test_greedy_path_parameter_takes_the_rest_of_the_path(api):
    response = api.get("/files/a/b/c.txt", headers=ALLOW)

    assert response.json()["pathParameters"] == {"path": "a/b/c.txt"}


def test_proxy_event_carries_the_request_and_the_authorizer_context(api):
    response, answer = echo(
        api,
        params=[("tag", "a"), ("tag", "b c"), ("single", "1")],
        headers={**ALLOW, "X-Twice": "first"},
    )
    event = answer["event"]

    assert event["resource"] == "/echo"
    assert event["path"] == "/echo"
    assert event["httpMethod"] == "GET"
    assert event["queryStringParameters"] == {"tag": "b c", "single": "1"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b c"], "single": ["1"]}
    assert event["headers"]["X-Twice"] == "first"
    assert event["multiValueHeaders"]["Authorization"] == ["Bearer allow"]
    assert event["pathParameters"] is None
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["requestId"] == response.headers["x-amzn-RequestId"]
    assert context["stage"] == "dev"
    assert context["resourcePath"] == "/echo"
    assert context["httpMethod"] == "GET"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    # API Gateway hands the authorizer's context values over as strings, with the principal.
    assert context["authorizer"] == {
        "tenant_id": "t-1",
        "admin": "false",
        "weight": "3",
        "principalId": "user-1",
        "integrationLatency": 0,
    }


def test_function_gets_a_lambda_context_and_the_templates_environment(api, stack):
    _, answer = echo(api)

    assert answer["context"]["function_name"] == "ApiFunction"
    assert answer["context"]["memory_limit_in_mb"] == 256  # the function's, over Globals' default
    assert answer["context"]["invoked_function_arn"].endswith(":function:ApiFunction")
    assert 0 < answer["context"]["remaining_ms"] <= 10_000
    assert answer["env"] == {
        "GREETING": "hello",
        "WHERE": "dev/us-east-1/123456789012",
        "ITEMS_TABLE": stack.resources["ItemsTable"],
        "SETTING_NAME": stack.resources["Setting"],
    }


def test_text_body_arrives_as_text_and_binary_media_type_as_base64(api):
    _, text = echo(api, method="POST", json={"a": 1})
    _, binary = echo(
        api,
        method="POST",
        content=b"\x00\xff",
        headers={**ALLOW, "Content-Type": "application/octet-stream"},
    )

    assert json.loads(text["event"]["body"]) == {"a": 1}
    assert text["event"]["isBase64Encoded"] is False
    assert base64.b64decode(binary["event"]["body"]) == b"\x00\xff"
    assert binary["event"]["isBase64Encoded"] is True


def test_function_reaches_dynamodb_and_kms_in_moto(api):
    created = api.put("/items/i-1", json={"value": "secret"}, headers=ALLOW)
    read = api.get("/items/i-1", headers=ALLOW)

    assert created.status_code == 201
    assert read.json() == {"item_id": "i-1", "value": "secret"}


def test_base64_response_is_sent_as_bytes(api):
    response = api.get("/echo", params={"mode": "binary"}, headers=ALLOW)

    assert response.content == bytes(range(256))
    assert response.headers["Content-Type"] == "application/octet-stream"


def test_headers_and_multi_value_headers_merge_without_doubling(api):
    response = api.get("/echo", params={"mode": "headers"}, headers=ALLOW)

    assert response.status_code == 202
    assert response.text == "accepted"
    assert response.headers.get_list("Content-Type") == ["text/plain"]
    assert response.headers.get_list("Set-Cookie") == ["a=1", "b=2"]
    assert response.headers["X-Single"] == "one"


@pytest.mark.parametrize("mode", ["raise", "malformed", "unmarshallable", "huge"])
def test_failing_or_malformed_function_answer_is_502(api, mode):
    response = api.get("/echo", params={"mode": mode}, headers=ALLOW)

    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}


def test_request_over_10_mb_is_413_before_the_function_runs(api, stack):
    before = len(invocations_of(stack, "ApiFunction"))

    response = api.post("/echo", content=b"x" * (10 * 1024 * 1024 + 1), headers=ALLOW)

    assert response.status_code == 413
    assert response.json() == {"message": "Request Too Long"}
    assert len(invocations_of(stack, "ApiFunction")) == before


def test_authorizer_without_caching_runs_for_every_request(api, stack):
    before = len(invocations_of(stack, "AuthFunction"))

    echo(api)
    echo(api)

    assert len(invocations_of(stack, "AuthFunction")) == before + 2


def test_cached_policy_is_reused_for_other_routes_like_api_gateway(api, stack):
    stack.gateway.clear_authorizer_cache()
    key = {"X-Cached-Key": "cache-narrow"}  # its policy allows GET /cached/first only
    before = len(invocations_of(stack, "AuthFunction"))

    first = api.get("/cached/first", headers=key)
    second = api.get("/cached/second", headers=key)

    assert first.status_code == 200
    assert second.status_code == 403  # the cached policy does not cover this route
    assert len(invocations_of(stack, "AuthFunction")) == before + 1


def test_a_function_answers_one_request_at_a_time_as_one_lambda_instance_would(api):
    # A resolver keeps the request it answers in module state: two at once in one module mix up.
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda _: api.get("/echo", params={"mode": "meet"}, headers=ALLOW), range(2)))

    assert [answer.status_code for answer in answers] == [200, 200]
    assert [answer.json()["met_another_request"] for answer in answers] == [False, False]
