"""AWS resources for in-process tests, shaped by template.yaml so tests and template agree."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from samtranslator.yaml_helper import yaml_parse

if TYPE_CHECKING:
    from mypy_boto3_sqs.literals import QueueAttributeNameType

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
_TABLE_PROPERTIES = (
    "KeySchema",
    "AttributeDefinitions",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "StreamSpecification",
)


@cache
def _template() -> dict[str, Any]:
    parsed: dict[str, Any] = yaml_parse(TEMPLATE.read_text())
    return parsed


def template_resources(resource_type: str) -> dict[str, dict[str, Any]]:
    resources: dict[str, dict[str, Any]] = _template()["Resources"]
    return {
        name: res.get("Properties", {}) for name, res in resources.items() if res["Type"] == resource_type
    }


def create_tables() -> dict[str, str]:
    """Every DynamoDB table of the template, named after its logical id."""
    dynamodb = boto3.client("dynamodb")
    names = {}
    for logical_id, properties in template_resources("AWS::DynamoDB::Table").items():
        spec = {key: properties[key] for key in _TABLE_PROPERTIES if key in properties}
        dynamodb.create_table(TableName=logical_id, BillingMode="PAY_PER_REQUEST", **spec)
        names[logical_id] = logical_id
    return names


def create_kms_key() -> str:
    return boto3.client("kms").create_key(Description="tests")["KeyMetadata"]["KeyId"]


def create_queues() -> dict[str, str]:
    """Every SQS queue of the template (FIFO ones with the .fifo suffix), by logical id -> URL."""
    sqs = boto3.client("sqs")
    urls: dict[str, str] = {}
    queues = template_resources("AWS::SQS::Queue")
    # Dead-letter queues first, so redrive policies can point at them.
    for logical_id in sorted(queues, key=lambda name: "RedrivePolicy" in queues[name]):
        properties = queues[logical_id]
        fifo = bool(properties.get("FifoQueue"))
        attributes: dict[QueueAttributeNameType, str] = {"FifoQueue": "true"} if fifo else {}
        if "VisibilityTimeout" in properties:
            attributes["VisibilityTimeout"] = str(properties["VisibilityTimeout"])
        redrive = properties.get("RedrivePolicy")
        if redrive:
            target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            target_arn = sqs.get_queue_attributes(QueueUrl=urls[target], AttributeNames=["QueueArn"])
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": target_arn["Attributes"]["QueueArn"],
                    "maxReceiveCount": str(redrive["maxReceiveCount"]),
                }
            )
        name = logical_id + (".fifo" if fifo else "")
        urls[logical_id] = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return urls
