"""URL routes: the REST API under /api/v1/ (accounts: /api/v1/auth/), the Django admin, the dashboard fallback."""

from __future__ import annotations

from django.urls import include, path

from server.accounts.admin import site as admin_site
from server.telemetry import views

urlpatterns = [
    path("api/v1/auth/", include("server.accounts.urls")),
    path("admin/", admin_site.urls),
    path("api/v1/health", views.health),
    path("api/v1/devices", views.device_list),
    path("api/v1/devices/<str:device>/readings", views.device_readings),
    path("api/v1/devices/<str:device>/history", views.device_history),
    path("api/v1/devices/<str:device>/export.csv", views.device_export_csv),
    path("api/v1/devices/<str:device>/export.json", views.device_export_json),
    path("", views.dashboard_missing),
]
