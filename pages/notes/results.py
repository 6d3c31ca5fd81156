"""What an import reports: the tree of pages a file describes (``PageNode``) and the result
of importing one file (``FileResult``: what happened to each page, the diagnostics, the pages
no longer mentioned)."""

from collections import Counter
from dataclasses import dataclass, field

from .diagnostics import Diagnostics


@dataclass
class PageNode:
    kind: str
    title: str
    line: int
    blocks: Counter = field(default_factory=Counter)
    action: str = ""
    url: str = ""
    detail: str = ""
    page_id: int | None = None
    children: list["PageNode"] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def block_counts(self) -> list[tuple[str, int]]:
        return list(self.blocks.items())

    def describe(self) -> str:
        count = sum(self.blocks.values())
        blocks = ", ".join(f"{kind} {n}" for kind, n in self.blocks.items())
        parts = [f'{self.kind} "{self.title}"']
        if self.action:
            parts.append(f"[{self.action}]")
        if self.url:
            parts.append(self.url)
        if self.detail:
            parts.append(self.detail)
        text = " ".join(parts)
        return f"{text} — {count} block{'s' if count != 1 else ''}" + (
            f" ({blocks})" if blocks else ""
        )


@dataclass
class FileResult:
    name: str
    dry_run: bool = False
    publish: bool = False
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    tree: PageNode | None = None
    stale: list[str] = field(default_factory=list)
    redirects: list[str] = field(default_factory=list)
    speakers_created: list[str] = field(default_factory=list)
    images_created: int = 0
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors

    def tree_lines(self) -> list[str]:
        if self.tree is None:
            return []
        lines = []

        def add(node: PageNode, depth: int):
            lines.append("  " * depth + node.describe())
            for child in node.children:
                add(child, depth + 1)

        add(self.tree, 0)
        return lines

    def counts(self) -> Counter:
        counts: Counter = Counter()
        if self.tree is not None:
            for node in self.tree.walk():
                counts[node.kind] += 1
                counts["blocks"] += sum(node.blocks.values())
                if node.action:
                    counts[node.action] += 1
        return counts

    def summary(self) -> str:
        counts = self.counts()
        pages = (
            f"{counts['conference']} conference, {counts['day']} day(s), {counts['talk']} talk(s), "
            f"{counts['blocks']} blocks"
        )
        verbs = f"{counts['create']} created, {counts['update']} updated, {counts['unchanged']} unchanged"
        warnings = self.diagnostics.warning_count
        errors = self.diagnostics.error_count
        if errors:
            return f"{self.name}: not imported, {errors} error(s) and {warnings} warning(s)."
        mode = "published" if self.publish else "saved as drafts"
        extra = []
        if self.speakers_created:
            extra.append(f"{len(self.speakers_created)} new speaker(s)")
        if self.images_created:
            extra.append(f"{self.images_created} new image(s)")
        if self.redirects:
            extra.append(f"{len(self.redirects)} redirect(s)")
        extra_text = f"; {', '.join(extra)}" if extra else ""
        if self.dry_run:
            return (
                f"{self.name}: dry run, nothing written: {pages} ({verbs}){extra_text}; "
                f"{warnings} warning(s)."
            )
        return f"{self.name}: {pages} ({verbs}, {mode}){extra_text}; {warnings} warning(s)."
