"""Background jobs (pages.background) and the admin schedule import that uses them.

In-process with the immediate backend (as in the demo and the other tests), and on PostgreSQL
with the real database backend and a real ``manage.py db_worker`` subprocess: an admin import of
200 talks whose progress page moves to done, and a failing job that shows its error and leaves
no page behind."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

import pytest

from pages.background.jobs import start_job
from pages.background.models import Job
from pages.models import ConferenceIndex, TalkPage
from pages.schedule.jobs import RUNNER
from tests.background_support import big_schedule

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "schedule"


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")


def test_admin_import_runs_as_a_job_and_shows_its_report(
    home, admin, client, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    upload = SimpleUploadedFile("harbour.xml", (FIXTURES / "harbour.xml").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("schedule_import"), {"file": upload, "mode": "publish"})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("background_job", args=[job.pk])
    assert (job.status, job.done, job.total, job.user_id) == (Job.DONE, 6, 6, admin.pk)
    assert TalkPage.objects.filter(live=True).count() == 6
    page = client.get(response["Location"]).content.decode()
    assert 'data-job-status="done"' in page
    assert 'http-equiv="refresh"' not in page  # finished: no more refreshing
    assert "6 talk(s) (9 created" in page
    assert "skipped: event 103 “Coffee break”" in page


def test_a_job_in_progress_refreshes_and_only_its_owner_sees_it(
    home, admin, client, django_user_model
):
    job = Job.objects.create(
        title="Import", runner=RUNNER, user=admin, status=Job.RUNNING, done=50, total=200
    )
    client.force_login(admin)
    page = client.get(reverse("background_job", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress max="100" value="25">' in page and "50 of 200" in page
    other = django_user_model.objects.create_user("other", "o@example.org", "pw")
    client.force_login(other)
    assert client.get(reverse("background_job", args=[job.pk])).status_code == 302  # refused


def test_form_needs_a_file_or_an_address(home, admin, client):
    client.force_login(admin)
    response = client.post(reverse("schedule_import"), {"mode": "draft"})
    assert "Choose a file or give an address" in response.content.decode()
    response = client.post(
        reverse("schedule_import"), {"mode": "draft", "url": "ftp://example.org/s.json"}
    )
    assert response.status_code == 200 and not Job.objects.exists()


def test_a_failing_job_shows_its_error_and_writes_nothing(
    home, admin, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(
            "tests.background_support.failing_import", "Import", user=admin,
            params={"name": "bulk.json", "publish": False}, payload=big_schedule(20),
        )  # fmt: skip
    job.refresh_from_db()
    assert job.status == Job.FAILED
    assert job.error == "Boom: injected fault after 10 of 20 talks"
    assert not ConferenceIndex.objects.exists() and not TalkPage.objects.exists()
    client.force_login(admin)
    page = client.get(reverse("background_job", args=[job.pk])).content.decode()
    assert "The job failed and nothing was saved" in page and "injected fault after 10" in page


# --- the real database backend and worker (PostgreSQL) -------------------------------------------


@pytest.fixture
def worker():
    """``manage.py db_worker`` for the "database" task backend, on the test database."""
    if connection.vendor != "postgresql":
        # By design, not a missing service: CI runs the suite on PostgreSQL too.
        pytest.skip("the worker subprocess shares the test database: PostgreSQL")
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "site_core.settings.test",
        "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--backend", "database", "--interval", "0.2",
         "--no-startup-delay"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def watch(client, job, limit=900.0) -> list[str]:
    """The job page's status and progress each time it is loaded, until it is finished."""
    seen = []
    deadline = time.monotonic() + limit  # a guard against a hung worker, not a timing assertion
    url = reverse("background_job", args=[job.pk])
    while time.monotonic() < deadline:
        client.get(url)
        job.refresh_from_db()
        seen.append((job.status, job.done))
        if job.finished:
            return seen, client.get(url).content.decode()
        time.sleep(0.2)
    pytest.fail(f"the job did not finish: {seen[-5:]}")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_admin_import_of_200_talks_in_the_worker_shows_progress(worker, client, django_user_model):
    from tests.factories import home_page

    home_page()
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(boss)
    upload = SimpleUploadedFile("bulk.json", big_schedule(200))
    job = None
    from django.test import override_settings

    # the admin view enqueues on the "database" backend: the worker picks the job up
    with override_settings(BACKGROUND_TASK_BACKEND="database"):
        response = client.post(reverse("schedule_import"), {"file": upload, "mode": "draft"})
    job = Job.objects.get()
    assert response.status_code == 302
    seen, page = watch(client, job)
    assert job.status == Job.DONE, (job.error, seen)
    # the page showed the job queued or running before it was done, with progress in between
    assert seen[0][0] in (Job.QUEUED, Job.RUNNING)
    assert any(0 < done < 200 for status, done in seen if status == Job.RUNNING), seen
    assert TalkPage.objects.count() == 200
    assert "200 talk(s) (203 created" in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_job_in_the_worker_leaves_no_pages(worker, client, django_user_model):
    from tests.factories import home_page

    home_page()
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    job = start_job(
        "tests.background_support.failing_import", "Import", user=boss,
        params={"name": "bulk.json", "publish": False}, payload=big_schedule(40), backend="database",
    )  # fmt: skip
    client.force_login(boss)
    seen, page = watch(client, job)
    assert job.status == Job.FAILED
    assert "injected fault after 20 of 40 talks" in page
    assert not ConferenceIndex.objects.exists() and not TalkPage.objects.exists()


def test_an_admin_notes_import_of_many_talks_runs_as_a_job(
    home, admin, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    import io
    import zipfile

    from tests.notes_support import FIXTURES as NOTES

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTES_BACKGROUND_THRESHOLD = 2  # the fixture has 3 talks
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("harbour/conference.md", (NOTES / "conference.md").read_bytes())
        for name in ("whiteboard.png", "rule.png"):
            archive.writestr(f"harbour/images/{name}", (NOTES / "images" / name).read_bytes())
    client.force_login(admin)
    upload = SimpleUploadedFile("notes.zip", buffer.getvalue(), content_type="application/zip")
    preview = client.post("/admin/notes/import/", {"file": upload, "mode": "publish"})
    assert not ConferenceIndex.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/notes/import/", {"token": preview.context["token"]})
    job = Job.objects.get()
    assert response["Location"] == reverse("background_job", args=[job.pk])
    assert (job.status, job.done, job.total) == (Job.DONE, 3, 3)
    assert TalkPage.objects.filter(live=True).count() == 3
    assert not (settings.MEDIA_ROOT / "notes-import" / preview.context["token"]).exists()
    page = client.get(response["Location"]).content.decode()
    assert "3 talk(s)" in page and "Open the pages" in page


def test_superusers_rebuild_the_search_index_as_a_job(home, admin, client, django_user_model,
                                                      django_capture_on_commit_callbacks):  # fmt: skip
    client.force_login(admin)
    assert "Rebuild the search index" in client.get(reverse("background_jobs")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("background_rebuild_index"))
    job = Job.objects.get()
    assert response["Location"] == reverse("background_job", args=[job.pk])
    assert (job.status, job.report["summary"]) == (Job.DONE, "The search index was rebuilt.")
    editor = django_user_model.objects.create_user("ed", "ed@example.org", "pw")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.post(reverse("background_rebuild_index")).status_code == 302  # refused
    assert Job.objects.count() == 1
    listing = client.get(reverse("background_jobs")).content.decode()
    assert "Rebuild the search index</a>" not in listing  # not their job
