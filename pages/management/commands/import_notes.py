"""Import conference notes written in Markdown: one conference per file."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wagtail.models import Page

from pages.notes.importer import NotesImporter, max_import_bytes


class Command(BaseCommand):
    help = (
        "Import Markdown notes files, one conference each (front matter, ## days, ### talks). "
        "Each file is imported in one transaction; importing a file again updates the same "
        "pages as new revisions. Prints the tree built, warnings and errors as file:line, and "
        "exits non-zero when any file has an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="Markdown notes files")
        parser.add_argument(
            "--parent",
            metavar="PATH|ID",
            help="Page to import under: an id or a URL path such as / (default: the home page)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the files and show what would be imported, without writing anything",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--publish",
            action="store_true",
            help="Publish the pages (content must then pass every publishing check)",
        )
        mode.add_argument(
            "--draft",
            action="store_true",
            help="Save the pages as drafts (the default)",
        )
        parser.add_argument(
            "--max-size",
            type=int,
            default=None,
            metavar="BYTES",
            help=f"Largest file accepted (default {max_import_bytes()} bytes)",
        )

    def handle(self, *args, **options):
        parent = resolve_parent(options["parent"]) if options["parent"] else None
        importer = NotesImporter(
            parent,
            publish=options["publish"],
            dry_run=options["dry_run"],
            max_bytes=options["max_size"],
        )
        files = options["files"]
        verbose = options["verbosity"] >= 1
        totals = {"ok": 0, "failed": 0, "warnings": 0, "errors": 0}
        for number, name in enumerate(files, start=1):
            if len(files) > 1 and verbose:
                self.stderr.write(f"[{number}/{len(files)}] {name}")
            result = importer.import_path(Path(name), name=name)
            if verbose:
                for line in result.tree_lines():
                    self.stdout.write("  " + line)
                for line in result.stale:
                    self.stdout.write(f"  no longer in the file (kept): {line}")
            for diagnostic in result.diagnostics.sorted():
                text = diagnostic.format(name)
                self.stderr.write(
                    self.style.ERROR(text)
                    if diagnostic.level == "error"
                    else self.style.WARNING(text)
                )
            summary = result.summary()
            self.stdout.write(
                self.style.SUCCESS(summary) if result.ok else self.style.ERROR(summary)
            )
            totals["ok" if result.ok else "failed"] += 1
            totals["warnings"] += result.diagnostics.warning_count
            totals["errors"] += result.diagnostics.error_count
        if len(files) > 1:
            self.stdout.write(
                f"{len(files)} files: {totals['ok']} imported"
                f"{' (dry run)' if options['dry_run'] else ''}, {totals['failed']} not imported; "
                f"{totals['warnings']} warning(s), {totals['errors']} error(s)."
            )
        if totals["failed"]:
            sys.stdout.flush()
            raise CommandError(f"{totals['failed']} file(s) not imported", returncode=1)


def resolve_parent(value: str) -> Page:
    """A page from its id or its URL path (``/``, ``/conferences/``)."""
    if value.isdigit():
        page = Page.objects.filter(pk=int(value)).first()
        if page is None:
            raise CommandError(f"There is no page with id {value}.")
        return page.specific
    path = "/" + value.strip("/") + "/" if value.strip("/") else "/"
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    candidates = []
    if site is not None:
        candidates.append(site.root_page.url_path.rstrip("/") + path)
    candidates.append(path)
    for url_path in candidates:
        page = Page.objects.filter(url_path=url_path).first()
        if page is not None:
            return page.specific
    raise CommandError(f"There is no page at {value}; give its id or URL path.")
