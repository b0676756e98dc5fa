"""Load a SAM template and translate it offline to the CloudFormation AWS would deploy."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

# The translator insists on S3 locations; these stand in for local folders and are never fetched.
PLACEHOLDER_BUCKET = "local-stack-code"


class TemplateError(Exception):
    """The template cannot be run locally; the message says why."""


@dataclass(frozen=True)
class Template:
    """A translated template plus what translation throws away: where the code lives."""

    path: Path
    cfn: dict[str, Any]
    parameters: dict[str, str]
    code_dirs: dict[str, Path] = field(default_factory=dict)  # function or layer id -> folder

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.cfn["Resources"]
        return resources

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {name: res for name, res in self.resources.items() if res.get("Type") == resource_type}


class _NoManagedPolicies:
    """Offline stand-in for the IAM lookup of managed policy names (SAM ships the common ones)."""

    def load(self) -> dict[str, str]:
        return {}


def load_template(path: str | Path, parameter_overrides: dict[str, str], region: str) -> Template:
    path = Path(path).resolve()
    try:
        sam = yaml_parse(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TemplateError(f"cannot read {path}: {exc}") from exc
    if not isinstance(sam, dict) or not isinstance(sam.get("Resources"), dict):
        raise TemplateError(f"{path} has no Resources")
    parameters = effective_parameters(sam, parameter_overrides)
    code_dirs = _replace_local_code_paths(sam, path.parent)
    previous_region = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = region  # the translator reads the partition from the region
    try:
        cfn = transform(copy.deepcopy(sam), dict(parameters), _NoManagedPolicies())
    except Exception as exc:  # the translator raises its own hierarchy with readable messages
        raise TemplateError(f"SAM cannot translate {path.name}: {exc}") from exc
    finally:
        if previous_region is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = previous_region
    return Template(path=path, cfn=cfn, parameters=parameters, code_dirs=code_dirs)


def effective_parameters(sam: dict[str, Any], overrides: dict[str, str]) -> dict[str, str]:
    declared: dict[str, dict[str, Any]] = sam.get("Parameters") or {}
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        raise TemplateError(f"unknown template parameters: {', '.join(unknown)}")
    values: dict[str, str] = {}
    for name, spec in declared.items():
        if name in overrides:
            value = str(overrides[name])
        elif "Default" in spec:
            value = _parameter_text(spec["Default"])
        else:
            raise TemplateError(f"parameter {name} has no default; pass it as an override")
        allowed = spec.get("AllowedValues")
        if allowed is not None and value not in [str(v) for v in allowed]:
            raise TemplateError(f"parameter {name}={value!r} is not one of {allowed}")
        values[name] = value
    return values


def _parameter_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def _replace_local_code_paths(sam: dict[str, Any], base: Path) -> dict[str, Path]:
    """Swap local CodeUri/ContentUri folders for S3 placeholders; remember the folders."""
    global_code = ((sam.get("Globals") or {}).get("Function") or {}).get("CodeUri")
    code_dirs: dict[str, Path] = {}
    for name, resource in sam["Resources"].items():
        kind = resource.get("Type")
        key = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}.get(
            kind
        )
        if key is None:
            continue
        props = resource.setdefault("Properties", {})
        uri = props.get(key, global_code if key == "CodeUri" else None)
        if props.get("InlineCode") is not None:
            continue
        if not isinstance(uri, str) or uri.startswith("s3://"):
            raise TemplateError(f"{name}: {key} must be a local folder to run locally, got {uri!r}")
        folder = (base / uri).resolve()
        if not folder.is_dir():
            raise TemplateError(f"{name}: {key} {uri!r} is not a folder next to the template")
        code_dirs[name] = folder
        props[key] = f"s3://{PLACEHOLDER_BUCKET}/{name}.zip"
    return code_dirs
