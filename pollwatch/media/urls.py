from django.urls import path

from pollwatch.media import views
from pollwatch.web import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("missions/<slug:slug>/media/", views.media_home, name="media"),
    path("missions/<slug:slug>/media/import", views.media_import, name="media-import"),
    path("missions/<slug:slug>/media/next", views.next_item, name="media-next"),
    path("missions/<slug:slug>/media/items/<id:pk>/", views.item_code, name="media-item"),
    path("missions/<slug:slug>/media/items/<id:pk>/original", views.item_original, name="media-item-original"),
    path("missions/<slug:slug>/media/outlets/<id:pk>", views.outlet_edit, name="media-outlet"),
    path("missions/<slug:slug>/media/agreement", views.agreement, name="media-agreement"),
    path("missions/<slug:slug>/media/report", views.report, name="media-report"),
    path("missions/<slug:slug>/media/export/<str:what>.<str:fmt>", views.export, name="media-export"),
]
