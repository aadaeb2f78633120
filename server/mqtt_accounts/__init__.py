"""MQTT accounts of the broker: per-device credentials, read-only integrations, the bridge's service account.

Pure cores, importable without Django (devstack and the compose entrypoint use them):
:mod:`~server.mqtt_accounts.rules` (account kinds, names, the ACL table derived from
:mod:`contract.topics`), :mod:`~server.mqtt_accounts.passwords` (Mosquitto's ``$7$``
PBKDF2-SHA512 hashes, generated passwords), :mod:`~server.mqtt_accounts.files` (the
``passwords`` and ``acl`` files, written atomically) and :mod:`~server.mqtt_accounts.errors`.
The ORM side: :mod:`~server.mqtt_accounts.models`, :mod:`~server.mqtt_accounts.selectors`
(reads), :mod:`~server.mqtt_accounts.services` (writes: every change re-renders the files into
``MQTT_ACCESS_DIR``); the ``mqtt`` management command and the admin stay thin. The broker side
watches the two files and reloads Mosquitto (SIGHUP) when they change. docs/security.md
describes the design.
"""
