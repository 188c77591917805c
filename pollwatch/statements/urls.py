from django.urls import path, register_converter

from pollwatch.statements import views


class EvidencePathConverter:
    """An evidence path: a source and its dotted fields, e.g. ``checklist.ballot_box_sealed.no_pct``."""

    regex = r"[A-Za-z_][\w-]*(?:\.[\w-]+)+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(EvidencePathConverter, "evidence")

urlpatterns = [
    path("missions/<slug:slug>/statements/", views.statement_list, name="statements"),
    path("missions/<slug:slug>/statements/compare/", views.comparison, name="statement-compare"),
    path("missions/<slug:slug>/statements/<slug:statement>/", views.builder, name="statement"),
    path("missions/<slug:slug>/statements/<slug:statement>/edit", views.edit_statement, name="statement-edit"),
    path("missions/<slug:slug>/statements/<slug:statement>/findings/<int:finding>/", views.edit_finding,
         name="statement-finding"),
    path("missions/<slug:slug>/statements/<slug:statement>/findings/<int:finding>/delete", views.delete_finding,
         name="statement-finding-delete"),
    path("missions/<slug:slug>/statements/<slug:statement>/freeze", views.freeze, name="statement-freeze"),
    path("missions/<slug:slug>/statements/<slug:statement>/v<int:number>/", views.version_view,
         name="statement-version"),
    path("missions/<slug:slug>/statements/<slug:statement>/v<int:number>/statement.pdf", views.version_view,
         {"fmt": "pdf"}, name="statement-version-pdf"),
    path("missions/<slug:slug>/statements/<slug:statement>/v<int:number>/publish", views.publish,
         name="statement-publish"),
    path("missions/<slug:slug>/evidence/", views.statement_list, name="evidence-root"),
    path("missions/<slug:slug>/evidence/<evidence:path>/", views.evidence, name="evidence"),
    path("missions/<slug:slug>/evidence/<evidence:path>.csv", views.evidence, {"fmt": "csv"}, name="evidence-csv"),
    path("p/<slug:mission>/<slug:statement>/", views.public_statement, name="public-statement"),
    path("p/<slug:mission>/<slug:statement>/statement.pdf", views.public_statement, {"fmt": "pdf"},
         name="public-statement-pdf"),
    path("p/<slug:mission>/<slug:statement>/evidence/", views.public_statement, name="public-evidence-root"),
    path("p/<slug:mission>/<slug:statement>/evidence/<evidence:path>/", views.public_evidence,
         name="public-evidence"),
    path("p/<slug:mission>/<slug:statement>/evidence/<evidence:path>.csv", views.public_evidence, {"fmt": "csv"},
         name="public-evidence-csv"),
]
