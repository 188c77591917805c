from django.urls import path

from pollwatch.checks import views

urlpatterns = [
    path("missions/<slug:slug>/checks/", views.check_list, name="checks"),
    path("missions/<slug:slug>/checks/results/", views.result_list, name="check-results"),
]
