"""The SAM project deploys as documented: stages in samconfig.toml, outputs, the operator key's policy."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from local_stack.template import load_template

ROOT = Path(__file__).resolve().parents[3]
STAGES = ("dev", "prod")


def samconfig() -> dict[str, Any]:
    return tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))


def template() -> dict[str, Any]:
    parsed: dict[str, Any] = yaml_parse((ROOT / "template.yaml").read_text(encoding="utf-8"))
    return parsed


def overrides(stage: str) -> dict[str, str]:
    text = samconfig()[stage]["deploy"]["parameters"]["parameter_overrides"]
    return dict(pair.split("=", 1) for pair in shlex.split(text))


@pytest.mark.parametrize("stage", ["default", *STAGES])
def test_each_stage_is_its_own_stack_with_valid_parameters(stage: str) -> None:
    config = samconfig()[stage]
    declared = template()["Parameters"]
    values = overrides(stage)
    expected = "dev" if stage == "default" else stage

    assert config["global"]["parameters"]["stack_name"] == f"odoo-sync-{expected}"
    assert values["Stage"] == expected
    assert expected in values["OperatorKeyHashParameter"]
    assert config["deploy"]["parameters"]["capabilities"] == "CAPABILITY_IAM"
    for name, value in values.items():
        assert name in declared, name
        if "AllowedValues" in declared[name]:
            assert value in declared[name]["AllowedValues"]
        if "AllowedPattern" in declared[name]:
            assert re.fullmatch(declared[name]["AllowedPattern"], value), (name, value)


def test_stages_never_share_a_stack_a_bucket_prefix_or_an_operator_key() -> None:
    config = samconfig()
    for key in ("stack_name",):
        assert len({config[s]["global"]["parameters"][key] for s in STAGES}) == len(STAGES)
    assert len({config[s]["deploy"]["parameters"]["s3_prefix"] for s in STAGES}) == len(STAGES)
    assert len({overrides(s)["OperatorKeyHashParameter"] for s in STAGES}) == len(STAGES)


def test_the_stack_says_where_the_api_and_its_reference_are() -> None:
    outputs = template()["Outputs"]

    assert outputs["ApiUrl"]["Value"]["Fn::Sub"].endswith("/${Stage}")
    assert outputs["ApiReferenceUrl"]["Value"]["Fn::Sub"].endswith("/${Stage}/v1/docs")


def test_the_authorizer_may_read_exactly_the_operator_keys_parameter() -> None:
    translated = load_template(
        ROOT / "template.yaml",
        {"OperatorKeyHashParameter": "/odoo-sync/prod/operator-key-sha256"},
        "eu-west-1",
    )
    role = translated.resources["AuthorizerFunctionRole"]["Properties"]
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    reads = [s for s in statements if "ssm:GetParameter" in str(s["Action"])]

    assert len(reads) == 1
    resource = reads[0]["Resource"]["Fn::Sub"]
    assert resource == (
        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${OperatorKeyHashParameter}"
    )
    # With the parameter's leading slash the ARN is ...:parameter/odoo-sync/prod/operator-key-sha256.
    assert translated.parameters["OperatorKeyHashParameter"].startswith("/")


def test_every_function_runs_on_the_layers_runtime_and_architecture() -> None:
    sam = template()
    function = sam["Globals"]["Function"]
    layer = sam["Resources"]["SharedLayer"]

    assert layer["Properties"]["CompatibleRuntimes"] == [function["Runtime"]]
    assert layer["Metadata"]["BuildMethod"] == function["Runtime"]
    assert layer["Properties"]["CompatibleArchitectures"] == function["Architectures"]


def _policy_targets(function: str) -> set[tuple[str, str]]:
    """(policy template, the resource it names) for each SAM policy template of a function."""
    targets: set[tuple[str, str]] = set()
    for policy in template()["Resources"][function]["Properties"]["Policies"]:
        for name, argument in policy.items():
            if name == "Statement":
                continue
            reference = next(iter(argument.values()))
            targets.add((name, str(reference.get("Ref") or reference.get("Fn::GetAtt", [""])[0])))
    return targets


def test_the_notices_function_may_do_what_applying_a_pulled_page_does() -> None:
    worker, notices = _policy_targets("SyncWorkerFunction"), _policy_targets("OdooChangesFunction")
    page_work = {target for target in worker if target[0] in {"DynamoDBCrudPolicy", "KMSDecryptPolicy"}}

    assert ("DynamoDBCrudPolicy", "RecordsTable") in page_work
    assert page_work <= notices  # the same page applier, the same tables and key
    assert ("SQSSendMessagePolicy", "DeliveryQueue") in notices  # fan-out to webhook subscriptions
    assert ("SQSSendMessagePolicy", "OdooChangeDeadLetterQueue") in notices
    assert ("SQSSendMessagePolicy", "OdooChangeQueue") in _policy_targets("OdooWebhookFunction")
