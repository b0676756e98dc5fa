"""Plays Lambda's SQS event source mappings: poll, invoke with SQS's event, delete what succeeded.

Failed messages are left alone, so SQS makes them visible again after the visibility timeout (or
when the function rescheduled them) and moves them to the dead-letter queue after
maxReceiveCount, exactly as deployed. Like Lambda's pollers, several invocations of one mapping
run at once (its ScalingConfig's MaximumConcurrency, at most LOCAL_CONCURRENCY here): on a FIFO
queue each takes messages of groups no other one holds, so the lanes of a connection run in
parallel while a group's messages stay in order. A batching window
(MaximumBatchingWindowInSeconds) is waited out by the running poller, as Lambda does: once a
message came, it gathers more until BatchSize or the window's end; `drain()` does not wait.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3

from local_stack.invoker import FunctionError, LambdaInvoker
from local_stack.resources import Deployment
from local_stack.template import Template, TemplateError

log = logging.getLogger("local_stack.sqs")
SQS_RECEIVE_MAX = 10
DEFAULT_BATCH_SIZE = 10
LOCAL_CONCURRENCY = 4  # invocations of one mapping at once on this machine (Lambda: many more)
DEFAULT_CONCURRENCY = 2
GATHER_POLL_S = 0.05  # how often a batching window looks for more messages


@dataclass(frozen=True)
class QueueSource:
    mapping: str  # logical id of the event source mapping
    function: str
    queue_arn: str
    queue_url: str
    batch_size: int
    report_batch_item_failures: bool
    enabled: bool
    concurrency: int = 1  # invocations at once
    batching_window_s: float = 0.0  # MaximumBatchingWindowInSeconds (the running poller waits it out)


@dataclass(frozen=True)
class BatchResult:
    source: QueueSource
    received: int
    deleted: int
    failed: int


def source_expressions(template: Template) -> dict[str, Any]:
    """What the deployment resolves for each mapping: its queue, and its batching window when it
    names a parameter."""
    expressions: dict[str, Any] = {}
    for name, resource in template.of_type("AWS::Lambda::EventSourceMapping").items():
        expressions[f"esm:{name}"] = resource["Properties"]["EventSourceArn"]
        window = resource["Properties"].get("MaximumBatchingWindowInSeconds")
        if isinstance(window, dict):
            expressions[f"esm-window:{name}"] = window
    return expressions


def queue_sources(template: Template, deployment: Deployment, region: str) -> list[QueueSource]:
    sqs = boto3.client("sqs", region_name=region)
    sources: list[QueueSource] = []
    for name, resource in template.of_type("AWS::Lambda::EventSourceMapping").items():
        arn = deployment.resolved[f"esm:{name}"]
        if not arn.startswith("arn:aws:sqs:"):
            continue  # a stream or another kind of source: not played locally
        props = resource["Properties"]
        function = (
            props.get("FunctionName", {}).get("Ref") if isinstance(props.get("FunctionName"), dict) else None
        )
        if function is None:
            raise TemplateError(f"{name}: FunctionName must reference a function of the template")
        _, _, _, _, account, queue_name = arn.split(":", 5)
        url = sqs.get_queue_url(QueueName=queue_name, QueueOwnerAWSAccountId=account)["QueueUrl"]
        sources.append(
            QueueSource(
                mapping=name,
                function=function,
                queue_arn=arn,
                queue_url=url,
                batch_size=int(props.get("BatchSize", DEFAULT_BATCH_SIZE)),
                report_batch_item_failures="ReportBatchItemFailures"
                in (props.get("FunctionResponseTypes") or []),
                enabled=str(props.get("Enabled", True)).lower() != "false",
                concurrency=_concurrency(props),
                batching_window_s=float(
                    deployment.resolved.get(
                        f"esm-window:{name}", props.get("MaximumBatchingWindowInSeconds", 0)
                    )
                ),
            )
        )
    return sources


def _concurrency(props: dict[str, Any]) -> int:
    scaling = props.get("ScalingConfig") or {}
    wanted = int(scaling.get("MaximumConcurrency", DEFAULT_CONCURRENCY)) if isinstance(scaling, dict) else 1
    return max(1, min(LOCAL_CONCURRENCY, wanted))


class SqsPoller:
    """Call `drain()` in tests; `start()` runs `concurrency` long-polling threads per source."""

    def __init__(self, sources: list[QueueSource], invoker: LambdaInvoker, region: str, wait_s: int = 1):
        self.sources = [source for source in sources if source.enabled]
        self._invoker = invoker
        self._region = region
        self._wait_s = wait_s
        self._sqs = boto3.client("sqs", region_name=region)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def poll_once(self, source: QueueSource, wait_s: int = 0, *, gather: bool = False) -> BatchResult:
        """Receive up to BatchSize messages, invoke once, delete the ones that succeeded. `gather`:
        wait out the source's batching window (`drain()` takes what is there)."""
        messages = self._receive(source, wait_s, gather=gather)
        if not messages:
            return BatchResult(source, 0, 0, 0)
        event = {"Records": [self._record(source, message) for message in messages]}
        succeeded = self._succeeded(source, messages, event)
        for start in range(0, len(succeeded), SQS_RECEIVE_MAX):
            chunk = succeeded[start : start + SQS_RECEIVE_MAX]
            self._sqs.delete_message_batch(
                QueueUrl=source.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        return BatchResult(source, len(messages), len(succeeded), len(messages) - len(succeeded))

    def drain(
        self, max_rounds: int = 100, *, parallel: bool = False, wait_for_held_s: float = 0.0
    ) -> list[BatchResult]:
        """Poll every source until none has a visible message; the batches, in order.

        `parallel`: each round runs as many invocations of a source at once as it may (its
        concurrency). `wait_for_held_s`: also wait, up to that long in all, for messages that are
        held back (rescheduled by the function, or in flight) to come back and be processed."""
        results: list[BatchResult] = []
        deadline = time.monotonic() + wait_for_held_s
        for _ in range(max_rounds):
            round_results = self._round(parallel)
            results.extend(result for result in round_results if result.received)
            if any(result.received for result in round_results):
                continue
            if wait_for_held_s <= 0 or not self._held() or time.monotonic() > deadline:
                return results
            time.sleep(0.2)
        raise RuntimeError(f"queues still had messages after {max_rounds} rounds")

    def _round(self, parallel: bool) -> list[BatchResult]:
        calls = [source for source in self.sources for _ in range(source.concurrency if parallel else 1)]
        if len(calls) == 1 or not parallel:
            return [self.poll_once(source) for source in calls]
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(self.poll_once, calls))

    def _held(self) -> bool:
        """Whether any source's queue holds messages that are not visible now."""
        for source in self.sources:
            attributes = self._sqs.get_queue_attributes(
                QueueUrl=source.queue_url,
                AttributeNames=["ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessages"],
            )["Attributes"]
            if any(int(attributes.get(name, "0")) for name in attributes):
                return True
        return False

    def start(self) -> None:
        self._stop.clear()
        for source in self.sources:
            for number in range(source.concurrency):
                thread = threading.Thread(
                    target=self._run, args=(source,), name=f"sqs-{source.mapping}-{number}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self._threads.clear()

    def _run(self, source: QueueSource) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once(source, self._wait_s, gather=True)
            except Exception:  # keep polling, as the managed poller does; the log says what broke
                log.exception("polling %s failed", source.queue_url)
                self._stop.wait(self._wait_s)

    def _receive(self, source: QueueSource, wait_s: int, *, gather: bool = False) -> list[Any]:
        """One receive per 10 messages of BatchSize, stopping early when the queue runs dry; with
        `gather`, as Lambda does with a batching window: once a message came, receiving goes on
        until BatchSize or the window's end."""
        messages: dict[str, Any] = {}
        window_ends: float | None = None
        while len(messages) < source.batch_size:
            wanted = min(SQS_RECEIVE_MAX, source.batch_size - len(messages))
            answer = self._sqs.receive_message(
                QueueUrl=source.queue_url,
                MaxNumberOfMessages=wanted,
                WaitTimeSeconds=wait_s if not messages else 0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            received = answer.get("Messages", [])
            fresh = [m for m in received if m["MessageId"] not in messages]
            messages.update((m["MessageId"], m) for m in fresh)
            if gather and window_ends is None and messages:
                window_ends = time.monotonic() + source.batching_window_s
            # A short answer means the queue has no more visible messages; a repeat means a message
            # became visible again (visibility timeout 0), which belongs to the next batch.
            if len(received) < wanted or len(fresh) < len(received):
                left = (window_ends or 0.0) - time.monotonic()
                if left <= 0 or len(fresh) < len(received) or self._stop.is_set():
                    break
                self._stop.wait(min(left, GATHER_POLL_S))
        return list(messages.values())

    def _succeeded(
        self, source: QueueSource, messages: list[dict[str, Any]], event: dict[str, Any]
    ) -> list[Any]:
        try:
            answer = self._invoker.invoke(source.function, event)
        except FunctionError:
            return []  # the whole batch returns after its visibility timeout
        if not source.report_batch_item_failures:
            return messages
        failed = _failed_ids(answer, {m["MessageId"] for m in messages})
        if failed is None:
            log.error(
                "%s returned an invalid batch response %r; the whole batch failed", source.function, answer
            )
            return []
        return [message for message in messages if message["MessageId"] not in failed]

    def _record(self, source: QueueSource, message: dict[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message.get("Body", ""),
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": {
                name: _message_attribute(value)
                for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": source.queue_arn,
            "awsRegion": self._region,
        }
        if "MD5OfMessageAttributes" in message:
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        return record


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
    return attribute


def _failed_ids(answer: Any, batch_ids: set[str]) -> set[str] | None:
    """Lambda's rules for a partial batch response; None means it is invalid (all failed)."""
    if answer is None or answer == {}:
        return set()
    if not isinstance(answer, dict):
        return None
    failures = answer.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return None
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in batch_ids:
            return None
        failed.add(identifier)
    return failed
