"""Warnings and errors found while importing or exporting notes, each with its line."""

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    level: str
    line: int | None
    message: str

    def format(self, filename: str) -> str:
        where = f"{filename}:{self.line}" if self.line else filename
        return f"{where}: {self.level}: {self.message}"


class Diagnostics(list):
    """A list of :class:`Diagnostic` in the order they were found."""

    def warn(self, line: int | None, message: str) -> None:
        self.append(Diagnostic(WARNING, line, message))

    def error(self, line: int | None, message: str) -> None:
        self.append(Diagnostic(ERROR, line, message))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.level == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self if d.level == WARNING]

    @property
    def has_errors(self) -> bool:
        return any(d.level == ERROR for d in self)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self, key=lambda d: d.line or 0)
