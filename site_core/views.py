"""Site-wide views: health check, error pages."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render


def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse(
            {"status": "error", "database": str(exc.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request):
    return render(request, "500.html", status=500)
