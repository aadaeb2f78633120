"""The one definition of every message of the contract: MQTT, WebSocket and REST.

The vocabulary is in :mod:`contract.spec.vocabulary`, one module per surface holds the
messages (:mod:`contract.spec.mqtt`, :mod:`contract.spec.ws`, :mod:`contract.spec.rest`),
and :mod:`contract.spec.catalog` lists them all for the generators (``python -m contract.generate``).
"""
