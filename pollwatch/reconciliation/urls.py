from django.urls import path

from pollwatch.reconciliation import views

urlpatterns = [
    path("missions/<slug:slug>/reconciliation/", views.reconciliation_page, name="reconciliation"),
    path("missions/<slug:slug>/reconciliation.csv", views.reconciliation_csv, name="reconciliation-csv"),
]
