"""The whole local stack in one object: moto, the template's resources, API, poller, ticker."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TypeVar

import boto3

from local_stack.api.gateway import ApiGateway
from local_stack.api.routes import rest_apis, stage_expressions
from local_stack.api.server import ApiServer
from local_stack.environment import merged_environment
from local_stack.functions import FunctionSpec, environment_expressions, function_specs
from local_stack.invoker import Invocation, InvocationTotals, LambdaInvoker
from local_stack.moto_process import MotoProcess
from local_stack.moto_server import MotoServer, aws_settings, patched_environ
from local_stack.resources import Deployment, deploy
from local_stack.sqs_poller import SqsPoller, queue_sources, source_expressions
from local_stack.template import Template, load_template
from local_stack.ticker import Ticker, scheduled_targets

T = TypeVar("T")
PUBLIC_API_URL = "PUBLIC_API_URL"


class LocalStack:
    """Runs a SAM template on loopback, with no AWS account and no Docker.

    Use as a context manager. While it runs, this process's environment holds fake credentials,
    the region, AWS_ENDPOINT_URL (moto) and the functions' environment variables; stopping puts the
    environment back and forgets the handlers' modules, so a later stack starts them cold.
    One stack per process at a time: handlers share the process, as their settings do.
    """

    def __init__(
        self,
        template: str | Path = "template.yaml",
        *,
        port: int = 3000,
        host: str = "127.0.0.1",
        region: str = "us-east-1",
        parameter_overrides: Mapping[str, str] | None = None,
        stack_name: str | None = None,
        run_workers: bool = False,
        cache_authorizers: bool = True,
        moto: Literal["process", "thread"] = "process",
    ) -> None:
        """`moto`: its server in a process of its own (the other core: what the local stack
        measures is the service), or in a thread of this one."""
        self.template_path = Path(template)
        self.region = region
        self._host = host
        self._port = port
        self._overrides = dict(parameter_overrides or {})
        self.stack_name = stack_name or f"local-{uuid.uuid4().hex[:8]}"
        self._run_workers = run_workers
        self._cache_authorizers = cache_authorizers
        self._moto_mode = moto
        self._exit = ExitStack()
        self._moto_endpoint: str | None = None
        self._server: ApiServer | None = None
        self._template: Template | None = None
        self._deployment: Deployment | None = None
        self._invoker: LambdaInvoker | None = None
        self._gateway: ApiGateway | None = None
        self._poller: SqsPoller | None = None
        self._ticker: Ticker | None = None
        self.environment: dict[str, str] = {}

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self._exit.close()
            raise
        return self

    def stop(self) -> None:
        self._exit.close()

    def _start(self) -> None:
        moto = MotoProcess(self._host) if self._moto_mode == "process" else MotoServer(self._host)
        moto.start()
        self._exit.callback(moto.stop)
        self._moto_endpoint = moto.endpoint
        self._exit.callback(setattr, self, "_moto_endpoint", None)
        self._exit.enter_context(patched_environ(aws_settings(moto.endpoint, self.region)))

        template = load_template(self.template_path, self._overrides, self.region)
        wanted = {
            **environment_expressions(template),
            **stage_expressions(template),
            **source_expressions(template),
        }
        deployment = deploy(template, self.stack_name, self.region, wanted)
        functions = function_specs(template, deployment, self.region)
        self.environment = merged_environment(functions.values())
        self._exit.enter_context(patched_environ(self.environment, remove=()))
        self._template, self._deployment = template, deployment

        invoker = LambdaInvoker(functions)
        self._exit.callback(invoker.unload)
        invoker.load()
        self._invoker = invoker

        self._gateway = ApiGateway(
            rest_apis(template, deployment), invoker, self.region, self._cache_authorizers
        )
        server = ApiServer(self._gateway, self._host, self._port)
        self._exit.callback(server.stop)
        self._tell_functions_where_the_api_is(server.url)
        server.start()
        self._server = server

        self._poller = SqsPoller(queue_sources(template, deployment, self.region), invoker, self.region)
        self._ticker = Ticker(scheduled_targets(template, deployment, self.region), invoker, self.region)
        if self._run_workers:
            self._exit.callback(self._poller.stop)
            self._poller.start()
            self._exit.callback(self._ticker.stop)
            self._ticker.start()

    def _tell_functions_where_the_api_is(self, url: str) -> None:
        """A declared but empty PUBLIC_API_URL becomes this API's own URL (known once it listens):
        links the functions hand out (Odoo's webhook URLs) must point here, not at AWS."""
        if self.environment.get(PUBLIC_API_URL) == "":
            self.environment[PUBLIC_API_URL] = url
            # Restored with the rest of the functions' environment when the stack stops.
            os.environ[PUBLIC_API_URL] = url

    @property
    def api_url(self) -> str:
        return _running(self._server).url

    @property
    def moto_endpoint(self) -> str:
        return _running(self._moto_endpoint)

    @property
    def parameters(self) -> dict[str, str]:
        """The template's parameters as this stack resolved them (defaults plus overrides)."""
        return dict(_running(self._template).parameters)

    @property
    def resources(self) -> dict[str, str]:
        """Logical id -> physical id of every resource created in moto."""
        return dict(_running(self._deployment).physical_ids)

    @property
    def functions(self) -> dict[str, FunctionSpec]:
        return dict(_running(self._invoker).functions)

    @property
    def invocations(self) -> list[Invocation]:
        return list(_running(self._invoker).invocations)

    @property
    def invocation_totals(self) -> dict[str, InvocationTotals]:
        """Invocations and their summed duration per function since the stack started (a copy)."""
        return {
            name: InvocationTotals(totals.count, totals.duration_ms)
            for name, totals in _running(self._invoker).totals.items()
        }

    @property
    def gateway(self) -> ApiGateway:
        return _running(self._gateway)

    @property
    def poller(self) -> SqsPoller:
        return _running(self._poller)

    @property
    def ticker(self) -> Ticker:
        return _running(self._ticker)

    def client(self, service: str) -> Any:
        """A boto3 client for moto (e.g. to look into a table or a queue)."""
        return boto3.client(service, region_name=self.region, endpoint_url=self.moto_endpoint)  # type: ignore[call-overload]

    def invoke(self, function: str, event: Any) -> Any:
        """Invoke a function by logical id, as `aws lambda invoke` would (errors raise FunctionError)."""
        return _running(self._invoker).invoke(function, event)


def _running(value: T | None) -> T:
    if value is None:
        raise RuntimeError("the local stack is not running; use it inside `with LocalStack(...)`")
    return value
