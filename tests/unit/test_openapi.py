"""openapi.yaml is a valid OpenAPI document listing exactly the operations app.py serves."""

from pathlib import Path

import yaml
from openapi_spec_validator import validate

from app import app

DOCUMENT = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())


def test_the_document_is_valid_openapi():
    validate(DOCUMENT)


def test_the_document_and_the_routes_list_the_same_operations():
    documented = {
        (path, method.upper())
        for path, operations in DOCUMENT["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    served = {
        (path, method)
        for path, methods in app.routes.items()
        for method in methods
        if method != "OPTIONS"  # CORS preflights, answered by API Gateway
    }
    assert documented == served
