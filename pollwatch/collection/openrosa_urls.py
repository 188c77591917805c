"""OpenRosa endpoints of one mission, included under ``/m/<slug:slug>/`` (Digest), and the same views under
``/key/<str:token>/m/<slug:slug>/`` (a login URL, ``key_urlpatterns``; the views get the token)."""

from django.urls import path

from pollwatch.collection import openrosa

ENDPOINTS = [
    ("formList", openrosa.form_list, "form-list"),
    ("forms/<str:form_id>/<str:version>/form.xml", openrosa.form_download, "form"),
    ("forms/<str:form_id>/<str:version>/manifest", openrosa.form_manifest, "manifest"),
    ("forms/<str:form_id>/<str:version>/media/<str:name>", openrosa.form_media, "media"),
    ("submission", openrosa.submission, "submission"),
]

urlpatterns = [path(route, view, name=f"openrosa-{name}") for route, view, name in ENDPOINTS]
key_urlpatterns = [path(route, view, name=f"openrosa-key-{name}") for route, view, name in ENDPOINTS]
