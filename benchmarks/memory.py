"""Peak RSS of the worker on one real queued message, run in a process of its own (as in Lambda).

The message is the one the service itself queued (a push chunk after `POST /v1/bulk-sync`, a pull
page after an import), taken off the worker's queue before the local poller sees it, handed to
`benchmarks.worker_memory` in a fresh interpreter, and deleted once that process has applied it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_stack import LocalStack

ROOT = Path(__file__).resolve().parents[1]
WORKER = "SyncWorkerFunction"


@dataclass(frozen=True)
class WorkerMemory:
    peak_rss_mib: float  # VmHWM after the message: imports and the message together
    rss_before_mib: float  # VmHWM after importing the handler, before the message


def take_queued_messages(stack: LocalStack, count: int, function: str = WORKER) -> list[dict[str, Any]]:
    """The next `count` messages on `function`'s queue, received (so hidden) but not deleted."""
    source = next(s for s in stack.poller.sources if s.function == function)
    messages: list[dict[str, Any]] = []
    while len(messages) < count:
        answer = stack.client("sqs").receive_message(
            QueueUrl=source.queue_url,
            MaxNumberOfMessages=min(10, count - len(messages)),
            VisibilityTimeout=900,
            MessageSystemAttributeNames=["All"],
        )
        if not answer.get("Messages"):
            raise RuntimeError(f"{function}'s queue held {len(messages)} messages, {count} were expected")
        messages.extend(answer["Messages"])
    return messages


def measure(
    stack: LocalStack, body: str, taken: list[dict[str, Any]], function: str = WORKER
) -> WorkerMemory:
    """Apply one message body in a fresh worker process; its peak RSS. Deletes the `taken` messages."""
    env = {**os.environ, **stack.environment, "AWS_ENDPOINT_URL": stack.moto_endpoint}
    env["PYTHONPATH"] = os.pathsep.join(str(ROOT / p) for p in ("layers/shared", "functions", "infra", "."))
    env["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    env["POWERTOOLS_METRICS_DISABLED"] = "true"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker_memory"],
        input=body,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the worker process failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["answer"].get("batchItemFailures"):
        raise RuntimeError(f"the worker failed the message: {figures['answer']}\n{done.stderr[-3000:]}")
    source = next(s for s in stack.poller.sources if s.function == function)
    for message in taken:
        stack.client("sqs").delete_message(QueueUrl=source.queue_url, ReceiptHandle=message["ReceiptHandle"])
    return WorkerMemory(
        peak_rss_mib=round(figures["peak_rss_mib"], 1), rss_before_mib=round(figures["rss_before_mib"], 1)
    )
