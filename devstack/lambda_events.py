"""API Gateway REST (proxy) events, shaped as the REST Lambda receives them.

For code that calls the app's handler directly, as Lambda does: the bench's cold start and
the tests that import a packaged zip in a clean interpreter. (WebSocket events are
``websocket_gateway.events``'.)
"""

import json

AGENT = "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0"


def rest_event(method, path, body=None, headers=None, source_ip="127.0.0.1", agent=AGENT):
    """The event of one request on API Gateway's stage ``api``; ``body`` is sent as JSON."""
    headers = {"content-type": "application/json", "user-agent": agent, **(headers or {})}
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "stage": "api",
            "requestId": f"{method} {path}",
            "identity": {"sourceIp": source_ip, "userAgent": agent},
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }
