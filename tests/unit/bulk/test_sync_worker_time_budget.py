"""The SQS worker's time budget: messages that would not fit in what is left of the invocation
go back untried, at once, and are not given up on before their last delivery."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from odoo_sync.api import dependencies
from odoo_sync.stores.sync_log import LogQuery
from odoo_sync.sync.model import RecordOutcome
from sync_worker import handler as worker
from tests.support.events import LambdaContextStub
from tests.unit.bulk.test_sync_worker import TENANT, batch, chunk, pusher, sqs_record, succeed_all

__all__ = ["pusher"]

OTHER_GROUP = f"{TENANT}#con_fedcba9876543210"


@dataclass
class ClockedContext(LambdaContextStub):
    """A Lambda context whose remaining time the test's pushes use up."""

    remaining_ms: int = 120_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def spending(context: ClockedContext, ms_per_chunk: int):
    def push(entity: str, local_ids: Sequence[str]) -> list[RecordOutcome]:
        context.remaining_ms -= ms_per_chunk
        return succeed_all(entity, local_ids)

    return push


def invoke_with(context: ClockedContext, *records) -> list[str]:
    answer = worker.lambda_handler({"Records": list(records)}, context)
    return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]


def test_messages_that_would_not_fit_go_back_untried(pusher):
    context = ClockedContext(remaining_ms=120_000)
    pusher.pusher = spending(context, ms_per_chunk=40_000)

    failed = invoke_with(
        context,
        sqs_record("m1", chunk(0, ["a"])),
        sqs_record("m2", chunk(1, ["b"])),
        sqs_record("m3", chunk(2, ["c"])),
        sqs_record("m4", chunk(3, ["d"])),
    )

    # three chunks of 40 s use up the 120 s; the fourth is not started
    assert [call["local_ids"] for call in pusher.calls] == [["a"], ["b"], ["c"]]
    assert failed == ["m4"]
    assert (batch().succeeded, batch().failed, batch().pending) == (3, 0, 1)


def test_with_too_little_time_nothing_is_started_and_every_message_comes_back(pusher):
    context = ClockedContext(remaining_ms=worker.MIN_MS_PER_MESSAGE - 1)

    failed = invoke_with(
        context,
        sqs_record("m1", chunk(0, ["a"])),
        sqs_record("m2", chunk(1, ["b"])),
        sqs_record("m3", chunk(2, ["c"]), group=OTHER_GROUP),
    )

    assert failed == ["m1", "m2", "m3"]
    assert pusher.calls == []
    assert (batch().failed, batch().pending) == (0, 4)


def test_a_message_left_for_want_of_time_keeps_its_order_in_its_group(pusher):
    context = ClockedContext(remaining_ms=worker.MIN_MS_PER_MESSAGE + 1)
    pusher.pusher = spending(context, ms_per_chunk=2)

    failed = invoke_with(
        context,
        sqs_record("m1", chunk(0, ["a"])),
        sqs_record("m2", chunk(1, ["b"])),
        sqs_record("m3", chunk(2, ["c"])),
    )

    # m2 did not fit, so m3 (same group) is not tried either: it must not overtake m2
    assert [call["local_ids"] for call in pusher.calls] == [["a"]]
    assert failed == ["m2", "m3"]


def test_records_left_for_want_of_time_are_never_given_up_and_come_back_at_once(pusher, monkeypatch):
    context = ClockedContext(remaining_ms=0)
    handed_back: list[tuple[str, int]] = []
    monkeypatch.setattr(dependencies.chunk_queue(), "delay", lambda r, s: handed_back.append((r, s)))

    failed = invoke_with(context, sqs_record("m1", chunk(0, ["a", "b"]), receives=worker.MAX_RECEIVES - 2))

    assert failed == ["m1"]
    assert handed_back == [("handle-m1", 0)]
    assert pusher.calls == []
    assert (batch().failed, batch().pending) == (0, 4)
    entries, _ = dependencies.sync_log().query(TENANT, LogQuery(batch_id=batch().batch_id))
    assert entries == []
