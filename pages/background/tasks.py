"""The one task of the background jobs: run a :class:`Job` by its runner's dotted path."""

import logging

from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Job
from .progress import Progress

logger = logging.getLogger(__name__)


@task(backend="background")
def run_job(job_id: str) -> str:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return "gone"
    Job.objects.filter(pk=job.pk).update(status=Job.RUNNING, started_at=timezone.now())
    progress = Progress(job.pk)
    try:
        runner = import_string(job.runner)
        report = runner(job, progress) or {}
    except Exception as error:  # the runner's own transaction is rolled back: nothing half-done
        logger.exception("Background job %s (%s) failed", job.pk, job.title)
        _finish(job, progress, Job.FAILED, error=f"{type(error).__name__}: {error}")
        return Job.FAILED
    finally:
        progress.close()
    status = Job.DONE if report.get("ok", True) else Job.FAILED
    _finish(
        job,
        progress,
        status,
        report=report,
        error="" if status == Job.DONE else report.get("summary", ""),
    )
    return status


def _finish(job: Job, progress: Progress, status: str, *, report=None, error: str = "") -> None:
    # the uploaded file is not kept once the job is over (the report is)
    fields = {"status": status, "finished_at": timezone.now(), "error": error, "payload": None}
    if report is not None:
        fields["report"] = report
    if progress.total:
        fields.update(done=progress.done, total=progress.total)
    Job.objects.filter(pk=job.pk).update(**fields)
