"""API Gateway REQUEST authorizer: API key -> tenant (or operator) and an IAM policy.

The policy covers every route the principal may call, because API Gateway caches it per key:
tenants get everything but /v1/admin, the operator gets only /v1/admin.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
    HttpVerb,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from odoo_sync.api.dependencies import tenant_service
from odoo_sync.api.identity import OPERATOR_ROLE
from odoo_sync.core.authorization import Principal, principal_for_key
from odoo_sync.errors import StorageError
from odoo_sync.security.api_keys import bearer_token
from odoo_sync.settings import service_settings

logger = Logger()
OPERATOR_HASH_MAX_AGE_S = 300
ADMIN_ROUTES = "/v1/admin/*"


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
            principal = principal_for_key(key, tenant_service(), _operator_key_hash)
        except StorageError:
            logger.exception("could not look up the API key")
            raise
    if principal is None:
        logger.info("rejected a request without a valid key", extra={"path": request.path})
        raise Exception("Unauthorized")
    logger.append_keys(tenant_id=principal.tenant_id, role=principal.role)
    return _policy(request, principal).asdict()


def _policy(request: APIGatewayAuthorizerRequestEvent, principal: Principal) -> APIGatewayAuthorizerResponse:
    policy = APIGatewayAuthorizerResponse.from_route_arn(
        request.method_arn, principal_id=principal.principal_id, context=principal.context()
    )
    if principal.role == OPERATOR_ROLE:
        policy.allow_route(HttpVerb.ALL.value, ADMIN_ROUTES)
    else:
        policy.allow_all_routes()
        policy.deny_route(HttpVerb.ALL.value, ADMIN_ROUTES)
    return policy
