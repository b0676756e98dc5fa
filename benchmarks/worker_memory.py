"""Peak memory of the sync worker on one message, measured in a process of its own (as in Lambda).

Run by benchmarks.memory with the local stack's environment: it imports the worker, invokes it
with the SQS message body read from stdin (a push chunk, a pull page) and prints JSON with the
process's peak RSS before and after the message.
"""

from __future__ import annotations

import json
import resource
import sys
import uuid
from pathlib import Path
from typing import Any

from sync_worker.handler import lambda_handler


def _peak_rss_mib() -> float:
    """VmHWM: this process's peak resident memory (ru_maxrss would include the parent's, kept across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: the best there is


def _event(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "benchmark",
                "body": json.dumps(message),
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "MessageGroupId": f"{message['tenant_id']}#{message['connection_id']}",
                    "MessageDeduplicationId": str(uuid.uuid4()),
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:SyncQueue.fifo",
                "awsRegion": "us-east-1",
            }
        ]
    }


class _Context:
    function_name = "SyncWorkerFunction"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:SyncWorkerFunction"
    aws_request_id = "benchmark"

    def get_remaining_time_in_millis(self) -> int:
        return 120_000


def main() -> None:
    message = json.loads(sys.stdin.read())
    before = _peak_rss_mib()
    answer = lambda_handler(_event(message), _Context())
    print(json.dumps({"rss_before_mib": before, "peak_rss_mib": _peak_rss_mib(), "answer": answer}))


if __name__ == "__main__":
    main()
