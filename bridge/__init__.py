"""The ingest worker: MQTT -> validate -> store idempotently -> storage ack -> live frames."""
