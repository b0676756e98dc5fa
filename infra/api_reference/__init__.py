"""The API's reference, built from its code: one OpenAPI document and docs/api.md (`make openapi`)."""

from api_reference.document import TemplateRoute, build_document, template_routes

__all__ = ["TemplateRoute", "build_document", "template_routes"]
