"""OpenRosa endpoints of one mission, included under ``/m/<slug:slug>/``."""

from django.urls import path

from pollwatch.collection import openrosa

urlpatterns = [
    path("formList", openrosa.form_list, name="openrosa-form-list"),
    path("forms/<str:form_id>/<str:version>/form.xml", openrosa.form_download, name="openrosa-form"),
    path("forms/<str:form_id>/<str:version>/manifest", openrosa.form_manifest, name="openrosa-manifest"),
    path("forms/<str:form_id>/<str:version>/media/<str:name>", openrosa.form_media, name="openrosa-media"),
    path("submission", openrosa.submission, name="openrosa-submission"),
]
