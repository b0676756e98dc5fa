"""Resources and settings built from the template: moto's stack, environment, parameters."""

import json
import os
import textwrap

import pytest

from local_stack import EnvironmentConflictError, LocalStack, TemplateError
from tests.integration.local_stack.conftest import FIXTURE_TEMPLATE, FIXTURES

OVERRIDES = {"Stage": "test", "Greeting": "hi"}


@pytest.fixture(scope="module")
def stack():
    with LocalStack(FIXTURE_TEMPLATE, port=0, parameter_overrides=OVERRIDES) as running:
        yield running


def test_environment_resolves_refs_getatts_and_subs_to_the_created_resources(stack):
    env = stack.environment

    assert env["GREETING"] == "hi"
    assert env["WHERE"] == "test/us-east-1/123456789012"
    assert env["ITEMS_TABLE"] == stack.resources["ItemsTable"]
    assert env["WORK_QUEUE_URL"] == stack.resources["WorkQueue"]
    assert env["KEY_ARN"] == f"arn:aws:kms:us-east-1:123456789012:key/{stack.resources['ItemsKey']}"
    assert env["SETTING_NAME"] == stack.resources["Setting"]


def test_process_environment_points_boto3_at_moto(stack):
    assert os.environ["AWS_ENDPOINT_URL"] == stack.moto_endpoint
    assert os.environ["AWS_REGION"] == "us-east-1"
    assert os.environ["ITEMS_TABLE"] == stack.resources["ItemsTable"]


def test_table_has_time_to_live_enabled_as_declared(stack):
    ttl = stack.client("dynamodb").describe_time_to_live(TableName=stack.resources["ItemsTable"])

    assert ttl["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_fifo_queue_has_its_redrive_policy(stack):
    sqs = stack.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=stack.resources["WorkQueue"], AttributeNames=["All"])[
        "Attributes"
    ]
    dead = sqs.get_queue_attributes(QueueUrl=stack.resources["WorkDeadLetters"], AttributeNames=["QueueArn"])

    assert attributes["FifoQueue"] == "true"
    assert json.loads(attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": dead["Attributes"]["QueueArn"],
        "maxReceiveCount": 2,
    }


def test_parameter_and_key_alias_exist(stack):
    parameter = stack.client("ssm").get_parameter(Name=stack.resources["Setting"])["Parameter"]
    aliases = stack.client("kms").list_aliases(KeyId=stack.resources["ItemsKey"])["Aliases"]

    assert parameter["Value"] == "hi from ssm"
    assert [alias["AliasName"] for alias in aliases] == ["alias/fixture-test"]


def test_parameters_are_defaults_plus_overrides(stack):
    assert stack.parameters == {"Stage": "test", "Greeting": "hi", "Mode": "normal"}


def test_stopping_restores_the_process_environment():
    before = dict(os.environ)

    with LocalStack(FIXTURE_TEMPLATE, port=0) as running:
        assert os.environ["AWS_ENDPOINT_URL"] == running.moto_endpoint

    assert dict(os.environ) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"Nope": "1"}, "unknown template parameters: Nope"), ({"Mode": "lax"}, "Mode='lax' is not one of")],
)
def test_bad_parameter_overrides_are_refused(overrides, message):
    with pytest.raises(TemplateError, match=message):
        LocalStack(FIXTURE_TEMPLATE, port=0, parameter_overrides=overrides).start()


def test_functions_disagreeing_on_a_variable_fail_loudly_and_leave_nothing_behind():
    before = dict(os.environ)

    with pytest.raises(
        EnvironmentConflictError, match="MODE: FirstFunction='fast' but SecondFunction='slow'"
    ):
        LocalStack(FIXTURES / "conflict.yaml", port=0).start()

    assert dict(os.environ) == before


def test_code_folder_that_does_not_exist_is_refused(tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text(
        textwrap.dedent(
            """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Lost:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.11
                  Handler: app.handler
                  CodeUri: missing/
            """
        )
    )

    with pytest.raises(TemplateError, match="Lost: CodeUri 'missing/' is not a folder"):
        LocalStack(template, port=0).start()


def test_template_that_is_not_a_template_is_refused(tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text("just: text\n")

    with pytest.raises(TemplateError, match="has no Resources"):
        LocalStack(template, port=0).start()


def test_an_identity_source_the_local_gateway_cannot_play_is_refused(tmp_path):
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    template = tmp_path / "template.yaml"
    template.write_text(
        textwrap.dedent(
            """
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Api:
                Type: AWS::Serverless::Api
                Properties:
                  StageName: dev
                  Auth:
                    DefaultAuthorizer: Keys
                    Authorizers:
                      Keys:
                        FunctionArn: !GetAtt Auth.Arn
                        FunctionPayloadType: REQUEST
                        Identity:
                          Headers: [Authorization]
                          Context: [identity.sourceIp]
              Auth:
                Type: AWS::Serverless::Function
                Properties: {Runtime: python3.11, Handler: app.handler, CodeUri: code/}
              Route:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.11
                  Handler: app.handler
                  CodeUri: code/
                  Events:
                    Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /x, Method: get}}
            """
        )
    )

    with pytest.raises(
        TemplateError, match=r"identity source context\.identity\.sourceIp does not run locally"
    ):
        LocalStack(template, port=0).start()
