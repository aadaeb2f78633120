"""The Django project: WebSocket consumers, REST API, the built dashboard."""
