"""Page bodies: the blocks (``body``), code highlighting (``code``), image sources
(``pictures``), query-free rendering (``rendering``), rich-text cleaning (``sanitise``) and the
editor's rich text converter in linear time (``richtext_converter``).

Everything is importable from ``pages.blocks`` as before the split: migrations refer to
``pages.blocks.<Block>``.
"""

from .body import (
    HEADING_LEVELS,
    INLINE_FEATURES,
    MEDIA_STORAGE_ERRORS,
    PARAGRAPH_FEATURES,
    AccessibleImageBlock,
    BodyBlock,
    ChecklistBlock,
    ChecklistItemBlock,
    CleanRichTextBlock,
    CodeBlock,
    CodeTextBlock,
    FigureBlock,
    HeadingBlock,
    ParagraphBlock,
    QuoteBlock,
    TableBlock,
    VideoBlock,
)
from .code import CODE_LANGUAGE_LABELS, CODE_LANGUAGES, parse_line_numbers, render_code
from .pictures import (
    IMAGE_SIZES,
    IMAGE_WIDTHS,
    forget_picture_sources,
    has_picture_sources,
    picture_data,
    picture_sources,
)
from .rendering import heading_anchor

__all__ = [
    "CODE_LANGUAGES",
    "CODE_LANGUAGE_LABELS",
    "HEADING_LEVELS",
    "IMAGE_SIZES",
    "IMAGE_WIDTHS",
    "INLINE_FEATURES",
    "MEDIA_STORAGE_ERRORS",
    "PARAGRAPH_FEATURES",
    "AccessibleImageBlock",
    "BodyBlock",
    "ChecklistBlock",
    "ChecklistItemBlock",
    "CleanRichTextBlock",
    "CodeBlock",
    "CodeTextBlock",
    "FigureBlock",
    "HeadingBlock",
    "ParagraphBlock",
    "QuoteBlock",
    "TableBlock",
    "VideoBlock",
    "forget_picture_sources",
    "has_picture_sources",
    "heading_anchor",
    "parse_line_numbers",
    "picture_data",
    "picture_sources",
    "render_code",
]
