"""Hostile notes files: import time at n, 2n and 4n for each worst-case shape, side by side.

    python -m benchmarks.import_hostile                 # every shape, sizes n, 2n, 4n
    python -m benchmarks.import_hostile --shape stars --repeat 3
    python -m benchmarks.import_hostile --stock         # Wagtail's own converter (the "before")

Each shape is written as a notes file (``var/bench-hostile/``) and imported as a dry run by
``NotesImporter`` (parsing, sanitising, block validation, the accessibility checks: everything
but the commit) into a fresh SQLite database, ``var/bench-hostile.sqlite3``. Time is this
process's CPU time, the best of ``--repeat`` runs; 4n is the size of issue #18's report.
Linear time shows as a ratio near 2 and 4 (a quadratic cost gives 4 and 16); timings on these
shared machines swing, so compare ratios within one run. The output column is the characters
of messages the import prints for the file (bounded by the warnings cap).

Shapes: ``stars`` (``*a`` × n in one paragraph), ``autolinks`` (``<http://a.b>`` × n),
``table`` (one row, n columns), ``bold`` (n bold words in one paragraph), ``warnings`` (n
shortcodes, a warning each), ``bomb`` (YAML aliases nested n/1000 + 5 levels: refused at
once), ``editor`` (the page edit form saving a paragraph with n bold ranges: ContentState →
HTML, the block's whitelist, HTML → ContentState for the form shown again).
"""

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-hostile"
SQLITE_PATH = ROOT / "var" / "bench-hostile.sqlite3"
HEAD = "---\ntitle: Hostile\ndate: 2026-05-12\n---\n## Day 1\n### Talk\n\n"

#: shape -> n (4n is the size in the issue)
BASE = {
    "stars": 25_000,
    "autolinks": 12_500,
    "table": 500,
    "bold": 5_000,
    "warnings": 2_500,
    "bomb": 2_000,
    "editor": 5_000,
}


def notes(shape: str, n: int) -> str:
    if shape == "stars":
        return HEAD + "*a" * n + "\n"
    if shape == "autolinks":
        return HEAD + "<http://a.b> " * n + "\n"
    if shape == "table":
        cells = "|" + "|".join(f"c{i}" for i in range(n)) + "|\n"
        return HEAD + cells + "|" + "|".join("-" for _ in range(n)) + "|\n" + cells
    if shape == "bold":
        return HEAD + "word **bold** " * n + "\n"
    if shape == "warnings":
        return HEAD + "text {{< toc >}} " * n + "\n"
    if shape == "bomb":
        levels = n // 1000 + 5  # 7, 9, 13 levels of ten aliases each
        lines = ["---", "title: Bomb", "date: 2026-05-12", "l0: &l0 [a, a, a, a, a, a, a, a, a, a]"]
        for level in range(1, levels):
            lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
        lines += [f"tags: [*l{levels - 1}]", "---", ""]
        return "\n".join(lines)
    raise ValueError(shape)


def contentstate(n: int) -> str:
    """What the editor posts for a paragraph of n bold words (one block, n style ranges, 50
    characters each: 4n is issue #18's 1 MB value with 20,000 bold ranges)."""
    unit = "a few words of running text in the notes, then: "
    text = (unit + "bold ") * n
    step = len(unit) + 5
    ranges = [{"offset": step * i + len(unit), "length": 4, "style": "BOLD"} for i in range(n)]
    block = {
        "key": "a1b2c",
        "type": "unstyled",
        "depth": 0,
        "text": text,
        "inlineStyleRanges": ranges,
        "entityRanges": [],
        "data": {},
    }
    return json.dumps({"blocks": [block], "entityMap": {}})


def measure(shape: str, n: int, repeat: int, widget) -> tuple[float, int, str]:
    """(best CPU seconds, characters of messages, summary) for one shape at size n."""
    from pages.blocks.sanitise import clean_rich_text
    from pages.notes.importer import NotesImporter

    if shape == "editor":  # what saving the page edit form does with the paragraph's value
        value = contentstate(n)
        best = float("inf")
        for _ in range(repeat):
            clean_rich_text.cache_clear()
            started = time.process_time()
            html = widget.value_from_datadict({"body": value}, {}, "body")  # ContentState → HTML
            clean_rich_text(html)  # the block's whitelist
            widget.format_value(html)  # HTML → ContentState, the form shown again
            best = min(best, time.process_time() - started)
        return best, 0, f"{len(html) / 1048576:.2f} MB of HTML saved and shown again"
    path = WORK / f"{shape}-{n}.md"
    path.write_text(notes(shape, n), encoding="utf-8")
    best, result = float("inf"), None
    for _ in range(repeat):
        importer = NotesImporter(dry_run=True, max_bytes=50 * 1024 * 1024)
        started = time.process_time()
        result = importer.import_path(path, name=path.name)
        best = min(best, time.process_time() - started)
    printed = sum(len(d.format(path.name)) + 1 for d in result.diagnostics.sorted())
    found = result.diagnostics
    first_error = found.errors[0].message[:60] if found.errors else ""
    return (
        best,
        printed,
        f"{found.warning_count} warnings, {found.error_count} errors {first_error}",
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", action="append", choices=sorted(BASE), help="default: all")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (the best counts)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every n")
    parser.add_argument(
        "--stock",
        action="store_true",
        help="Wagtail's stock ContentstateConverter (quadratic; the time before the fix)",
    )
    args = parser.parse_args(argv)

    WORK.mkdir(parents=True, exist_ok=True)
    SQLITE_PATH.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_core.settings.test")
    os.environ.setdefault("TEST_MEDIA_ROOT", str(ROOT / "var" / "bench-media"))
    import django

    django.setup()
    from django.core.management import call_command

    from wagtail.admin.rich_text import get_rich_text_editor_widget
    from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
    from wagtail.admin.rich_text.editors.draftail import DraftailRichTextArea

    from pages.blocks import PARAGRAPH_FEATURES
    from pages.notes import richtext
    from pages.notes.importer import NotesImporter

    print("Building the benchmark database…", file=sys.stderr, flush=True)
    call_command("migrate", verbosity=0)
    if args.stock:  # the import's sanitiser and the editor with the converter before the fix
        richtext._converter = functools.lru_cache(lambda features: ContentstateConverter(features))
        widget = DraftailRichTextArea(features=list(PARAGRAPH_FEATURES))
    else:
        widget = get_rich_text_editor_widget(features=list(PARAGRAPH_FEATURES))

    warm_up = WORK / "warm-up.md"  # imports, caches and the first queries, not measured
    warm_up.write_text(HEAD + "Some *text* with a [link](https://example.org/).\n")
    NotesImporter(dry_run=True).import_path(warm_up)
    widget.value_from_datadict({"body": contentstate(10)}, {}, "body")

    shapes = args.shape or list(BASE)
    converter = type(widget.converter).__name__
    print(f"\nHostile imports (dry run) and editor saves, {converter}, best of {args.repeat}")
    print(f"{'shape':10} {'n':>8} {'CPU s':>8} {'× n':>6} {'output':>8}  result")
    for shape in shapes:
        base = max(1, int(BASE[shape] * args.scale))
        first = None
        for factor in (1, 2, 4):
            n = base * factor
            print(f"  {shape} n={n}…", file=sys.stderr, flush=True)
            seconds, printed, summary = measure(shape, n, args.repeat, widget)
            first = first or max(seconds, 1e-6)
            ratio = seconds / first
            print(
                f"{shape:10} {n:>8} {seconds:>8.2f} {ratio:>6.1f} {printed:>8}  {summary}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
