"""Check every page against the accessibility rules; exit 1 when an error-level rule is broken."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from pages.accessibility.audit import audit_pages, auditable_pages
from pages.accessibility.rules import ERROR, RULES


class Command(BaseCommand):
    help = (
        "Check every page (live content and the latest draft) against the accessibility rules. "
        "Prints page, block, severity, rule and message; exits non-zero when an error-level rule "
        "is broken (warnings are listed, never counted)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--rule", action="append", choices=sorted(RULES), help="Only this rule")
        parser.add_argument(
            "--errors-only", action="store_true", help="List error-level findings only"
        )

    def handle(self, *args, **options):
        pages = auditable_pages()
        total = pages.count()
        show_progress = options["format"] == "text" and options["verbosity"] >= 1

        def progress(number, count, page):
            if show_progress and (number == count or number % 25 == 0):
                self.stderr.write(f"  checked {number}/{count} pages")

        report = audit_pages(pages, progress)
        rows = [
            {
                "page_id": page.pk,
                "page": page.title,
                "url": page.url_path,
                "source": source,
                **finding.as_dict(),
            }
            for page, findings in report.items()
            for source, finding in findings
            if (not options["rule"] or finding.rule in options["rule"])
            and (finding.is_error or not options["errors_only"])
        ]
        errors = sum(1 for row in rows if row["severity"] == ERROR)
        if options["format"] == "json":
            self.stdout.write(json.dumps({"pages_checked": total, "findings": rows}, indent=2))
        else:
            for row in rows:
                self.stdout.write(
                    f"{row['page']} (#{row['page_id']}, {row['source']}) {row['path']} "
                    f"[{row['rule']}] {row['severity']}: {row['where']}: {row['message']}"
                )
            summary = (
                f"{total} pages checked, {len(rows)} finding(s): {errors} error(s), "
                f"{len(rows) - errors} warning(s)"
            )
            self.stdout.write(self.style.ERROR(summary) if errors else self.style.SUCCESS(summary))
        if errors:
            sys.stdout.flush()
            raise CommandError(f"{errors} accessibility error(s)", returncode=1)
