"""AWS resources for in-process tests, shaped by template.yaml so tests and template agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from samtranslator.yaml_helper import yaml_parse

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
_TABLE_PROPERTIES = ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes", "StreamSpecification")


def template_resources(resource_type: str) -> dict[str, dict[str, Any]]:
    resources: dict[str, dict[str, Any]] = yaml_parse(TEMPLATE.read_text())["Resources"]
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
