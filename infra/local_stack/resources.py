"""Create the template's AWS resources in moto through its CloudFormation, and read them back.

Only the resource types moto's CloudFormation builds faithfully are deployed. References to the
others (functions, layers, API Gateway) are replaced by stable local names, so what remains still
deploys. Values the local stack needs (environment variables, queue ARNs, ...) are resolved by
moto itself, as stack outputs, so intrinsic functions mean exactly what CloudFormation says.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import boto3

from local_stack.moto_server import ACCOUNT_ID
from local_stack.template import Template, TemplateError

DEPLOYABLE_TYPES = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::SQS::Queue",
        "AWS::SQS::QueuePolicy",
        "AWS::SNS::Topic",
        "AWS::KMS::Key",
        "AWS::KMS::Alias",
        "AWS::SSM::Parameter",
        "AWS::Events::Rule",
        "AWS::Events::EventBus",
        "AWS::IAM::Role",
        "AWS::IAM::ManagedPolicy",
        "AWS::S3::Bucket",
        "AWS::Logs::LogGroup",
    }
)
_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


@dataclass(frozen=True)
class Deployment:
    stack_name: str
    physical_ids: dict[str, str]  # logical id -> physical id, for deployed resources
    resolved: dict[str, str]  # caller's key -> value of the expression it asked for


def local_api_id(logical_id: str) -> str:
    """A stable, API-Gateway-shaped id (10 lowercase characters) for a REST API not deployed."""
    return hashlib.sha256(logical_id.encode()).hexdigest()[:10]


def local_function_arn(name: str, region: str) -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}"


def deploy(
    template: Template,
    stack_name: str,
    region: str,
    wanted: dict[str, Any],
) -> Deployment:
    """Create the stack in moto; `wanted` maps keys to CloudFormation expressions to resolve."""
    cfn_template = deployable_template(template, region, wanted, stack_name)
    cloudformation = boto3.client("cloudformation", region_name=region)
    try:
        cloudformation.create_stack(
            StackName=stack_name,
            TemplateBody=json.dumps(cfn_template),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in template.parameters.items()],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
        stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    except Exception as exc:  # moto reports template problems as generic client or server errors
        raise TemplateError(f"moto could not create the stack from {template.path.name}: {exc}") from exc
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise TemplateError(
            f"stack {stack_name} ended in {stack['StackStatus']}: {stack.get('StackStatusReason')}"
        )
    paginator = cloudformation.get_paginator("list_stack_resources")
    physical_ids = {
        summary["LogicalResourceId"]: summary["PhysicalResourceId"]
        for page in paginator.paginate(StackName=stack_name)
        for summary in page["StackResourceSummaries"]
    }
    outputs = {item["OutputKey"]: item.get("OutputValue", "") for item in stack.get("Outputs", [])}
    keys = list(wanted)
    resolved = {key: outputs[_output_key(index)] for index, key in enumerate(keys)}
    _enable_time_to_live(template, physical_ids, region)
    return Deployment(stack_name=stack_name, physical_ids=physical_ids, resolved=resolved)


def deployable_template(
    template: Template, region: str, wanted: dict[str, Any], stack_name: str = "local"
) -> dict[str, Any]:
    source = template.cfn
    kept = {name: res for name, res in source["Resources"].items() if res.get("Type") in DEPLOYABLE_TYPES}
    dropped = {name: res for name, res in source["Resources"].items() if name not in kept}
    placeholders = _Placeholders(dropped, region)
    resources = {
        name: placeholders.apply(_without_dropped_dependencies(res, dropped)) for name, res in kept.items()
    }
    _name_what_moto_cannot(resources, stack_name)
    outputs = {
        _output_key(index): {"Value": placeholders.apply(expression)}
        for index, expression in enumerate(wanted.values())
    }
    result: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    for section in ("Parameters", "Conditions", "Mappings"):
        if section in source:
            result[section] = copy.deepcopy(source[section])
    if outputs:
        result["Outputs"] = outputs
    return result


def _output_key(index: int) -> str:
    return f"LocalStackValue{index}"


def _name_what_moto_cannot(resources: dict[str, Any], stack_name: str) -> None:
    """Generate the names CloudFormation would, where moto's CloudFormation fails without one.

    It cannot create an unnamed SSM parameter, and names an unnamed FIFO queue without `.fifo`.
    """
    for logical_id, resource in resources.items():
        props = resource.setdefault("Properties", {})
        if resource["Type"] == "AWS::SSM::Parameter" and "Name" not in props:
            props["Name"] = f"CFN-{stack_name}-{logical_id}"
        fifo = str(props.get("FifoQueue", "false")).lower() == "true"
        if resource["Type"] == "AWS::SQS::Queue" and fifo and "QueueName" not in props:
            props["QueueName"] = f"{stack_name}-{logical_id}"[:75] + ".fifo"


def _without_dropped_dependencies(resource: dict[str, Any], dropped: dict[str, Any]) -> dict[str, Any]:
    resource = copy.deepcopy(resource)
    depends = resource.get("DependsOn")
    if isinstance(depends, str):
        depends = [depends]
    if depends is not None:
        remaining = [name for name in depends if name not in dropped]
        if remaining:
            resource["DependsOn"] = remaining
        else:
            resource.pop("DependsOn")
    return resource


class _Placeholders:
    """Replaces Ref/GetAtt/Sub references to resources that are not deployed locally."""

    def __init__(self, dropped: dict[str, dict[str, Any]], region: str) -> None:
        self._dropped = dropped
        self._region = region

    def apply(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.apply(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, value),) = node.items()
            replaced = self._replace(key, value)
            if replaced is not None:
                return replaced
        return {key: self.apply(value) for key, value in node.items()}

    def _replace(self, key: str, value: Any) -> Any:
        if key == "Ref" and value in self._dropped:
            return self.value(value, None)
        if key == "Fn::GetAtt":
            name, attribute = value.split(".", 1) if isinstance(value, str) else value
            if name in self._dropped:
                return self.value(name, attribute)
        if key == "Fn::Sub":
            text, variables = (value, {}) if isinstance(value, str) else value
            text = _SUB_VARIABLE.sub(lambda match: self._sub_variable(match, variables), text)
            return {"Fn::Sub": text if not variables else [text, self.apply(variables)]}
        return None

    def _sub_variable(self, match: re.Match[str], variables: dict[str, Any]) -> str:
        expression = match.group(1)
        name, _, attribute = expression.partition(".")
        if expression in variables or name not in self._dropped:
            return match.group(0)
        return self.value(name, attribute or None)

    def value(self, name: str, attribute: str | None) -> str:
        kind = self._dropped[name].get("Type")
        if kind == "AWS::Lambda::Function":
            return name if attribute is None else local_function_arn(name, self._region)
        if kind == "AWS::ApiGateway::RestApi":
            return local_api_id(name) if attribute is None else f"{local_api_id(name)}-{attribute}"
        if attribute is None:
            return name
        return f"arn:aws:local:{self._region}:{ACCOUNT_ID}:{name}/{attribute}"


def _enable_time_to_live(template: Template, physical_ids: dict[str, str], region: str) -> None:
    """moto's CloudFormation leaves TTL off whatever the template says; switch it on explicitly."""
    dynamodb = boto3.client("dynamodb", region_name=region)
    for name, resource in template.of_type("AWS::DynamoDB::Table").items():
        spec = resource.get("Properties", {}).get("TimeToLiveSpecification") or {}
        if str(spec.get("Enabled")).lower() != "true":
            continue
        attribute = spec.get("AttributeName")
        if not isinstance(attribute, str):
            raise TemplateError(f"{name}: TimeToLiveSpecification.AttributeName must be a literal name")
        dynamodb.update_time_to_live(
            TableName=physical_ids[name],
            TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
        )
