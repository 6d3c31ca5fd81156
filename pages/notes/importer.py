"""Import notes files into the page tree: one conference per file, one transaction per file.

``NotesImporter(parent, publish=..., dry_run=..., user=...).import_path(path)`` returns a
:class:`FileResult`: the tree of pages it built (or would build), what it did to each page, the
warnings and errors with their lines, and the pages of the conference that the file no longer
mentions (listed, never deleted).

Pages are matched by slug under their parent, so importing a file again updates the same pages
as new revisions. Block values go through the StreamField's own validation: full validation
when publishing, the editor's draft validation otherwise (accessibility findings are then
reported as warnings, as the editor's Checks panel would show them).
"""

from collections import Counter
from pathlib import Path

from django.conf import settings
from django.db import transaction

from wagtail.models import Page
from wagtail.signal_handlers import disable_reference_index_auto_update

from pages.accessibility.signals import findings_deferred, refresh_findings

from .diagnostics import Diagnostics
from .document import BlockSpec, NotesDocument
from .parser import parse_notes
from .results import FileResult, PageNode
from .search_index import deferred_indexing, index_saved
from .writer import ImportRun

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_PAGES = 2000
DEFAULT_MAX_BLOCKS = 50000


def max_import_bytes() -> int:
    return int(getattr(settings, "NOTES_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_limits(tree: PageNode, diagnostics: Diagnostics) -> None:
    """An error for each per-file limit the tree goes over (``CONFNOTES_IMPORT_MAX_PAGES``,
    ``CONFNOTES_IMPORT_MAX_BLOCKS``): such a file is not imported at all."""
    counts = Counter()
    for node in tree.walk():
        counts["pages"] += 1
        counts["blocks"] += sum(node.blocks.values())
    for what, setting, default in (
        ("pages", "CONFNOTES_IMPORT_MAX_PAGES", DEFAULT_MAX_PAGES),
        ("blocks", "CONFNOTES_IMPORT_MAX_BLOCKS", DEFAULT_MAX_BLOCKS),
    ):
        limit = int(getattr(settings, setting, default))
        if counts[what] > limit:
            diagnostics.error(
                None,
                f"The file has {counts[what]:,} {what}; one import takes at most {limit:,} "
                f"(setting {setting}). Split the file, or raise the limit.",
            )


class _Rollback(Exception):
    pass


# --- the importer ---------------------------------------------------------------------------------


class NotesImporter:
    def __init__(
        self,
        parent: Page | None = None,
        *,
        publish: bool = False,
        dry_run: bool = False,
        user=None,
        image_root: Path | None = None,
        max_bytes: int | None = None,
    ):
        self.parent = parent
        self.publish = publish
        self.dry_run = dry_run
        self.user = user
        self.image_root = Path(image_root).resolve() if image_root else None
        self.max_bytes = max_bytes if max_bytes is not None else max_import_bytes()

    def import_path(self, path, name: str | None = None) -> FileResult:
        path = Path(path)
        result = FileResult(name=name or str(path), dry_run=self.dry_run, publish=self.publish)
        text = self._read(path, result.diagnostics)
        if text is None:
            return result
        document = parse_notes(text, result.diagnostics)
        result.tree = plan_tree(document)
        check_limits(result.tree, result.diagnostics)
        if result.diagnostics.has_errors:
            return result
        self._write(document, result, path.parent)
        return result

    def _read(self, path: Path, diagnostics: Diagnostics) -> str | None:
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                diagnostics.error(
                    None,
                    f"The file is {_size(size)}; the limit is {_size(self.max_bytes)}. Split it "
                    "into one file per conference, or raise the limit (--max-size).",
                )
                return None
            data = path.read_bytes()
        except OSError as error:
            diagnostics.error(None, f"Cannot read the file: {error.strerror or error}.")
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
            diagnostics.error(
                line,
                f"Not valid UTF-8 (byte 0x{data[error.start]:02x} at column {column}). Save the "
                "file as UTF-8 and import it again.",
            )
            return None

    def _write(self, document: NotesDocument, result: FileResult, base_dir: Path) -> None:
        run = ImportRun(self, document, result, base_dir)
        try:
            with transaction.atomic():
                # Pages are saved several times (create, revision, publish): index references
                # and search documents once, at the end, instead of on every save.
                with deferred_indexing() as pending, findings_deferred() as audits:
                    with disable_reference_index_auto_update():
                        run.apply()
                    run.update_reference_index()
                if result.diagnostics.has_errors or self.dry_run:
                    raise _Rollback
                # Accessibility findings: each page audited once, in its final state (not on its
                # revision and again on publishing).
                refresh_findings(audits)
                # Last write of the transaction: the database search backend's rows commit or
                # roll back with the pages (see search_index.index_saved).
                index_saved(pending)
            result.committed = True
        except _Rollback:
            pass
        finally:
            if not result.committed:
                run.discard_files()


def plan_tree(document: NotesDocument) -> PageNode:
    """The tree a document describes, before anything is looked up or written."""

    def count(body: list[BlockSpec]) -> Counter:
        return Counter(block.type for block in body)

    root = PageNode("conference", document.title, document.title_line, count(document.body))
    for day in document.days:
        day_node = PageNode("day", day.title, day.line, count(day.body))
        root.children.append(day_node)
        for talk in day.talks:
            node = PageNode("talk", talk.title, talk.line, count(talk.body))
            if talk.speakers:
                node.detail = f"speakers: {', '.join(talk.speakers)}"
            day_node.children.append(node)
    return root


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size} bytes"
    return f"{size / (1024 * 1024):.1f} MB"
