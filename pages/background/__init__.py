"""Long work in the background: a :class:`~pages.background.models.Job` (status, progress,
report) run by one task of Django's tasks framework (``tasks.run_job``) on the ``background``
task backend: the immediate backend in development, the demo and tests; django-tasks-db's
database backend and its ``db_worker`` process in production (README "Running in production").

A feature starts a job with :func:`~pages.background.jobs.start_job`, naming its runner by
dotted path (``runner(job, progress) -> report dict``); this package imports no feature. The
editor follows it on the job's admin page (``views``: a meta refresh while it runs, then the
report)."""
