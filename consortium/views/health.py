"""Health of the platform's dependencies, for load balancers."""

from django.conf import settings
from django.http import JsonResponse


def healthz(request):
    """For load balancers: 200 when the database, the cache and the broker answer, else 503."""
    from django.core.cache import cache
    from django.db import connection

    from ..celery import app as celery_app

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy, and is reported
        checks["database"] = f"error: {error.__class__.__name__}"
    try:
        cache.set("healthz", "ok", 10)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "error: value not stored"
    except Exception as error:  # noqa: BLE001
        checks["cache"] = f"error: {error.__class__.__name__}"
    if settings.CELERY_BROKER_URL:
        try:
            with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as broker:
                broker.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as error:  # noqa: BLE001
            checks["broker"] = f"error: {error.__class__.__name__}"
    else:
        checks["broker"] = "eager (no broker configured)"
    healthy = all(not value.startswith("error") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
