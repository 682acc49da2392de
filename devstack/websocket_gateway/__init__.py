"""A local stand-in for API Gateway's WebSocket API: sockets, the Lambda handlers, @connections."""
