"""``manage.py import_schedule FILE_OR_URL [--parent PATH|ID] [--dry-run] [--publish|--draft]``:
a conference, its days and talks from a pretalx/C3VOC schedule.json or a frab schedule.xml
(pages/schedule). Safe to run again as the programme changes."""

from django.core.management.base import BaseCommand, CommandError

from pages.management.commands.import_notes import resolve_parent
from pages.schedule.importer import ScheduleImporter


class Command(BaseCommand):
    help = "Create or update a conference's days and talks from its published schedule."

    def add_arguments(self, parser):
        parser.add_argument("source", help="schedule.json / schedule.xml: a file or an http(s) URL")
        parser.add_argument(
            "--parent",
            help="the page to import under (id or URL path; the home page by default), or the "
            "conference to update",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--publish", action="store_true", help="publish new pages")
        mode.add_argument("--draft", action="store_true", help="save as drafts (the default)")

    def handle(self, *args, source, parent=None, dry_run=False, publish=False, **options):
        parent_page = resolve_parent(parent) if parent else None
        verbosity = options.get("verbosity", 1)

        def progress(done, total, title):
            if verbosity >= 2 or (verbosity >= 1 and (done == total or done % 25 == 0)):
                self.stderr.write(f"[{done}/{total}] {title}")

        importer = ScheduleImporter(
            parent_page, publish=publish, dry_run=dry_run, progress=progress
        )
        report = importer.import_source(source)
        for line in report.lines()[:-1]:
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
