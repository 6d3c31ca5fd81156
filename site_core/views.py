"""Site-wide views: health check, error pages."""

from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static


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


def favicon(request):
    """``/favicon.ico``, which browsers and crawlers ask for whatever the page says: the PNG."""
    response = HttpResponsePermanentRedirect(static("favicon.png"))
    response["Cache-Control"] = "public, max-age=86400"
    return response
