"""The admin notes import of more than a few talks, as a background job (pages.background):
the confirmation hands the staged upload to the job, which imports it (one transaction, as
always) and deletes it."""

from django.conf import settings
from django.urls import reverse

from pages.background.jobs import start_job

RUNNER = "pages.notes.jobs.run_staged_import"
#: imports of more talks than this run in the background
DEFAULT_THRESHOLD = 10


def background_threshold() -> int:
    return int(getattr(settings, "NOTES_BACKGROUND_THRESHOLD", DEFAULT_THRESHOLD))


def start_staged_import(user, token: str, entry: dict):
    return start_job(
        RUNNER,
        f"Import the notes {entry['name']}",
        user=user,
        params={"token": token, "entry": entry},
        total=entry.get("talks", 0),
    )


def run_staged_import(job, progress) -> dict:
    from . import admin_views  # the staging helpers live with the view

    token, entry = job.params["token"], job.params["entry"]
    if admin_views._staged_files(token) is None:
        return {"ok": False, "summary": "The upload has expired; choose the file again."}
    progress(0, entry.get("talks", 0), "importing")
    try:
        result = admin_views._run(None, token, entry, dry_run=False, user=job.user)
    finally:
        admin_views._delete_staged(token)
    talks = result.counts()["talk"]
    progress(talks, talks, "done")
    lines = result.tree_lines() + [d.format(result.name) for d in result.diagnostics.sorted()]
    lines += [f"no longer in the file (kept): {stale}" for stale in result.stale]
    report = {"ok": result.committed, "summary": result.summary(), "lines": lines}
    if result.committed and result.tree is not None and result.tree.page_id:
        report["url"] = reverse("wagtailadmin_explore", args=[result.tree.page_id])
    return report
