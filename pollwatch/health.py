"""``GET /health``: is this server answering, is its database, and how far behind is derivation?

Public on purpose (load balancers, uptime monitors, the benchmark): it names no mission and no person, only counts.
503 when the database cannot be reached, so a load balancer takes the server out of rotation.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@login_not_required
@never_cache
@require_safe
def health(request):
    from pollwatch.collection.derivation import backlog

    try:
        state = backlog()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "backlog": state.pending,
                         "oldest_pending_s": state.oldest_pending_s, "failed": state.failed})
