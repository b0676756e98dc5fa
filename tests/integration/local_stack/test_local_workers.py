"""SQS event sources and EventBridge schedules, played by the local stack."""

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.integration.local_stack.conftest import invocations_of


@pytest.fixture
def sqs(stack):
    client = stack.client("sqs")
    for name in ("WorkQueue", "WorkDeadLetters", "PlainQueue"):
        empty(client, stack.resources[name])  # PurgeQueue is allowed once a minute only
    return client


def empty(sqs, url):
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def send_fifo(sqs, stack, body, group):
    return sqs.send_message(
        QueueUrl=stack.resources["WorkQueue"],
        MessageBody=json.dumps(body),
        MessageGroupId=group,
        MessageDeduplicationId=f"{group}-{json.dumps(body)}",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}},
    )["MessageId"]


def records_seen(stack, function):
    return [record for call in invocations_of(stack, function) for record in call.event["Records"]]


def queue_depth(sqs, url):
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def source(stack, mapping):
    return next(s for s in stack.poller.sources if s.mapping == mapping)


def test_fifo_record_has_sqs_event_format(stack, sqs):
    message_id = send_fifo(sqs, stack, {"n": 1}, "tenant-a")

    stack.poller.drain()

    record = next(r for r in records_seen(stack, "WorkerFunction") if r["messageId"] == message_id)
    queue_arn = sqs.get_queue_attributes(QueueUrl=stack.resources["WorkQueue"], AttributeNames=["QueueArn"])
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == queue_arn["Attributes"]["QueueArn"]
    assert record["awsRegion"] == "us-east-1"
    assert json.loads(record["body"]) == {"n": 1}
    assert record["receiptHandle"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["attributes"]["MessageGroupId"] == "tenant-a"
    assert record["attributes"]["MessageDeduplicationId"] == 'tenant-a-{"n": 1}'
    assert record["messageAttributes"]["kind"] == {
        "stringValue": "test",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }


def test_failed_items_come_back_then_go_to_the_dead_letter_queue(stack, sqs):
    good = send_fifo(sqs, stack, {"n": 2}, "g1")
    bad = send_fifo(sqs, stack, {"fail": True}, "g2")

    stack.poller.drain()

    seen = [r["messageId"] for r in records_seen(stack, "WorkerFunction")]
    assert seen.count(good) == 1  # deleted after its first, successful delivery
    assert seen.count(bad) == 2  # maxReceiveCount in the fixture's redrive policy
    assert queue_depth(sqs, stack.resources["WorkQueue"]) == 0
    dead = sqs.receive_message(QueueUrl=stack.resources["WorkDeadLetters"], MaxNumberOfMessages=10)
    assert [json.loads(m["Body"]) for m in dead["Messages"]] == [{"fail": True}]


def test_invalid_batch_response_fails_the_whole_batch(stack, sqs):
    send_fifo(sqs, stack, {"n": 3}, "g3")
    send_fifo(sqs, stack, {"bogus": True}, "g4")

    result = stack.poller.poll_once(source(stack, "WorkerFunctionWork"))

    assert (result.received, result.deleted, result.failed) == (2, 0, 2)


def test_batch_size_bounds_each_invocation(stack, sqs):
    url = stack.resources["PlainQueue"]
    for n in range(7):
        sqs.send_message(QueueUrl=url, MessageBody=f"ok-{n}")
    before = len(invocations_of(stack, "PlainWorkerFunction"))

    results = stack.poller.drain()

    calls = invocations_of(stack, "PlainWorkerFunction")[before:]
    assert all(len(call.event["Records"]) <= 3 for call in calls)
    assert sorted(r["body"] for call in calls for r in call.event["Records"]) == [f"ok-{n}" for n in range(7)]
    assert sum(r.deleted for r in results) == 7
    assert queue_depth(sqs, url) == 0


class ArrivesWhileWaiting:
    """The poller's stop event, with a message arriving the first time the poller waits."""

    def __init__(self, sqs, url):
        self.sqs, self.url, self.waits = sqs, url, 0

    def is_set(self):
        return False

    def wait(self, seconds):
        self.waits += 1
        if self.waits == 1:
            self.sqs.send_message(QueueUrl=self.url, MessageBody="ok-late")


def test_a_batching_window_gathers_what_arrives_within_it(stack, sqs, monkeypatch):
    url = stack.resources["PlainQueue"]
    plain = source(stack, "PlainWorkerFunctionPlain")
    assert plain.batching_window_s == 1.0  # MaximumBatchingWindowInSeconds of the template
    sqs.send_message(QueueUrl=url, MessageBody="ok-first")
    arrivals = ArrivesWhileWaiting(sqs, url)
    monkeypatch.setattr(stack.poller, "_stop", arrivals)

    gathered = stack.poller.poll_once(replace(plain, batching_window_s=0.2), gather=True)

    assert (gathered.received, gathered.deleted) == (2, 2)  # one invocation for both
    assert arrivals.waits >= 1


def test_drain_does_not_wait_out_a_batching_window(stack, sqs, monkeypatch):
    url = stack.resources["PlainQueue"]
    sqs.send_message(QueueUrl=url, MessageBody="ok-first")
    arrivals = ArrivesWhileWaiting(sqs, url)
    monkeypatch.setattr(stack.poller, "_stop", arrivals)

    alone = stack.poller.poll_once(source(stack, "PlainWorkerFunctionPlain"))

    assert (alone.received, arrivals.waits) == (1, 0)


def test_function_error_keeps_the_whole_batch_without_partial_responses(stack, sqs):
    url = stack.resources["PlainQueue"]
    sqs.send_message(QueueUrl=url, MessageBody="ok")
    sqs.send_message(QueueUrl=url, MessageBody="fail")

    result = stack.poller.poll_once(source(stack, "PlainWorkerFunctionPlain"))

    assert (result.received, result.deleted) == (2, 0)
    assert queue_depth(sqs, url) == 2


def test_fired_rule_with_input_delivers_that_input(stack):
    answers = stack.ticker.fire("TickFunctionNightly")

    assert answers == [{"received": {"job": "nightly"}}]


def test_fired_rule_without_input_delivers_a_scheduled_event(stack):
    [answer] = stack.ticker.fire("TickFunctionEveryFiveMinutes")

    event = answer["received"]
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["account"] == "123456789012"
    assert event["region"] == "us-east-1"
    assert event["detail"] == {}
    physical = stack.resources["TickFunctionEveryFiveMinutes"]
    assert event["resources"] == [f"arn:aws:events:us-east-1:123456789012:rule/{physical}"]


def test_tick_runs_only_the_schedules_due_at_that_minute(stack):
    ticker = stack.ticker
    start = ticker.started_at.replace(hour=1, minute=1, second=0, microsecond=0)
    ticker.started_at = start

    assert [t.rule for t in ticker.tick(start + timedelta(minutes=3))] == []
    assert [t.rule for t in ticker.tick(start + timedelta(minutes=5))] == ["TickFunctionEveryFiveMinutes"]
    # 02:30 is the nightly cron's minute, and 89 minutes is no multiple of the five-minute rate.
    assert [t.rule for t in ticker.tick(start + timedelta(minutes=89))] == ["TickFunctionNightly"]


def test_firing_an_unknown_rule_is_an_error(stack):
    with pytest.raises(KeyError, match="NoSuchRule"):
        stack.ticker.fire("NoSuchRule")
