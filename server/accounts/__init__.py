"""Accounts of the web tier: users and roles, session login, API tokens, WebSocket tickets.

Pure cores, importable without Django: :mod:`~server.accounts.roles` (which role may do
what), :mod:`~server.accounts.limiter` (login back-off), :mod:`~server.accounts.credentials`
(token and ticket secrets, their hashes), :mod:`~server.accounts.bodies` (request bodies) and
:mod:`~server.accounts.errors`. The ORM side: :mod:`~server.accounts.models`,
:mod:`~server.accounts.selectors` (reads) and the services (writes, ``<entity>_<action>``
with keyword-only arguments); :mod:`~server.accounts.access` turns a request into a user or
a refusal, and the views stay thin. docs/security.md describes the design.
"""
