"""The chalice command, for a moto server: ``python -m tests.deploy.moto_chalice ARGS``.

A real ``chalice deploy`` / ``chalice delete`` runs against moto (AWS_ENDPOINT_URL) once
three calls moto cannot take are adjusted on chalice's botocore session (see
docs/moto.md), and only those:

1. ImportRestApi and PutRestApi: moto needs ``info.description``, and it imports OpenAPI
   3.x documents only; chalice's Swagger 2.0 is close enough once it says ``openapi``.
2. apigatewayv2 CreateDeployment: moto has no such URL; it is answered with an id.

Everything else chalice sends (roles and their policies, the Lambdas and their settings,
both APIs) reaches moto as chalice sends it. deploy.api runs this instead of ``chalice``
when a test sets ``deploy.api.chalice_command``.
"""

import json
import sys
import uuid

import chalice.cli
import chalice.cli.factory
from botocore.awsrequest import AWSResponse

_create_session = chalice.cli.factory.create_botocore_session


def _as_openapi3(params, **_):
    document = json.loads(params["body"])
    document.pop("swagger", None)
    document["openapi"] = "3.0.1"
    document["info"].setdefault("description", document["info"].get("title", ""))
    params["body"] = json.dumps(document).encode("utf-8")


def _deployed(**_):
    answer = {"DeploymentId": uuid.uuid4().hex[:6], "DeploymentStatus": "DEPLOYED"}
    return AWSResponse("https://apigateway.moto", 201, {}, None), answer


def create_botocore_session(*args, **kwargs):
    session = _create_session(*args, **kwargs)
    for operation in ("ImportRestApi", "PutRestApi"):
        session.register(f"before-parameter-build.api-gateway.{operation}", _as_openapi3)
    session.register("before-call.apigatewayv2.CreateDeployment", _deployed)
    return session


if __name__ == "__main__":
    chalice.cli.factory.create_botocore_session = create_botocore_session
    sys.argv[0] = "chalice"
    sys.exit(chalice.cli.main())
