"""The sensebridge edge agent, which runs on the Pi.

It samples the Sense HAT (or its emulator, or a simulator), keeps every reading in a
local SQLite outbox until the bridge confirms it is stored, and publishes over MQTT
with paho-mqtt.

Needs only ``paho-mqtt`` and the ``contract`` package. Modules:

* :mod:`edge.config`   settings from the environment and flags (``EdgeConfig``)
* :mod:`edge.sources`  the ``Source`` protocol, Sense HAT, emulator and simulator
* :mod:`edge.sampler`  pure: source values -> numbered contract readings
* :mod:`edge.outbox`   the durable outbox (pure ``OutboxPolicy`` + SQLite ``Outbox``)
* :mod:`edge.resend`   pure: due readings -> ``batch`` payloads
* :mod:`edge.mqtt`     paho client set-up, TCP_NODELAY, jittered backoff
* :mod:`edge.agent`    ``Agent``: one device's sampling, publishing, acks and status
* :mod:`edge.runner`   build, start and stop the agents of a configuration
* :mod:`edge.errors`   the exception tree

Embedding (as the embedded runner does)::

    config = EdgeConfig(broker=parse_mqtt_url("mqtt://127.0.0.1:1883"), mqtt_protocol="3.1.1",
                        devices=("sim-1", "sim-2", "sim-3"))
    agents = build_agents(config)
    start_all(agents)
    ...
    stop_all(agents)
"""
