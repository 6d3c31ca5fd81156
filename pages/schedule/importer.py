"""Import a schedule: read (file or URL), parse, check, write, all in one transaction.

``ScheduleImporter(parent=..., publish=..., dry_run=..., user=..., progress=...)
.import_source(path_or_url)`` returns an :class:`ImportReport`. An error anywhere (reading,
parsing, a duplicate id, a page that cannot be saved, a refused publication) leaves the
database as it was; a dry run does everything and rolls back.
"""

from django.db import transaction

from .model import Diagnostics, ImportReport
from .parser import parse_schedule
from .source import SourceError, read_source
from .writer import ScheduleWriter, WriteError


class _Rollback(Exception):
    pass


class ScheduleImporter:
    def __init__(self, parent=None, *, publish=False, dry_run=False, user=None, progress=None):
        self.parent = parent
        self.publish = publish
        self.dry_run = dry_run
        self.user = user
        self.progress = progress

    def import_source(self, source: str, name: str | None = None) -> ImportReport:
        report = self.report(name or source)
        try:
            data = read_source(source)
        except SourceError as error:
            report.diagnostics.error(str(error))
            return report
        return self.import_bytes(data, report=report)

    def import_bytes(self, data: bytes, name: str = "schedule", report=None) -> ImportReport:
        report = report or self.report(name)
        schedule = parse_schedule(data, report.diagnostics)
        if schedule is None:
            return report
        writer = ScheduleWriter(
            schedule, report, parent=self.parent, publish=self.publish, user=self.user,
            progress=self.progress,
        )  # fmt: skip
        try:
            with transaction.atomic():
                try:
                    writer.apply()
                except WriteError as error:
                    report.diagnostics.error(str(error))
                if report.diagnostics.has_errors or self.dry_run:
                    raise _Rollback
            report.committed = True
        except _Rollback:
            pass
        return report

    def report(self, name: str) -> ImportReport:
        return ImportReport(
            source=name, dry_run=self.dry_run, publish=self.publish, diagnostics=Diagnostics()
        )
