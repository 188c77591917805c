"""The REST API (django-ninja): one ``NinjaAPI``, one router per app. OpenAPI docs at ``/api/docs``.

Authentication is a bearer token (``Authorization: Bearer <token>``, see ``pollwatch.collection.models.ApiToken``)
or the browser session. The API's URLs are exempt from ``LoginRequiredMiddleware``: ninja answers 401 itself.
"""

from __future__ import annotations

from ninja import NinjaAPI

from pollwatch.collection.api import router as collection_router

api = NinjaAPI(title="pollwatch API", version="1", docs_url="/docs")
api.add_router("/", collection_router)


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
