from django.urls import path

from pollwatch.incidents import views
from pollwatch.web import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("missions/<slug:slug>/incidents/", views.incident_list, name="incidents"),
    path("missions/<slug:slug>/incidents/public.json", views.incident_public, name="incidents-public"),
    path("missions/<slug:slug>/incidents/<id:pk>/", views.incident_detail, name="incident-detail"),
    path("missions/<slug:slug>/incidents/<id:pk>/triage", views.incident_triage, name="incident-triage"),
]
