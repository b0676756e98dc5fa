"""/doc-bearer/<model>.json: a model's fields and public methods, with their parameters, as
Odoo 19 describes them to a JSON-2 client."""

from __future__ import annotations

import inspect
from typing import Any

from .errors import HttpError
from .models import BaseModel, Env
from .models.base import public_method


def describe_model(env: Env, model: str) -> dict[str, Any]:
    """The description of `model` for the user of `env` (who must be allowed to read it)."""
    if model not in env:
        raise HttpError(404, "NotFound", "The requested URL was not found on the server.")
    records = env[model]
    records._check_access("read")
    return {
        "model": model,
        "name": records._description,
        "doc": None,
        "fields": {
            name: {**fld.describe(None), "module": "base"} for name, fld in records._fields.fields.items()
        },
        "methods": _describe_methods(records),
    }


def _describe_methods(records: BaseModel) -> dict[str, Any]:
    methods: dict[str, Any] = {}
    for name in sorted(dir(type(records))):
        if name.startswith("_") or public_method(records, name) is None:
            continue
        func = getattr(records, name)
        signature = inspect.signature(func)
        parameters: dict[str, Any] = {}
        for param in signature.parameters.values():
            entry: dict[str, Any] = {}
            if param.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD:
                entry["kind"] = param.kind.name
            if param.default is not inspect.Parameter.empty:
                entry["default"] = param.default
            parameters[param.name] = entry
        described: dict[str, Any] = {
            "signature": "(" + ", ".join(_param_text(p) for p in signature.parameters.values()) + ")",
            "parameters": parameters,
            "model": "core" if name in BaseModel.__dict__ else records._name,
            "module": "core" if name in BaseModel.__dict__ else "base",
        }
        if getattr(func, "_api_model", False):
            described["api"] = ["model"]
        methods[name] = described
    return methods


def _param_text(param: inspect.Parameter) -> str:
    if param.kind is inspect.Parameter.VAR_KEYWORD:
        return f"**{param.name}"
    if param.default is inspect.Parameter.empty:
        return param.name
    return f"{param.name}={param.default!r}"
