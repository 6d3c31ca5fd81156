"""Warnings and errors found while importing or exporting notes, each with its line.

Hostile files can find a problem on every line: at most ``limit`` warnings and ``limit`` errors
are kept per file (``CONFNOTES_IMPORT_MAX_WARNINGS``), the rest are only counted and reported in
one summary line; a message longer than :data:`MAX_MESSAGE` characters is cut. What is printed
or shown for one file is therefore bounded whatever the file holds.
"""

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
DEFAULT_LIMIT = 100
#: characters of one message (values quoted in messages are shortened before this)
MAX_MESSAGE = 500


def default_limit() -> int:
    from django.conf import settings

    return int(getattr(settings, "CONFNOTES_IMPORT_MAX_WARNINGS", DEFAULT_LIMIT))


@dataclass(frozen=True)
class Diagnostic:
    level: str
    line: int | None
    message: str

    def format(self, filename: str) -> str:
        where = f"{filename}:{self.line}" if self.line else filename
        return f"{where}: {self.level}: {self.message}"


class Diagnostics(list):
    """A list of :class:`Diagnostic` in the order they were found (the first ``limit`` of each
    level; :attr:`left_out` counts the others)."""

    def __init__(self, *args, limit: int | None = None):
        super().__init__(*args)
        self.limit = default_limit() if limit is None else limit
        self.left_out = {WARNING: 0, ERROR: 0}
        self._kept = {WARNING: 0, ERROR: 0}

    def _add(self, level: str, line: int | None, message: str) -> None:
        if self._kept[level] >= self.limit:
            self.left_out[level] += 1
            return
        self._kept[level] += 1
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 1] + "…"
        self.append(Diagnostic(level, line, message))

    def warn(self, line: int | None, message: str) -> None:
        self._add(WARNING, line, message)

    def error(self, line: int | None, message: str) -> None:
        self._add(ERROR, line, message)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.level == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self if d.level == WARNING]

    @property
    def warning_count(self) -> int:
        """Every warning found, listed or not."""
        return len(self.warnings) + self.left_out[WARNING]

    @property
    def error_count(self) -> int:
        """Every error found, listed or not."""
        return len(self.errors) + self.left_out[ERROR]

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def sorted(self) -> list[Diagnostic]:
        """By line, then one summary line per level of what was left out."""
        listed = sorted(self, key=lambda d: d.line or 0)
        for level in (ERROR, WARNING):
            count = self.left_out[level]
            if count:
                listed.append(
                    Diagnostic(
                        level,
                        None,
                        f"{count} more {level}(s) not listed: only the first {self.limit} "
                        f"{level}s of a file are (setting CONFNOTES_IMPORT_MAX_WARNINGS).",
                    )
                )
        return listed
