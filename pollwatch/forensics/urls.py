from django.urls import path

from pollwatch.forensics import views

urlpatterns = [
    path("missions/<slug:slug>/forensics/", views.forensics_page, name="forensics"),
    path("missions/<slug:slug>/forensics/stations/", views.forensics_stations, name="forensics-stations"),
]
