"""Small illustrations for the demo content, drawn with Pillow so nothing is downloaded.

Every function returns PNG bytes. The drawings are deterministic: the same call gives the
same picture, so a rebuilt demo looks the same as the first one.
"""

import io
import math

from PIL import Image, ImageDraw, ImageFont

INK = (31, 41, 55)
PAPER = (250, 250, 247)
MUTED = (107, 114, 128)
RED = (190, 56, 56)
GREEN = (30, 120, 80)
BLUE = (37, 99, 176)
TEAL = (16, 118, 122)
AMBER = (180, 110, 20)


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        return ImageFont.load_default(size=size)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _box(draw: ImageDraw.ImageDraw, xy, label: str, colour, size: int = 20, fill=None) -> None:
    """A rounded box with centred (possibly multi-line) text."""
    draw.rounded_rectangle(xy, radius=12, outline=colour, width=3, fill=fill or PAPER)
    x0, y0, x1, y1 = xy
    draw.multiline_text(
        ((x0 + x1) / 2, (y0 + y1) / 2),
        label,
        font=_font(size),
        fill=INK,
        anchor="mm",
        align="center",
        spacing=4,
    )


def _arrow(draw: ImageDraw.ImageDraw, start, end, colour, width: int = 3) -> None:
    draw.line([start, end], fill=colour, width=width)
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    head = 12
    left = (
        end[0] - head * math.cos(angle - math.pi / 7),
        end[1] - head * math.sin(angle - math.pi / 7),
    )
    right = (
        end[0] - head * math.cos(angle + math.pi / 7),
        end[1] - head * math.sin(angle + math.pi / 7),
    )
    draw.polygon([end, left, right], fill=colour)


def n_plus_one_diagram() -> bytes:
    """Two panels: a view making one query per talk, and the same view with one joined query."""
    image = Image.new("RGB", (800, 450), PAPER)
    draw = ImageDraw.Draw(image)
    title = _font(24, bold=True)
    draw.text((200, 30), "Before: 1 + N queries", font=title, fill=RED, anchor="mm")
    draw.text((600, 30), "After: 1 query", font=title, fill=GREEN, anchor="mm")
    draw.line([(400, 15), (400, 435)], fill=MUTED, width=2)

    _box(draw, (90, 60, 310, 120), "Talk list view", INK)
    draw.line([(110, 120), (110, 140), (28, 140), (28, 369)], fill=BLUE, width=2)
    for i in range(4):
        y = 160 + i * 62
        _box(draw, (50, y, 180, y + 46), f"talk {i + 1}", BLUE, size=18)
        _box(draw, (240, y, 370, y + 46), "SELECT\nspeaker", RED, size=15)
        _arrow(draw, (180, y + 23), (238, y + 23), RED)
        _arrow(draw, (28, y + 23), (48, y + 23), BLUE, width=2)
    draw.text(
        (200, 425),
        "…and one more query for every further talk",
        font=_font(15),
        fill=MUTED,
        anchor="mm",
    )

    _box(draw, (490, 60, 710, 120), "Talk list view", INK)
    _box(
        draw,
        (450, 190, 750, 290),
        "SELECT talk.*, speaker.*\nFROM talk JOIN speaker",
        GREEN,
        size=18,
    )
    _arrow(draw, (600, 120), (600, 188), GREEN)
    _box(draw, (470, 330, 730, 390), "all talks, speakers loaded", BLUE, size=17)
    _arrow(draw, (600, 290), (600, 328), BLUE)
    return _png(image)


def caching_layers_diagram() -> bytes:
    """Browser → CDN → Django → database, with what each layer can cache."""
    image = Image.new("RGB", (800, 450), PAPER)
    draw = ImageDraw.Draw(image)
    draw.text(
        (400, 32),
        "Where a response can be cached",
        font=_font(26, bold=True),
        fill=INK,
        anchor="mm",
    )
    layers = [
        ("Browser", "Cache-Control:\nmax-age", BLUE),
        ("CDN", "s-maxage,\nstale-while-\nrevalidate", TEAL),
        ("Django", "cache_page,\n{% cache %}\nfragments", AMBER),
        ("Database", "query results\n(low-level\ncache API)", RED),
    ]
    for i, (name, note, colour) in enumerate(layers):
        x0 = 30 + i * 195
        _box(draw, (x0, 90, x0 + 160, 170), name, colour, size=22)
        _box(draw, (x0, 220, x0 + 160, 340), note, colour, size=16, fill=(255, 255, 255))
        draw.line([(x0 + 80, 170), (x0 + 80, 220)], fill=colour, width=2)
        if i < len(layers) - 1:
            _arrow(draw, (x0 + 162, 130), (x0 + 193, 130), INK)
    draw.text(
        (400, 395),
        "A request stops at the first layer that has a fresh copy.",
        font=_font(18),
        fill=MUTED,
        anchor="mm",
    )
    return _png(image)


