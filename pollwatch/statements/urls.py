from django.urls import path, re_path

from pollwatch.statements import views

PATH = r"(?P<path>[A-Za-z_][\w-]*(?:\.[\w-]+)+)"

urlpatterns = [
    path("missions/<slug:slug>/statements/", views.statement_list, name="statements"),
    path("missions/<slug:slug>/statements/compare/", views.comparison, name="statement-compare"),
    path("missions/<slug:slug>/statements/<slug:statement>/", views.builder, name="statement"),
    path("missions/<slug:slug>/statements/<slug:statement>/freeze", views.freeze, name="statement-freeze"),
    path("missions/<slug:slug>/statements/<slug:statement>/v<int:number>/", views.version_view,
         name="statement-version"),
    path("missions/<slug:slug>/statements/<slug:statement>/v<int:number>/statement.pdf", views.version_view,
         {"fmt": "pdf"}, name="statement-version-pdf"),
    path("missions/<slug:slug>/statements/<slug:statement>/v<int:number>/publish", views.publish,
         name="statement-publish"),
    path("missions/<slug:slug>/evidence/", views.statement_list, name="evidence-root"),
    re_path(rf"^missions/(?P<slug>[-\w]+)/evidence/{PATH}/$", views.evidence, name="evidence"),
    re_path(rf"^missions/(?P<slug>[-\w]+)/evidence/{PATH}\.csv$", views.evidence, {"fmt": "csv"},
            name="evidence-csv"),
    path("p/<slug:mission>/<slug:statement>/", views.public_statement, name="public-statement"),
    path("p/<slug:mission>/<slug:statement>/statement.pdf", views.public_statement, {"fmt": "pdf"},
         name="public-statement-pdf"),
    path("p/<slug:mission>/<slug:statement>/evidence/", views.public_statement, name="public-evidence-root"),
    re_path(rf"^p/(?P<mission>[-\w]+)/(?P<statement>[-\w]+)/evidence/{PATH}/$", views.public_evidence,
            name="public-evidence"),
    re_path(rf"^p/(?P<mission>[-\w]+)/(?P<statement>[-\w]+)/evidence/{PATH}\.csv$", views.public_evidence,
            {"fmt": "csv"}, name="public-evidence-csv"),
]
