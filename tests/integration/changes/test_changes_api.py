"""The changes function's routes through API Gateway events, on moto."""

from __future__ import annotations

import pytest

from changes_api.handler import lambda_handler
from odoo_sync.api import dependencies
from odoo_sync.net import urls
from tests.conftest import AwsResources
from tests.support.api import ApiAnswer, call
from tests.unit.changes.builders import OTHER_TENANT, TENANT, change

SUBSCRIPTIONS = "/v1/webhook-subscriptions"
ONE = "/v1/webhook-subscriptions/{subscription_id}"
PUBLIC_ADDRESS = "93.184.215.14"
RESOLVED = {"hooks.example.com": [PUBLIC_ADDRESS], "internal.example.com": ["10.1.2.3"]}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names resolve from a table here: no test asks a real DNS server."""

    def resolve(host: str, port: int) -> list[str]:
        if host not in RESOLVED:
            raise OSError("unknown host")
        return RESOLVED[host]

    monkeypatch.setattr(urls, "system_resolver", resolve)


def create(url: str = "https://hooks.example.com/odoo", tenant: str = TENANT, **fields: object) -> ApiAnswer:
    return call(lambda_handler, "POST", SUBSCRIPTIONS, body={"url": url, **fields}, tenant_id=tenant)


def test_registering_shows_the_secret_once_and_never_again(aws: AwsResources) -> None:
    created = create(entities=["customer"], description="CRM")

    assert created.status == 201
    secret = created.body["secret"]
    assert secret.startswith("whsec_")
    subscription_id = created.body["subscription_id"]
    assert created.body["entities"] == ["customer"]
    assert created.body["description"] == "CRM"

    shown = call(lambda_handler, "GET", ONE, {"subscription_id": subscription_id})
    listed = call(lambda_handler, "GET", SUBSCRIPTIONS)
    assert shown.status == listed.status == 200
    assert shown.body["url"] == "https://hooks.example.com/odoo"
    assert [item["subscription_id"] for item in listed.body["items"]] == [subscription_id]
    for answer in (shown, listed):
        assert secret not in answer.raw
        assert "secret" not in answer.body
        assert "whsec_" not in answer.raw


def test_the_secret_is_stored_sealed(aws: AwsResources) -> None:
    created = create()
    raw = str(dependencies.webhook_service()._repository.get(TENANT, created.body["subscription_id"]))
    assert created.body["secret"] not in raw


def test_a_replayed_registration_confirms_without_the_secret(aws: AwsResources) -> None:
    headers = {"Idempotency-Key": "register-1"}
    body = {"url": "https://hooks.example.com/odoo"}
    first = call(lambda_handler, "POST", SUBSCRIPTIONS, body=body, headers=headers)
    again = call(lambda_handler, "POST", SUBSCRIPTIONS, body=body, headers=headers)

    assert first.body["secret"].startswith("whsec_")
    assert again.status == 201
    assert again.body["secret"] is None
    assert again.body["subscription_id"] == first.body["subscription_id"]
    assert len(call(lambda_handler, "GET", SUBSCRIPTIONS).body["items"]) == 1


def test_rotating_shows_a_new_secret_once_and_keeps_the_old_one_signing_for_a_while(
    aws: AwsResources,
) -> None:
    created = create()
    subscription_id = created.body["subscription_id"]

    rotated = call(lambda_handler, "POST", ONE + "/rotate-secret", {"subscription_id": subscription_id})

    assert rotated.status == 200
    assert rotated.body["secret"].startswith("whsec_")
    assert rotated.body["secret"] != created.body["secret"]
    service = dependencies.webhook_service()
    stored = service.load(TENANT, subscription_id)
    assert service.signing_secrets(stored) == [rotated.body["secret"], created.body["secret"]]
    shown = call(lambda_handler, "GET", ONE, {"subscription_id": subscription_id})
    assert shown.body["previous_secret_expires_at"] == rotated.body["previous_secret_expires_at"]
    assert rotated.body["secret"] not in shown.raw


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/odoo", "https"),
        ("ftp://hooks.example.com/odoo", "https"),
        ("https://user:pw@hooks.example.com/odoo", "credentials"),
        ("https://hooks.example.com/odoo#frag", "fragment"),
        ("https://10.0.0.8/hook", "private"),
        ("https://192.168.1.1/hook", "private"),
        ("https://127.0.0.1/hook", "loopback"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://[::ffff:169.254.169.254]/hook", "link-local"),
        ("https://internal.example.com/hook", "private"),
        ("https://no-such-host.example.com/hook", "cannot resolve"),
    ],
)
def test_unsafe_or_non_https_urls_are_refused_at_registration(
    aws: AwsResources, url: str, reason: str
) -> None:
    refused = create(url)

    assert refused.status == 422
    assert refused.body["field"] == "url"
    assert reason in refused.body["message"]
    assert call(lambda_handler, "GET", SUBSCRIPTIONS).body["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": ""}, "url"),
        ({}, "url"),
        ({"url": "https://hooks.example.com", "entities": []}, "entities"),
        ({"url": "https://hooks.example.com", "entities": ["Bad Name"]}, "entities.0"),
        ({"url": "https://hooks.example.com", "description": "x" * 501}, "description"),
        ({"url": "https://hooks.example.com", "secret": "mine"}, "secret"),
    ],
)
def test_bad_registrations_name_the_field(aws: AwsResources, body: dict[str, object], field: str) -> None:
    refused = call(lambda_handler, "POST", SUBSCRIPTIONS, body=body)

    assert refused.status == 422
    assert refused.body["field"] == field


def test_a_tenant_cannot_see_or_touch_another_tenants_subscription(aws: AwsResources) -> None:
    subscription_id = create(tenant=OTHER_TENANT).body["subscription_id"]
    path = {"subscription_id": subscription_id}

    for method, resource in (
        ("GET", ONE),
        ("DELETE", ONE),
        ("POST", ONE + "/rotate-secret"),
        ("GET", ONE + "/deliveries"),
    ):
        answer = call(lambda_handler, method, resource, path)
        assert answer.status == 404, (method, resource)
        assert answer.body["field"] == "subscription_id"
    assert call(lambda_handler, "GET", SUBSCRIPTIONS).body["items"] == []
    assert call(lambda_handler, "GET", ONE, path, tenant_id=OTHER_TENANT).status == 200


def test_deleting_stops_the_subscription(aws: AwsResources) -> None:
    subscription_id = create().body["subscription_id"]
    path = {"subscription_id": subscription_id}

    assert call(lambda_handler, "DELETE", ONE, path).status == 204
    assert call(lambda_handler, "GET", ONE, path).status == 404
    assert call(lambda_handler, "DELETE", ONE, path).status == 404


def test_a_malformed_subscription_id_is_refused(aws: AwsResources) -> None:
    answer = call(lambda_handler, "GET", ONE, {"subscription_id": "nope"})

    assert answer.status == 422
    assert answer.body["field"] == "subscription_id"


def test_the_change_feed_reads_in_order_and_resumes(aws: AwsResources) -> None:
    dependencies.change_sink().publish(TENANT, [change("a"), change("p", "product"), change("b")])

    first = call(lambda_handler, "GET", "/v1/changes", query="limit=2")
    assert first.status == 200
    assert [item["data"]["local_id"] for item in first.body["items"]] == ["a", "p"]
    assert first.body["has_more"] is True
    rest = call(lambda_handler, "GET", "/v1/changes", query=f"cursor={first.body['next']}")
    assert [item["data"]["local_id"] for item in rest.body["items"]] == ["b"]
    products = call(lambda_handler, "GET", "/v1/changes", query="entity=product")
    assert [(i["sequence"], i["type"]) for i in products.body["items"]] == [(1, "record.updated")]
    other = call(lambda_handler, "GET", "/v1/changes", tenant_id=OTHER_TENANT)
    assert other.body["items"] == []


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("limit=0", 422, "limit"),
        ("limit=501", 422, "limit"),
        ("entity=Not-An-Entity", 422, "entity"),
        ("cursor=garbage", 400, "cursor"),
    ],
)
def test_bad_feed_queries_name_the_field(aws: AwsResources, query: str, status: int, field: str) -> None:
    answer = call(lambda_handler, "GET", "/v1/changes", query=query)

    assert answer.status == status
    assert answer.body["field"] == field


def test_a_cursor_of_the_whole_feed_is_refused_for_an_entity_feed(aws: AwsResources) -> None:
    cursor = call(lambda_handler, "GET", "/v1/changes").body["next"]

    answer = call(lambda_handler, "GET", "/v1/changes", query=f"entity=customer&cursor={cursor}")

    assert answer.status == 400
    assert answer.body["field"] == "cursor"
