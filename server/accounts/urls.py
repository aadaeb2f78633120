"""Routes under ``/api/v1/auth/`` (included by :mod:`server.urls`)."""

from __future__ import annotations

from django.urls import path

from server.accounts import views

urlpatterns = [
    path("csrf", views.csrf),
    path("login", views.login),
    path("logout", views.logout),
    path("me", views.me),
    path("ticket", views.ticket),
    path("tokens", views.tokens),
    path("tokens/<int:token_id>", views.token_detail),
]
