"""Delete finished background jobs (and their reports) older than a number of days."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pages.background.models import Job


class Command(BaseCommand):
    help = (
        "Delete background jobs that finished (done or failed) more than --older-than days ago. "
        "Queued and running jobs are never deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=30, metavar="DAYS")
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, older_than, dry_run, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more days.")
        cutoff = timezone.now() - datetime.timedelta(days=older_than)
        old = Job.objects.filter(status__in=(Job.DONE, Job.FAILED), finished_at__lt=cutoff)
        count = old.count()
        if not dry_run:
            old.delete()
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(
            f"prune_jobs: {verb} {count} job(s) finished before {cutoff:%Y-%m-%d %H:%M}."
        )
