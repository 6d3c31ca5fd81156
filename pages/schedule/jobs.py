"""The schedule import as a background job (pages.background): the admin view starts it, the
task worker runs it with progress per talk; the import is one transaction, so a failed job
leaves nothing behind."""

from wagtail.models import Page

from pages.background.jobs import start_job

from .importer import ScheduleImporter

RUNNER = "pages.schedule.jobs.run_import"


def start_import(
    *, user, publish: bool, url: str = "", data: bytes | None = None, name: str = "", parent_id=None
):
    source = url or name or "schedule"
    return start_job(
        RUNNER,
        f"Import the schedule {source}",
        user=user,
        params={"url": url, "name": source, "publish": publish, "parent": parent_id},
        payload=data,
    )


def run_import(job, progress) -> dict:
    params = job.params
    parent = Page.objects.filter(pk=params["parent"]).first() if params.get("parent") else None
    importer = ScheduleImporter(
        parent, publish=params.get("publish", False), user=job.user, progress=progress
    )
    if job.payload is not None:
        report = importer.import_bytes(bytes(job.payload), name=params.get("name") or "schedule")
    else:
        report = importer.import_source(params["url"])
    result = report.as_dict()
    if report.committed and report.conference_id:
        from django.urls import reverse

        result["url"] = reverse("wagtailadmin_explore", args=[report.conference_id])
    return result
