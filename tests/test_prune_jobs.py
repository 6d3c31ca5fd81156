"""prune_jobs: finished jobs older than the cut-off go; recent, queued and running ones stay."""

import datetime
from io import StringIO

from django.core.management import CommandError, call_command
from django.utils import timezone

import pytest

from pages.background.models import Job

pytestmark = pytest.mark.django_db


def job(title, status, days_ago=None):
    finished = timezone.now() - datetime.timedelta(days=days_ago) if days_ago is not None else None
    return Job.objects.create(title=title, runner="x.y", status=status, finished_at=finished)


def test_prune_jobs_deletes_only_old_finished_jobs():
    job("old done", Job.DONE, 40)
    job("old failed", Job.FAILED, 31)
    job("recent done", Job.DONE, 2)
    job("queued", Job.QUEUED)
    job("stuck running", Job.RUNNING, 90)  # a running job is never pruned, whatever its dates

    dry = StringIO()
    call_command("prune_jobs", "--dry-run", stdout=dry)
    assert "would delete 2 job(s)" in dry.getvalue()
    assert Job.objects.count() == 5

    out = StringIO()
    call_command("prune_jobs", stdout=out)
    assert "deleted 2 job(s)" in out.getvalue()
    assert sorted(Job.objects.values_list("title", flat=True)) == [
        "queued",
        "recent done",
        "stuck running",
    ]

    call_command("prune_jobs", "--older-than", "0", stdout=StringIO())
    assert sorted(Job.objects.values_list("title", flat=True)) == ["queued", "stuck running"]


def test_prune_jobs_refuses_a_negative_age():
    with pytest.raises(CommandError, match="0 or more days"):
        call_command("prune_jobs", "--older-than", "-1")