def layout_shift_diagram() -> bytes:
    """Two phone-sized page mock-ups: content pushed down by a late banner, and a reserved slot."""
    image = Image.new("RGB", (800, 450), PAPER)
    draw = ImageDraw.Draw(image)
    head = _font(22, bold=True)
    draw.text((200, 28), "Banner loads late: text jumps", font=head, fill=RED, anchor="mm")
    draw.text((600, 28), "Space reserved: nothing moves", font=head, fill=GREEN, anchor="mm")
    for x0, reserved in ((90, False), (490, True)):
        draw.rounded_rectangle(
            (x0, 55, x0 + 220, 430), radius=18, outline=INK, width=3, fill=(255, 255, 255)
        )
        draw.rectangle((x0 + 15, 75, x0 + 205, 100), fill=(226, 232, 240))
        top = 115
        if reserved:
            draw.rectangle(
                (x0 + 15, top, x0 + 205, top + 90), outline=GREEN, width=2, fill=(220, 240, 228)
            )
            draw.text((x0 + 110, top + 45), "banner slot", font=_font(16), fill=GREEN, anchor="mm")
            text_top = top + 105
        else:
            draw.rectangle(
                (x0 + 15, top, x0 + 205, top + 90), outline=RED, width=2, fill=(250, 226, 226)
            )
            draw.text((x0 + 110, top + 45), "late banner", font=_font(16), fill=RED, anchor="mm")
            text_top = top + 105
            _arrow(draw, (x0 + 235, 140), (x0 + 235, 230), RED, width=4)
            draw.text((x0 + 250, 185), "shift", font=_font(16), fill=RED, anchor="lm")
        for line in range(7):
            y = text_top + line * 24
            width = 190 if line % 3 != 2 else 120
            draw.rectangle((x0 + 15, y, x0 + 15 + width, y + 10), fill=(148, 163, 184))
    return _png(image)


def index_scan_chart() -> bytes:
    """Bar chart: query time for the same lookup with no index, a B-tree and a partial index."""
    image = Image.new("RGB", (800, 450), PAPER)
    draw = ImageDraw.Draw(image)
    draw.text(
        (400, 30),
        "Median time of one lookup (ms, lower is better)",
        font=_font(22, bold=True),
        fill=INK,
        anchor="mm",
    )
    bars = [
        ("Sequential scan", 182.0, RED),
        ("B-tree index", 1.9, BLUE),
        ("Partial index", 0.6, GREEN),
    ]
    base_y, left, scale = 380, 230, 440 / 182.0
    draw.line([(left, 70), (left, base_y)], fill=INK, width=2)
    for i, (label, value, colour) in enumerate(bars):
        y = 100 + i * 95
        length = max(6, value * scale)
        draw.rectangle((left, y, left + length, y + 50), fill=colour)
        draw.text((left - 12, y + 25), label, font=_font(19), fill=INK, anchor="rm")
        draw.text(
            (left + length + 10, y + 25),
            f"{value:g} ms",
            font=_font(19, bold=True),
            fill=INK,
            anchor="lm",
        )
    draw.text(
        (400, 420),
        "Table of 2 million rows; 3% of them match the condition.",
        font=_font(16),
        fill=MUTED,
        anchor="mm",
    )
    return _png(image)


def wave_strip(hue_a=(16, 118, 122), hue_b=(37, 99, 176), seed: int = 0) -> bytes:
    """A purely decorative band: a horizontal gradient with soft waves."""
    width, height = 1200, 160
    image = Image.new("RGB", (width, height))
    pixels = image.load()
    for x in range(width):
        t = x / (width - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(hue_a, hue_b, strict=True))
        for y in range(height):
            pixels[x, y] = colour
    draw = ImageDraw.Draw(image, "RGBA")
    for band in range(4):
        points = []
        for x in range(0, width + 20, 20):
            y = 40 + band * 30 + 14 * math.sin((x / 90.0) + band * 1.3 + seed)
            points.append((x, y))
        draw.line(points, fill=(255, 255, 255, 70 - band * 12), width=6, joint="curve")
    return _png(image)


def avatar(
    background,
    skin,
    hair,
    shirt,
    *,
    glasses: bool = False,
    long_hair: bool = False,
    initials: str = "",
) -> bytes:
    """A friendly head-and-shoulders illustration on a coloured circle (400×400)."""
    size = 400
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    # Shoulders, then hair behind the head, then the face.
    draw.pieslice((70, 250, 330, 520), 180, 360, fill=shirt)
    if long_hair:
        draw.rounded_rectangle((118, 110, 282, 300), radius=60, fill=hair)
    draw.ellipse((130, 100, 270, 260), fill=skin)
    draw.chord((125, 90, 275, 210), 180, 360, fill=hair)
    draw.ellipse((165, 170, 181, 186), fill=INK)
    draw.ellipse((219, 170, 235, 186), fill=INK)
    draw.arc((172, 190, 228, 230), 20, 160, fill=INK, width=4)
    if glasses:
        draw.ellipse((153, 160, 193, 198), outline=INK, width=4)
        draw.ellipse((207, 160, 247, 198), outline=INK, width=4)
        draw.line([(193, 178), (207, 178)], fill=INK, width=4)
    if initials:
        draw.text(
            (200, 330), initials, font=_font(34, bold=True), fill=(255, 255, 255), anchor="mm"
        )
    # Crop the picture to a circle on a light background.
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).ellipse((10, 10, size - 10, size - 10), fill=255)
    framed = Image.new("RGB", (size, size), PAPER)
    framed.paste(image, (0, 0), mask)
    return _png(framed)
