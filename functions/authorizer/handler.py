"""API Gateway REQUEST authorizer: API key -> principal, and its verdict on the route asked for.

API Gateway caches the answer per identity source, and the identity sources are the key, the
HTTP method and the resource path (template.yaml): so each answer is about one route, and the
policy allows or denies exactly that route (`/v1/connections/{connection_id}` as
`.../GET/v1/connections/*`, so the cached answer fits every id). A denial carries the scope the
route needs in its context; the ACCESS_DENIED gateway response turns it into our JSON error.
The route table is odoo_sync.core.authorization's, the one the functions check again.
"""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from odoo_sync.api.dependencies import tenant_service
from odoo_sync.core.authorization import Principal, denial_message, principal_for_key
from odoo_sync.errors import StorageError
from odoo_sync.security.api_keys import bearer_token
from odoo_sync.settings import service_settings

logger = Logger()
OPERATOR_HASH_MAX_AGE_S = 300
_PATH_PARAMETER = re.compile(r"\{[^/{}]+\}")


def _operator_key_hash() -> str | None:
    try:
        value = parameters.get_parameter(
            service_settings().operator_key_hash_parameter, max_age=OPERATOR_HASH_MAX_AGE_S
        )
    except parameters.exceptions.GetParameterError:
        logger.warning("operator key hash parameter is not readable")
        return None
    return value if isinstance(value, str) else None


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = APIGatewayAuthorizerRequestEvent(event)
    key = bearer_token(request.headers.get("Authorization"))
    principal = None
    if key:
        try:
            principal = principal_for_key(key, tenant_service().principal_for_key, _operator_key_hash)
        except StorageError:
            logger.exception("could not look up the API key")
            raise
    if principal is None:
        logger.info("rejected a request without a valid key", extra={"path": request.path})
        raise Exception("Unauthorized")
    logger.append_keys(tenant_id=principal.tenant_id, role=principal.role, key_id=principal.key_id)
    return route_policy(request, principal).asdict()


def route_policy(
    request: APIGatewayAuthorizerRequestEvent, principal: Principal
) -> APIGatewayAuthorizerResponse:
    """Allow or deny the one route asked for; a denial says which scope the route needs."""
    method, resource = request.http_method, request.resource
    missing = principal.may_call(method, resource)
    context: dict[str, Any] = principal.context()
    if missing is not None:
        context |= {
            "required_scope": missing.value,
            "denied_message": denial_message(missing, principal.scopes),
        }
        logger.info(
            "key lacks the route's scope", extra={"route": f"{method} {resource}", "required": missing}
        )
    policy = APIGatewayAuthorizerResponse.from_route_arn(
        request.method_arn, principal_id=principal.principal_id, context=context
    )
    pattern = _PATH_PARAMETER.sub("*", resource)
    if missing is None:
        policy.allow_route(method, pattern)
    else:
        policy.deny_route(method, pattern)
    return policy
