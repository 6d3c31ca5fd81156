"""The job's admin page: progress while it runs (refreshed by a meta refresh, no JavaScript
needed), then its report or its error."""

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from wagtail.admin.auth import permission_denied

from .models import Job

REFRESH_SECONDS = 2


def job_view(request, job_id):
    job = get_object_or_404(Job, pk=job_id)
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
