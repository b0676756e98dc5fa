"""The notice queue's function: a batch gathered by connection and model, failures reported per
message with a backoff of their own, notices waiting for Odoo's commit put back alone, malformed
messages moved to the dead-letter queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from odoo_changes import handler as notices_function
from odoo_sync.api import dependencies
from odoo_sync.core.notice_apply import GroupResult, NoticeGroup
from odoo_sync.core.pull_notices import NOTICE_DELAYS_S
from odoo_sync.core.recovery import GIVE_UP_AFTER_S
from odoo_sync.odoo.errors import OdooNetworkError, OdooRateLimitedError
from odoo_sync.settings import service_settings
from tests.support.events import LambdaContextStub
from tests.unit.automation.test_notice_gathering import CONNECTION, message

OTHER = "con_fedcba9876543210"
FIRST_RECEIVED_MS = 1_714_557_600_000


def record(key: str, body: str, receives: int = 1) -> dict[str, Any]:
    return {
        "messageId": key,
        "receiptHandle": f"handle-{key}",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": str(receives),
            "SentTimestamp": str(FIRST_RECEIVED_MS),
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": str(FIRST_RECEIVED_MS),
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:OdooChangeQueue",
        "awsRegion": "us-east-1",
    }


def invoke(*records: dict[str, Any]) -> list[str]:
    answer = notices_function.lambda_handler({"Records": list(records)}, LambdaContextStub())
    return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]


@dataclass
class Notices:
    """The notice service: records every group; fails or holds back by connection or id."""

    groups: list[tuple[str, list[int], list[bool]]] = field(default_factory=list)
    failing: dict[str, Exception] = field(default_factory=dict)
    ahead: set[int] = field(default_factory=set)

    def apply_group(self, group: NoticeGroup) -> GroupResult:
        self.groups.append((group.connection_id, group.odoo_ids, [n.patient for n in group.notices]))
        if group.connection_id in self.failing:
            raise self.failing[group.connection_id]
        waiting = self.ahead & set(group.awaited())
        return GroupResult([], waiting)


@pytest.fixture
def service(aws, monkeypatch: pytest.MonkeyPatch) -> Notices:
    notices = Notices()
    monkeypatch.setattr(dependencies, "notice_service", lambda: notices)
    monkeypatch.setattr(notices_function, "clock", lambda: FIRST_RECEIVED_MS / 1000 + 60)
    return notices


@pytest.fixture
def delays(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """(receipt handle, seconds) of each message handed back later."""
    done: list[tuple[str, int]] = []
    queue = dependencies.notice_queue()
    monkeypatch.setattr(queue, "delay", lambda receipt, seconds: done.append((receipt, seconds)))
    return done


def test_a_batch_is_applied_a_connection_and_model_at_a_time(service, delays):
    failed = invoke(
        record("a", message(1).model_dump_json()),
        record("b", message(2, connection=OTHER).model_dump_json()),
        record("c", message(1).model_dump_json()),
        record("d", message(3).model_dump_json()),
    )

    assert failed == []
    assert sorted(service.groups) == [(CONNECTION, [1, 3], [True] * 3), (OTHER, [2], [True])]
    assert delays == []


def test_a_failing_connection_comes_back_after_a_backoff_and_the_others_are_applied(service, delays):
    service.failing[OTHER] = OdooNetworkError("Odoo did not answer")

    failed = invoke(
        record("a", message(1).model_dump_json()),
        record("b", message(2, connection=OTHER).model_dump_json(), receives=3),
        record("c", message(4, connection=OTHER).model_dump_json()),
    )

    assert failed == ["b", "c"]
    handles = dict(delays)
    assert set(handles) == {"handle-b", "handle-c"}
    assert 10 <= handles["handle-b"] <= 20  # the third failure: 20 s at most, half of it at least
    assert 2 <= handles["handle-c"] <= 5


def test_odoos_retry_after_is_honoured(service, delays):
    service.failing[CONNECTION] = OdooRateLimitedError("slow down", retry_after=42)

    assert invoke(record("a", message(1).model_dump_json())) == ["a"]
    assert delays == [("handle-a", 42)]


def test_a_notice_failing_for_an_hour_is_dropped_and_said(service, delays, monkeypatch, caplog):
    service.failing[CONNECTION] = OdooNetworkError("Odoo did not answer")
    monkeypatch.setattr(notices_function, "clock", lambda: FIRST_RECEIVED_MS / 1000 + GIVE_UP_AFTER_S)

    assert invoke(record("a", message(1).model_dump_json(), receives=40)) == []
    assert delays == []
    assert any("dropped after an hour" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


def test_an_unexpected_error_is_logged_with_its_trace_and_the_notice_comes_back(service, delays, caplog):
    service.failing[CONNECTION] = RuntimeError("a bug")

    assert invoke(record("a", message(1).model_dump_json())) == ["a"]
    [error] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert error.exc_info is not None


@pytest.mark.parametrize("receives", [1, 2, 3, 4])
def test_only_the_notices_odoo_does_not_show_yet_come_back_each_try_later(service, delays, receives):
    service.ahead = {2}

    failed = invoke(
        record("a", message(1).model_dump_json(), receives=receives),
        record("b", message(2).model_dump_json(), receives=receives),
    )

    assert failed == ["b"]
    assert delays == [("handle-b", NOTICE_DELAYS_S[receives - 1])]


def test_the_last_delivery_no_longer_waits_for_odoo(service, delays):
    service.ahead = {1}
    last = len(NOTICE_DELAYS_S) + 1

    assert invoke(record("a", message(1).model_dump_json(), receives=last)) == []
    assert service.groups == [(CONNECTION, [1], [False])]


def test_a_malformed_message_goes_to_the_dead_letter_queue_and_the_rest_is_applied(service, delays):
    failed = invoke(
        record("bad", '{"kind": "odoo_change", "odoo_ids": []}'), record("a", message(1).model_dump_json())
    )

    assert failed == []
    assert service.groups == [(CONNECTION, [1], [True])]
    sqs = boto3.client("sqs")
    moved = sqs.receive_message(QueueUrl=service_settings().odoo_change_dead_letter_queue_url)["Messages"]
    assert [m["Body"] for m in moved] == ['{"kind": "odoo_change", "odoo_ids": []}']


def test_without_a_dead_letter_queue_a_malformed_message_is_left_to_the_redrive(service, monkeypatch):
    monkeypatch.delenv("ODOO_CHANGE_DEAD_LETTER_QUEUE_URL")
    service_settings.cache_clear()

    assert invoke(record("bad", "not json")) == ["bad"]
    assert service.groups == []


class ShortOfTime(LambdaContextStub):
    def get_remaining_time_in_millis(self) -> int:
        return notices_function.MIN_MS_PER_GROUP - 1


def test_notices_that_would_not_fit_in_the_time_left_come_back_at_once_untried(service, delays):
    event = {
        "Records": [record("a", message(1).model_dump_json()), record("b", message(2).model_dump_json())]
    }

    answer = notices_function.lambda_handler(event, ShortOfTime())

    assert [failure["itemIdentifier"] for failure in answer["batchItemFailures"]] == ["a", "b"]
    assert service.groups == []
    assert delays == [("handle-a", 0), ("handle-b", 0)]
