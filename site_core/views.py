"""Site-wide views: search, health check, error pages."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from wagtail.models import Page

MAX_QUERY_LENGTH = 200


def search(request):
    """Search live public pages. Never raises on odd input: it is cleaned and capped first."""
    raw = request.GET.get("q", "")
    query = " ".join(raw.replace("\x00", " ").split())[:MAX_QUERY_LENGTH]
    results = Page.objects.none()
    if query:
        results = Page.objects.live().public().specific().search(query)
    paginator = Paginator(results, 10)
    try:
        page_number = int(request.GET.get("page", 1))
    except (TypeError, ValueError):
        page_number = 1
    try:
        results_page = paginator.page(page_number)
    except (EmptyPage, PageNotAnInteger):
        results_page = paginator.page(paginator.num_pages or 1)
    return render(
        request,
        "search.html",
        {"search_query": query, "results": results_page, "truncated": len(raw) > MAX_QUERY_LENGTH},
    )


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
