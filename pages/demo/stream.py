"""StreamField values for the demo: ``(block type, value)`` pairs made by small helpers."""


def h2(text: str) -> tuple:
    return ("heading", {"text": text, "level": "h2"})


def h3(text: str) -> tuple:
    return ("heading", {"text": text, "level": "h3"})


def h4(text: str) -> tuple:
    return ("heading", {"text": text, "level": "h4"})


def para(html: str) -> tuple:
    """Rich text in Wagtail's database format: <p>, <b>, <i>, <a href>, <ul>/<ol>/<li>, <code>."""
    return ("paragraph", html)


def quote(text: str, *, speaker: str = "", attribution: str = "", source_url: str = "") -> tuple:
    return (
        "quote",
        {"text": text, "speaker": speaker, "attribution": attribution, "source_url": source_url},
    )


def code(
    language: str,
    source: str,
    *,
    filename: str = "",
    highlight_lines: str = "",
    line_numbers: bool = False,
) -> tuple:
    return (
        "code",
        {
            "language": language,
            "code": source,
            "filename": filename,
            "highlight_lines": highlight_lines,
            "line_numbers": line_numbers,
        },
    )


def checklist(title: str, items: list[tuple[str, bool]]) -> tuple:
    return ("checklist", {"title": title, "items": [{"text": t, "done": d} for t, d in items]})


def figure(image: str, *, alt_text: str = "", caption: str = "", decorative: bool = False) -> tuple:
    return (
        "image",
        {"image": image, "alt_text": alt_text, "decorative": decorative, "caption": caption},
    )


def table(caption: str, columns: list[tuple[str, str]], rows: list[list]) -> tuple:
    """``columns`` are (type, heading) with type "text", "number" or "rich_text"."""
    return ("table", {"caption": caption, "columns": columns, "rows": rows})


def video(key: str, title: str) -> tuple:
    return ("video", {"video": key, "title": title})
