"""Drawing share cards and naming their files (see the package docstring)."""

import hashlib
import io
import json
from dataclasses import asdict, dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
#: Bump when the drawing changes: every card gets a new digest, so a new URL and file.
CARD_DESIGN = 1
FOLDER = "share-cards"

# The site's identity (static/css/site.css, light scheme): deep teal, paper, amber.
TEAL = (13, 92, 99)  # --brand  #0d5c63
TEAL_DARK = (10, 79, 85)  # --brand-strong  #0a4f55
PAPER = (255, 255, 255)
MIST = (207, 232, 229)  # secondary text on teal: 5.0:1
AMBER = (232, 163, 61)  # --highlight  #e8a33d


@dataclass(frozen=True)
class Card:
    """What a card says: the title, a line above it and a line below it."""

    title: str
    kicker: str = ""  # e.g. "Fernhollow PyDays 2025 · 17 to 19 September 2025"
    byline: str = ""  # e.g. "Notes on the talk by Ada Person and Bo Other"

    def alt_text(self) -> str:
        return ". ".join(part for part in (self.title, self.kicker, self.byline) if part)


def digest(card: Card) -> str:
    """A short hash of the card's text and design: part of the card's URL and file name."""
    data = json.dumps([CARD_DESIGN, asdict(card)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def card_path(page_id: int, card: Card) -> str:
    """The card's URL path (relative to the site); no query, no storage access."""
    return reverse("share_card", args=(page_id, digest(card)))


def storage_name(page_id: int, card_digest: str) -> str:
    return f"{FOLDER}/{page_id}/{card_digest}.png"


def _font(size: int) -> ImageFont.FreeTypeFont:
    # Pillow's own scalable font (Aileron, SIL Open Font Licence, shipped inside Pillow), so the
    # cards look the same on every server whatever fonts the system has.
    return ImageFont.load_default(size=size)


def _wrap(draw, text: str, size: int, width: int, max_lines: int) -> list[str]:
    """``text`` in lines no wider than ``width`` pixels at ``size``, at most ``max_lines``
    (the last one ends in "…" when text was left out)."""
    font = _font(size)
    words = text.split()
    lines: list[str] = []
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and draw.textlength(f"{line} {words[0]}", font=font) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words or (lines and draw.textlength(lines[-1], font=font) > width):
        last = lines[-1]
        while last and draw.textlength(last + "…", font=font) > width:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
    return lines


def _title_lines(draw, title: str, width: int) -> tuple[int, list[str]]:
    """The largest size (72 down to 44 px) at which the title fits in three lines."""
    for size in (72, 64, 56, 50):
        lines = _wrap(draw, title, size, width, 3)
        if not lines[-1].endswith("…"):
            return size, lines
    return 44, _wrap(draw, title, 44, width, 4)


def draw_mark(draw, x: int, y: int, size: int) -> None:
    """The logo mark (static/logo.svg): a teal note with a folded corner, three lines, amber dot."""
    s = size / 32
    draw.rounded_rectangle((x, y, x + 32 * s, y + 32 * s), radius=6 * s, fill=PAPER, outline=None)
    for top, length in ((10, 14), (16, 14), (22, 8)):
        draw.rounded_rectangle(
            (x + 7 * s, y + (top - 1.5) * s, x + (7 + length) * s, y + (top + 1.5) * s),
            radius=1.5 * s,
            fill=TEAL,
        )
    draw.ellipse((x + 19 * s, y + 19 * s, x + 26 * s, y + 26 * s), fill=AMBER)


def render(card: Card, site_name: str) -> bytes:
    """The card as PNG bytes (1200×630, RGB)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), TEAL)
    draw = ImageDraw.Draw(image)
    margin = 80
    text_width = WIDTH - 2 * margin
    # Identity: an amber band on the left, the mark and the site's name at the top.
    draw.rectangle((0, 0, 16, HEIGHT), fill=AMBER)
    draw.rectangle((0, HEIGHT - 90, WIDTH, HEIGHT), fill=TEAL_DARK)
    draw_mark(draw, margin, HEIGHT - 72, 54)
    draw.text((margin + 74, HEIGHT - 45), site_name, font=_font(34), fill=PAPER, anchor="lm")

    y = 70
    if card.kicker:
        for line in _wrap(draw, card.kicker, 32, text_width, 1):
            draw.text((margin, y), line, font=_font(32), fill=MIST)
            y += 56
    size, lines = _title_lines(draw, card.title, text_width)
    for line in lines:
        draw.text(
            (margin, y), line, font=_font(size), fill=PAPER, stroke_width=1, stroke_fill=PAPER
        )
        y += int(size * 1.2)
    if card.byline:
        y += 16
        for line in _wrap(draw, card.byline, 34, text_width, 2):
            if y > HEIGHT - 90 - 50:
                break
            draw.text((margin, y), line, font=_font(34), fill=MIST)
            y += 46
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def stored_card(page_id: int, card: Card, site_name: str) -> str:
    """The storage name of the page's current card, drawn and stored if it is not there yet;
    the page's other (older) cards are deleted then, so one file per page is kept."""
    name = storage_name(page_id, digest(card))
    if default_storage.exists(name):
        return name
    saved = default_storage.save(name, ContentFile(render(card, site_name)))
    folder = f"{FOLDER}/{page_id}"
    _directories, files = default_storage.listdir(folder)
    for file in files:
        old = f"{folder}/{file}"
        if old != saved:
            default_storage.delete(old)
    return saved


def delete_cards(sender, instance, **kwargs) -> None:
    """Delete every stored card of a page when the page is deleted (a ``post_delete`` receiver)."""
    folder = f"{FOLDER}/{instance.pk}"
    try:
        _directories, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for file in files:
        default_storage.delete(f"{folder}/{file}")


def connect() -> None:
    from django.db.models.signals import post_delete

    from wagtail.models import Page

    post_delete.connect(delete_cards, sender=Page, dispatch_uid="share-cards-delete")
