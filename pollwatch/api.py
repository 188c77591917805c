"""The REST API (django-ninja): one ``NinjaAPI``, one router per app. OpenAPI docs at ``/api/docs``.

Authentication is a bearer token (``Authorization: Bearer <token>``, see ``pollwatch.collection.models.ApiToken``)
or the browser session. The API's URLs are exempt from ``LoginRequiredMiddleware``: ninja answers 401 itself.
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.errors import ValidationError

from pollwatch.collection.api import router as collection_router
from pollwatch.web.params import BadParameter

api = NinjaAPI(title="pollwatch API", version="1", docs_url="/docs")
api.add_router("/", collection_router)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    """A parameter or body the schemas refuse: 400, each error naming where it is (``loc``) and why."""
    return api.create_response(request, {"detail": exc.errors}, status=400)


@api.exception_handler(BadParameter)
def _bad_parameter(request, exc: BadParameter):
    return api.create_response(request, {"detail": str(exc)}, status=400)


def _exempt(patterns):
    for p in patterns:
        if hasattr(p, "url_patterns"):
            _exempt(p.url_patterns)
        elif getattr(p, "callback", None) is not None:
            p.callback.login_required = False  # what @login_not_required sets
    return patterns


def urls():
    """``path("api/", pollwatch.api.urls())`` — the ninja URLs, marked as not needing a Django login."""
    patterns, app_name, namespace = api.urls
    return _exempt(patterns), app_name, namespace
