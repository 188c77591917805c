from django.urls import path

from pollwatch.operations import views
from pollwatch.web import converters  # noqa: F401 — registers <id:…>

urlpatterns = [
    path("missions/<slug:slug>/operations/", views.operations_home, name="operations"),
    path("missions/<slug:slug>/operations/dashboard", views.dashboard, name="operations-dashboard"),
    path("missions/<slug:slug>/operations/coverage", views.coverage_partial, name="operations-coverage"),
    path("missions/<slug:slug>/operations/map", views.map_partial, name="operations-map"),
    path("missions/<slug:slug>/operations/expected/", views.expected_list, name="operations-expected"),
    path("missions/<slug:slug>/operations/coverage.csv", views.coverage_csv, name="operations-coverage-csv"),
    path("missions/<slug:slug>/operations/export/<str:what>.<str:fmt>", views.export, name="operations-export"),
    path("missions/<slug:slug>/operations/masters/", views.master_list, name="operations-masters"),
    path("missions/<slug:slug>/operations/masters/<id:pk>/", views.master_detail, name="operations-master"),
    path("missions/<slug:slug>/operations/masters/<id:pk>/resolve", views.resolve_conflict,
         name="operations-resolve"),
]
