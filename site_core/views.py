"""Site-wide views: health check, error pages."""

from django.db import connection
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.static import serve


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


def serve_media(request, path, document_root):
    """Django's file view for media served by the app itself (DEBUG, the demo's SERVE_MEDIA).

    A name the file system refuses (too long, say) is answered 404 like any missing file,
    not with the OSError's 500.
    """
    try:
        return serve(request, path, document_root=document_root)
    except OSError as error:
        raise Http404("No such file") from error
