from django.urls import path

from pollwatch.collection import views
from pollwatch.web import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("account/api-tokens/", views.api_tokens, name="collection-api-tokens"),
    path("missions/<slug:slug>/forms/", views.form_list, name="collection-forms"),
    path("missions/<slug:slug>/forms/device-login", views.device_login, name="collection-device-login"),
    path("missions/<slug:slug>/forms/login-urls", views.device_tokens, name="collection-device-tokens"),
    path("missions/<slug:slug>/forms/login-url", views.device_token, name="collection-device-token"),
    path("missions/<slug:slug>/forms/<id:pk>/toggle", views.form_toggle, name="collection-form-toggle"),
    path("missions/<slug:slug>/forms/<id:pk>/enter", views.submission_entry, name="collection-entry"),
    path("missions/<slug:slug>/submissions/", views.submission_list, name="collection-submissions"),
    path("missions/<slug:slug>/submissions/<id:pk>/", views.submission_detail, name="collection-submission"),
    path("missions/<slug:slug>/submissions/<id:pk>/accept", views.submission_accept, name="collection-submission-accept"),
    path("missions/<slug:slug>/attachments/<id:pk>", views.attachment_download, name="collection-attachment"),
]
