from django.urls import path

from pollwatch.sms import views
from pollwatch.web import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("sms/<slug:slug>/twilio", views.twilio_webhook, name="sms-twilio-webhook"),
    path("sms/<slug:slug>/gateway", views.gateway_webhook, name="sms-gateway-webhook"),
    path("missions/<slug:slug>/sms/", views.message_log, name="sms-log"),
    path("missions/<slug:slug>/sms/<id:pk>/correct", views.message_correct, name="sms-correct"),
    path("missions/<slug:slug>/sms/broadcast", views.broadcast, name="sms-broadcast"),
    path("missions/<slug:slug>/sms/forms/", views.form_tags_list, name="sms-form-tags-list"),
    path("missions/<slug:slug>/sms/forms/<id:pk>/", views.form_tags, name="sms-form-tags"),
]
