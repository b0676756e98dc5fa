"""What a measured workload would cost on AWS, from the requests and capacity the meter counted.

On-demand list prices, us-east-1 (N. Virginia), as published in 2025; free tiers left out:
- DynamoDB on-demand, standard table class: US$0.625 per million write request units, US$0.125
  per million read request units (since the 2024-11 price cut). Storage is not counted.
- SQS: US$0.50 per million requests to a FIFO queue (the chunk queue), US$0.40 to a standard one
  (Odoo's notices, webhook deliveries); each started 64 KB of payload a request.
- Lambda, arm64 (the template's architecture): US$0.0000133334 per GB-second, US$0.20 per million
  requests; GB-seconds = the function's MemorySize in template.yaml x its measured duration.
- KMS: US$0.03 per 10,000 requests.
API Gateway (US$3.50 per million REST requests, one per records batch of up to 1,000) is not
counted, nor is CloudWatch (logs, metrics).

Lambda durations are those measured on this machine, where the AWS services are moto in the same
process and every request costs milliseconds of CPU: on AWS the same work waits on the network
instead, so the GB-seconds here are an estimate, not a bound either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from local_stack.invoker import InvocationTotals
from local_stack.meter import MeterReading

REGION = "us-east-1"
DYNAMODB_WRITE_UNIT = 0.625 / 1e6
DYNAMODB_READ_UNIT = 0.125 / 1e6
SQS_FIFO_REQUEST = 0.50 / 1e6
SQS_STANDARD_REQUEST = 0.40 / 1e6
LAMBDA_GB_SECOND = 0.0000133334
LAMBDA_REQUEST = 0.20 / 1e6
KMS_REQUEST = 0.03 / 1e4
PRICES = (
    f"{REGION} on-demand list prices: DynamoDB US$0.625/million write request units and US$0.125/million "
    "read request units, SQS US$0.50/million requests FIFO and US$0.40 standard (64 KB each), Lambda arm64 "
    "US$0.0000133334/GB-s and US$0.20/million requests, KMS US$0.03/10,000 requests"
)


@dataclass(frozen=True)
class AwsCost:
    """US$ per million records, by service."""

    dynamodb: float
    sqs: float
    lambda_compute: float
    lambda_requests: float
    kms: float

    @property
    def total(self) -> float:
        return self.dynamodb + self.sqs + self.lambda_compute + self.lambda_requests + self.kms

    def as_dict(self) -> dict[str, float]:
        return {
            **{name: round(value, 4) for name, value in asdict(self).items()},
            "total": round(self.total, 4),
        }


def per_million(
    reading: MeterReading,
    invocations: Mapping[str, InvocationTotals],
    memory_mb: Mapping[str, int],
    records: int,
) -> AwsCost:
    """The cost of `records` records' work, scaled to a million records."""
    scale = 1e6 / max(records, 1)
    gb_seconds = sum(
        totals.duration_ms / 1000 * memory_mb.get(name, 128) / 1024 for name, totals in invocations.items()
    )
    return AwsCost(
        dynamodb=scale
        * (reading.total_write_units * DYNAMODB_WRITE_UNIT + reading.total_read_units * DYNAMODB_READ_UNIT),
        sqs=scale
        * (
            reading.sqs_billed_fifo * SQS_FIFO_REQUEST
            + (reading.sqs_billed - reading.sqs_billed_fifo) * SQS_STANDARD_REQUEST
        ),
        lambda_compute=scale * gb_seconds * LAMBDA_GB_SECOND,
        lambda_requests=scale * sum(t.count for t in invocations.values()) * LAMBDA_REQUEST,
        kms=scale * reading.count("kms") * KMS_REQUEST,
    )


def invocations_between(
    before: Mapping[str, InvocationTotals], after: Mapping[str, InvocationTotals]
) -> dict[str, InvocationTotals]:
    zero = InvocationTotals()
    return {
        name: InvocationTotals(
            totals.count - before.get(name, zero).count,
            totals.duration_ms - before.get(name, zero).duration_ms,
        )
        for name, totals in after.items()
    }
