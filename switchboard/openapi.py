"""The OpenAPI 3.1 document, built from the routes' own declarations so it cannot drift."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel

from switchboard.core.http import endpoint_of

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    400: "Bad input",
    401: "No or unknown token",
    403: "Not allowed for this token",
    404: "Not found",
    409: "Conflict",
    413: "Body too large",
    422: "Unprocessable",
    429: "Too many requests",
}


def _ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}", by_alias=True)
    for name, definition in schema.pop("$defs", {}).items():
        components[name] = definition
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def build(app: web.Application, version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for route in app.router.routes():
        if route.method == "HEAD":
            continue
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        spec = endpoint_of(route.handler)
        if path is None or spec is None:
            continue
        operation: dict[str, Any] = {
            "summary": spec.summary,
            "operationId": f"{route.method.lower()}_{route.handler.__name__}",
            "responses": {},
        }
        if spec.description:
            operation["description"] = spec.description
        if spec.roles:
            operation["security"] = [{"bearer": []}]
            operation["x-roles"] = list(spec.roles)
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _path_params(path)
        ]
        parameters += [
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": text,
                "schema": {"type": "string"},
            }
            for name, text in spec.query.items()
        ]
        if parameters:
            operation["parameters"] = parameters
        if spec.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _ref(spec.body, components)}},
            }
        success = next((s for s in spec.statuses if s < 300), 200)
        ok: dict[str, Any] = {"description": STATUS_TEXT.get(success, "OK")}
        if spec.response is not None:
            ok["content"] = {"application/json": {"schema": _ref(spec.response, components)}}
        operation["responses"][str(success)] = ok
        for status in spec.statuses or ((400,) if spec.body else ()):
            if status >= 400:
                operation["responses"][str(status)] = {
                    "description": STATUS_TEXT.get(status, "Error"),
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
        if spec.roles:
            operation["responses"].setdefault("401", {"description": STATUS_TEXT[401]})
            operation["responses"].setdefault("403", {"description": STATUS_TEXT[403]})
        paths.setdefault(path, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Switchboard API", "version": version},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _path_params(path: str) -> list[str]:
    return [part[1:-1].split(":")[0] for part in path.split("/") if part.startswith("{")]
