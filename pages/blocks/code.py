"""Code blocks' languages and their highlighting (Pygments, cached per process)."""

import re
from functools import lru_cache

from django.utils.safestring import mark_safe

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

#: (Pygments lexer alias, label shown to editors and screen readers)
CODE_LANGUAGES = [
    ("python", "Python"),
    ("html+django", "HTML / Django template"),
    ("javascript", "JavaScript"),
    ("typescript", "TypeScript"),
    ("bash", "Bash"),
    ("console", "Console session"),
    ("sql", "SQL"),
    ("yaml", "YAML"),
    ("toml", "TOML"),
    ("json", "JSON"),
    ("css", "CSS"),
    ("diff", "Diff"),
    ("text", "Plain text"),
]
CODE_LANGUAGE_LABELS = dict(CODE_LANGUAGES)

_LINE_SPEC = re.compile(r"^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$")


def parse_line_numbers(spec: str, line_count: int | None = None) -> list[int]:
    """Turn "2, 4-6" into [2, 4, 5, 6]; raise ValueError with a reason when it is wrong."""
    if not spec or not spec.strip():
        return []
    if not _LINE_SPEC.match(spec):
        raise ValueError("Use line numbers and ranges separated by commas, e.g. 2, 4-6.")
    lines: set[int] = set()
    for part in spec.split(","):
        start, _, end = part.strip().partition("-")
        first, last = int(start), int(end or start)
        if first < 1 or last < first:
            raise ValueError(f"“{part.strip()}” is not a valid range: lines start at 1.")
        if line_count is not None and last > line_count:
            raise ValueError(
                f"The code has only {line_count} lines; “{part.strip()}” is past the end."
            )
        lines.update(range(first, last + 1))
    return sorted(lines)


@lru_cache(maxsize=4096)
def render_code(
    code: str, language: str, highlight_spec: str = "", line_numbers: bool = False
) -> str:
    """Pygments HTML for ``code``; line numbers are hidden from screen readers.

    Highlighting is the slowest part of a talk page and a block's code rarely changes, so each
    process keeps the last few thousand results (keyed by every input: an edit shows at once).
    """
    try:
        lexer = get_lexer_by_name(language, stripnl=False, ensurenl=True)
    except Exception:  # an unknown lexer name must never break a page
        lexer = get_lexer_by_name("text")
    try:
        hl_lines = parse_line_numbers(highlight_spec)
    except ValueError:
        hl_lines = []
    html = highlight(code, lexer, HtmlFormatter(nowrap=True, hl_lines=hl_lines))
    if line_numbers:
        # Pygments closes its spans at each line end, so numbers can be put before each line;
        # they are hidden from screen readers and not selectable (CSS), so copying skips them.
        lines = html.split("\n")
        trailing = lines.pop() if lines and lines[-1] == "" else None
        width = len(str(len(lines)))
        lines = [
            f'<span class="linenos" aria-hidden="true">{n:>{width}}</span>{line}'
            for n, line in enumerate(lines, start=1)
        ]
        html = "\n".join(lines + ([trailing] if trailing is not None else []))
    return mark_safe(html)
