from django.urls import path

from pollwatch.pvt import views
from pollwatch.web import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("missions/<slug:slug>/pvt/", views.pvt_page, name="pvt"),
    path("missions/<slug:slug>/pvt/draw", views.draw, name="pvt-draw"),
    path("missions/<slug:slug>/pvt/<id:pk>/publish", views.publish, name="pvt-publish"),
    path("missions/<slug:slug>/pvt/<id:pk>/sample.csv", views.export_sample, name="pvt-export"),
]
