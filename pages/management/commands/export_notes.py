"""Write a conference back out as a Markdown notes file (the format import_notes reads)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pages.models import ConferenceIndex
from pages.notes.exporter import export_conference


class Command(BaseCommand):
    help = (
        "Export a conference (its intro, days, talks and their speakers) as a Markdown notes "
        "file. With -o, its images are written to images/ next to the file (or into the .zip); "
        "importing the file gives back the same pages, speakers and blocks."
    )

    def add_arguments(self, parser):
        parser.add_argument("conference", metavar="SLUG", help="The conference's slug (or id)")
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            help="Write here (and images next to it), not stdout; a FILE ending in .zip gets the "
            "Markdown and its images in one archive that the admin's Import notes takes as it is",
        )
        parser.add_argument(
            "--live",
            action="store_true",
            help="Export what is published (default: the latest drafts, as editors see them)",
        )

    def handle(self, *args, **options):
        conference = find_conference(options["conference"])
        export = export_conference(conference, live=options["live"])
        for warning in export.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        if options["output"]:
            written = export.write(Path(options["output"]))
            self.stderr.write(
                self.style.SUCCESS(
                    f"Wrote {written[0]} and {len(written) - 1} image(s) for “{conference.title}”."
                )
            )
        else:
            self.stdout.write(export.markdown, ending="")
            if export.images:
                self.stderr.write(
                    self.style.WARNING(
                        f"{len(export.images)} image(s) were not written: use -o FILE to write "
                        "them next to the Markdown file."
                    )
                )


def find_conference(value: str) -> ConferenceIndex:
    matches = list(ConferenceIndex.objects.filter(slug=value))
    if not matches and value.isdigit():
        matches = list(ConferenceIndex.objects.filter(pk=int(value)))
    if not matches:
        raise CommandError(f"There is no conference with the slug “{value}”.")
    if len(matches) > 1:
        ids = ", ".join(str(page.pk) for page in matches)
        raise CommandError(f"Several conferences have the slug “{value}” (ids {ids}); give the id.")
    return matches[0]
