"""Live telemetry: WebSocket streaming and the read-only REST API."""
