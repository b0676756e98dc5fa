"""Run the SAM template on one machine: moto for AWS, the template's handlers in-process.

from local_stack import LocalStack

with LocalStack("template.yaml", port=0, parameter_overrides={"Stage": "local"}) as stack:
    httpx.get(f"{stack.api_url}/v1/connections", headers={"Authorization": "Bearer ..."})
    stack.poller.drain()      # deliver queued SQS messages to their functions
    stack.ticker.fire()       # play the EventBridge schedules now
"""

from local_stack.environment import EnvironmentConflictError
from local_stack.invoker import FunctionError, Invocation, LambdaContext
from local_stack.stack import LocalStack
from local_stack.template import TemplateError

__all__ = [
    "EnvironmentConflictError",
    "FunctionError",
    "Invocation",
    "LambdaContext",
    "LocalStack",
    "TemplateError",
]
