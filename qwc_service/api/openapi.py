"""The OpenAPI 3.1 document, written from the route table the router dispatches by."""

from __future__ import annotations

from typing import Any

from qwc_service import __version__
from qwc_service.api.fields import Field, object_schema
from qwc_service.api.openapi_types import typed_components, typed_pages, typed_paths
from qwc_service.api.routing import Operation
from qwc_service.api.schemas import components, ref

OPENAPI_VERSION = "3.1.0"
SECURITY_SCHEME = "bearerAuth"

ERROR_MEANINGS = {
    400: "The input is invalid; error.field names the member or parameter at fault.",
    401: "No valid API token (missing, unknown or revoked: the answer is the same).",
    404: "No such resource.",
    409: "The request conflicts with the resource's state.",
    413: "The request body is too large.",
    415: "The request body is not JSON (Content-Type must be application/json, UTF-8).",
    422: "The request is well-formed but refers to something that cannot take it.",
    429: (
        "Too many requests already wait for jobs in this server process; retry after "
        "Retry-After seconds, or ask without wait."
    ),
    500: "Unexpected server failure; details are in the server's log only.",
}

#: Headers an error reply carries, by status.
ERROR_HEADERS = {
    429: {
        "Retry-After": {
            "description": "Seconds until a wait now in progress ends at the latest.",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}

DESCRIPTION = """\
The JSON API of a QuickBooks Web Connector server: connections (one per company file), \
their machines and .qwc files, queued qbXML jobs, sync schedules, stored records, payment \
write-backs and connection health.

Every operation but this document needs `Authorization: Bearer <token>`, with a token made \
by `qwc-service token create`. Errors are `{"error": {"code", "message", "field"}}`. Lists \
that can grow without bound are paged: pass a page's `next_after` as `after` for the next \
page; `next_after` is null on the last page.
"""


def _parameter(spec: Field, where: str) -> dict[str, Any]:
    schema = spec.schema()
    description = schema.pop("description")
    return {
        "name": spec.name,
        "in": where,
        "required": where == "path" or spec.required,
        "description": description,
        "schema": schema,
    }


def _content(schema: dict[str, Any], media_type: str = "application/json") -> dict[str, Any]:
    return {media_type: {"schema": schema}}


def operation(route: Operation) -> dict[str, Any]:
    """The OpenAPI operation object of one route."""
    op: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "tags": [route.tag],
    }
    description = route.description or (route.handler.__doc__ or "").strip()
    if description:
        op["description"] = description
    parameters = [_parameter(p, "path") for p in route.params]
    parameters += [_parameter(q, "query") for q in route.query]
    if parameters:
        op["parameters"] = parameters
    if route.body is not None:
        op["requestBody"] = {
            "required": any(f.required for f in route.body),
            "content": _content(object_schema(route.body)),
        }
    responses: dict[str, Any] = {
        str(route.status): {
            "description": "Success.",
            "content": _content(route.response, route.media_type),
        }
    }
    for status, meaning in route.also.items():
        responses[str(status)] = {
            "description": meaning,
            "content": _content(route.response, route.media_type),
        }
    statuses = set(route.errors) | {500}
    if not route.public:
        statuses.add(401)
    for status in sorted(statuses):
        responses[str(status)] = {
            "description": ERROR_MEANINGS[status],
            "content": _content(ref("Error")),
        }
        if status in ERROR_HEADERS:
            responses[str(status)]["headers"] = ERROR_HEADERS[status]
    op["responses"] = responses
    if route.public:
        op["security"] = []
    return op


def build_document(routes: list[Operation], *, title: str, server_url: str) -> dict[str, Any]:
    """The whole document: one path item per path, one operation per route, and each record
    type's own paths and schemas (:mod:`qwc_service.api.openapi_types`)."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = operation(route)
    paths.update(typed_paths(paths))
    tags = sorted({route.tag for route in routes})
    schemas = components()
    typed = {**typed_components(), **typed_pages(schemas["RecordPage"])}
    clash = sorted(set(schemas) & set(typed))
    if clash:
        raise ValueError(f"record type schemas clash with the API's own: {clash}")
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": f"{title} API", "version": __version__, "description": DESCRIPTION},
        "servers": [{"url": server_url}],
        "security": [{SECURITY_SCHEME: []}],
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": {**schemas, **typed},
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `qwc-service token create`.",
                }
            },
        },
    }
