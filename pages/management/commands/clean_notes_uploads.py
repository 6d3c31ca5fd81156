"""``manage.py clean_notes_uploads``: delete uploads of the admin's "Import notes" that were
staged for a preview and never confirmed or cancelled (see ``pages.notes.admin_views``)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from pages.notes.admin_views import UPLOAD_MAX_AGE, remove_stale_uploads


class Command(BaseCommand):
    help = "Delete staged notes uploads (notes-import/ in the default storage) older than a day."

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-age-hours",
            type=float,
            default=UPLOAD_MAX_AGE / 3600,
            help="Delete staged uploads older than this (default: 24).",
        )

    def handle(self, *args, **options):
        removed = remove_stale_uploads(timedelta(hours=options["max_age_hours"]))
        self.stdout.write(f"{len(removed)} staged upload(s) deleted.")
