"""The job's admin page: progress while it runs (refreshed by a meta refresh, no JavaScript
needed), then its report or its error."""

from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from wagtail.admin.auth import permission_denied

from . import builtin
from .jobs import start_job
from .models import Job

REFRESH_SECONDS = 2


def job_view(request, job_id):
    job = get_object_or_404(Job.objects.defer("payload"), pk=job_id)
    if not (request.user.is_superuser or (job.user_id and job.user_id == request.user.pk)):
        return permission_denied(request)
    return TemplateResponse(
        request,
        "background/job.html",
        {
            "job": job,
            "refresh": None if job.finished else REFRESH_SECONDS,
            "lines": job.report.get("lines", []) if isinstance(job.report, dict) else [],
            "next_url": job.report.get("url", "") if isinstance(job.report, dict) else "",
        },
    )


def jobs_view(request):
    """The caller's recent jobs (every job for superusers), and the index rebuild button."""
    jobs = Job.objects.select_related("user")
    if not request.user.is_superuser:
        jobs = jobs.filter(user=request.user)
    return TemplateResponse(request, "background/jobs.html", {"jobs": jobs.defer("payload")[:50]})


@require_POST
def rebuild_index_view(request):
    if not request.user.is_superuser:
        return permission_denied(request)
    job = start_job(builtin.RUNNER, "Rebuild the search index", user=request.user)
    return redirect("background_job", job_id=job.pk)
