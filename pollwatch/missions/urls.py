from django.urls import path

from pollwatch.missions import views

urlpatterns = [
    path("", views.home, name="home"),
    path("missions/<slug:slug>/", views.mission_home, name="mission-home"),
    path("missions/<slug:slug>/stations/search", views.station_search, name="station-search"),
    path("missions/<slug:slug>/stations/<path:code>/", views.station_detail, name="station-detail"),
    path("missions/<slug:slug>/audit/", views.audit_trail, name="mission-audit"),
]
