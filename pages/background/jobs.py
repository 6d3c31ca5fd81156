"""Starting a job: the row first, the task once the row is committed (a worker on another
connection must find it)."""

from functools import partial

from django.conf import settings
from django.db import transaction

from .models import Job
from .tasks import run_job


def start_job(
    runner: str, title: str, *, user=None, params=None, payload=None, total=0, backend=None
) -> Job:
    """A new :class:`Job` for ``runner`` (a dotted path), enqueued on the ``background`` task
    backend (or ``backend``, or the alias in settings.BACKGROUND_TASK_BACKEND) when the current transaction commits."""
    job = Job.objects.create(
        runner=runner,
        title=title[:255],
        user=user,
        params=params or {},
        payload=payload,
        total=total,
    )
    backend = backend or getattr(settings, "BACKGROUND_TASK_BACKEND", "background")
    task = run_job.using(backend=backend)
    transaction.on_commit(partial(task.enqueue, str(job.pk)))
    return job
