"""The template's Lambda functions as the local stack runs them: code, handler, limits, environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_stack.resources import Deployment, local_function_arn
from local_stack.template import Template, TemplateError

LAMBDA_DEFAULT_MEMORY_MB = 128
LAMBDA_DEFAULT_TIMEOUT_S = 3


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str  # also the local function name
    handler: str
    code_dir: Path
    layer_dirs: tuple[Path, ...]
    memory_mb: int
    timeout_s: float
    environment: dict[str, str]
    arn: str


def environment_expressions(template: Template) -> dict[str, Any]:
    """Every function's environment variable, keyed for `resources.deploy(wanted=...)`."""
    wanted: dict[str, Any] = {}
    for name, resource in _functions(template).items():
        variables = (resource["Properties"].get("Environment") or {}).get("Variables") or {}
        for variable, expression in variables.items():
            wanted[_env_key(name, variable)] = expression
    return wanted


def function_specs(template: Template, deployment: Deployment, region: str) -> dict[str, FunctionSpec]:
    layer_dirs = _layer_dirs(template)
    specs: dict[str, FunctionSpec] = {}
    for name, resource in _functions(template).items():
        props = resource["Properties"]
        runtime = str(props.get("Runtime", ""))
        if not runtime.startswith("python"):
            raise TemplateError(
                f"{name}: only Python functions run locally, not {runtime or 'a container image'}"
            )
        variables = (props.get("Environment") or {}).get("Variables") or {}
        specs[name] = FunctionSpec(
            logical_id=name,
            handler=str(props["Handler"]),
            code_dir=template.code_dirs[_code_owner(name, props.get("Code"))],
            layer_dirs=tuple(
                layer_dirs[ref["Ref"]] for ref in props.get("Layers", []) if _is_ref(ref, layer_dirs)
            ),
            memory_mb=int(props.get("MemorySize", LAMBDA_DEFAULT_MEMORY_MB)),
            timeout_s=float(props.get("Timeout", LAMBDA_DEFAULT_TIMEOUT_S)),
            environment={var: deployment.resolved[_env_key(name, var)] for var in variables},
            arn=local_function_arn(name, region),
        )
    return specs


def _functions(template: Template) -> dict[str, dict[str, Any]]:
    return template.of_type("AWS::Lambda::Function")


def _env_key(function: str, variable: str) -> str:
    return f"env:{function}:{variable}"


def _code_owner(name: str, code: Any) -> str:
    """The SAM resource whose local folder the translated S3 placeholder stands for."""
    key = code.get("S3Key") if isinstance(code, dict) else None
    if not isinstance(key, str) or not key.endswith(".zip"):
        raise TemplateError(f"{name}: has no local code folder (inline code and images do not run locally)")
    return key.removesuffix(".zip")


def _layer_dirs(template: Template) -> dict[str, Path]:
    return {
        name: template.code_dirs[_code_owner(name, resource["Properties"].get("Content"))]
        for name, resource in template.of_type("AWS::Lambda::LayerVersion").items()
    }


def _is_ref(value: Any, known: dict[str, Path]) -> bool:
    # A published layer ARN cannot be fetched offline; its packages come from the virtualenv instead.
    return isinstance(value, dict) and value.get("Ref") in known
