"""Every block an editor can put in a page body, and the one body StreamBlock they share.

Code highlighting is in ``code``, image sources in ``pictures``, heading anchors in
``rendering``, rich-text cleaning in ``sanitise``. Migrations refer to these classes as
``pages.blocks.<Name>`` (``DECONSTRUCT_ALIASES`` below keeps that path).

Each block has an icon, a template under ``templates/blocks/``, a description and a
preview value, so the admin's block picker shows what the block looks like.
"""

import logging
import re
from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail import blocks
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.typed_table_block.blocks import TypedTableBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock
from wagtail.images.models import SourceImageIOError
from wagtail.rich_text import RichText
from wagtail.snippets.blocks import SnippetChooserBlock

from pages.accessibility.rules import (
    alt_text_problems,
    code_language_problems,
    heading_level,
    heading_problems,
    heading_tag,
    is_error,
    link_text_problems,
)

from .code import CODE_LANGUAGE_LABELS, CODE_LANGUAGES, parse_line_numbers, render_code
from .pictures import picture_data
from .rendering import heading_anchor
from .sanitise import clean_rich_text

logger = logging.getLogger(__name__)

try:  # S3 media (site_core.storage): refused, silent or failing requests
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # pragma: no cover
    MEDIA_STORAGE_ERRORS: tuple[type[BaseException], ...] = ()
else:
    MEDIA_STORAGE_ERRORS = (BotoCoreError, ClientError, Boto3Error)

#: Features of paragraph rich text: inline formatting, links and lists. Headings are
#: blocks of their own so that the heading hierarchy can be checked and anchored.
PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul", "code"]
INLINE_FEATURES = ["bold", "italic", "link", "code"]

HEADING_LEVELS = [("h2", "Level 2 (section)"), ("h3", "Level 3"), ("h4", "Level 4")]


class HeadingBlock(blocks.StructBlock):
    """A section heading. The page title is the only h1; body headings start at h2."""

    text = blocks.CharBlock(
        max_length=120, help_text="Short and descriptive; it also appears in the table of contents."
    )
    level = blocks.ChoiceBlock(
        choices=HEADING_LEVELS,
        default="h2",
        required=True,
        search_index=False,
        help_text="Start with level 2; go one level deeper at a time.",
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        # Never the stored string itself: a level stored past the form ("h7 onmouseover=x")
        # renders as h2, and the audit reports it (heading-level-unknown).
        context["tag"] = heading_tag(value.get("level"))
        # The page gives de-duplicated ids through `anchor_id`; alone, the block uses its text.
        context.setdefault("anchor_id", heading_anchor(value["text"]))
        if not context.get("anchor_id"):
            context["anchor_id"] = heading_anchor(value["text"])
        return context

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        description = (
            "A section heading (level 2 to 4) with a link anchor, listed in the table of contents."
        )
        preview_value = {"text": "What we learned", "level": "h2"}
        form_classname = "heading-block"


class CleanRichTextBlock(blocks.RichTextBlock):
    """Rich text whose source is whitelisted whenever it is loaded (``pages.blocks.sanitise``)."""

    def to_python(self, value):
        return super().to_python(clean_rich_text(value or ""))

    def normalize(self, value):
        value = super().normalize(value)
        return RichText(clean_rich_text(value.source or ""))


class ParagraphBlock(CleanRichTextBlock):
    """Running text: bold, italic, links, lists, inline code. No headings: use a heading block."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", PARAGRAPH_FEATURES)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not self.is_deferred_validation:
            problems = [(r, m) for r, m in link_text_problems(value.source) if is_error(r)]
            if problems:
                raise ValidationError([message for _rule, message in problems])
        return value

    class Meta:
        icon = "pilcrow"
        template = "blocks/paragraph_block.html"
        description = "Text with bold, italic, links, lists and inline code."
        preview_value = (
            "<p>The speaker opened with a <b>live demo</b> and the phrase <code>it works on my "
            "machine</code>, then showed how to make it work on everyone's.</p>"
        )


class QuoteBlock(blocks.StructBlock):
    """Something a speaker said, with who said it and where it was said or written."""

    text = blocks.TextBlock(help_text="The words quoted, without quotation marks.")
    attribution = blocks.CharBlock(
        required=False, max_length=200, help_text="Who said it, if not (only) a speaker below."
    )
    speaker = SnippetChooserBlock("snippets.Speaker", required=False)
    source_url = blocks.URLBlock(required=False, label="Source URL", search_index=False)

    def clean(self, value):
        value = super().clean(value)
        if value.get("source_url") and not (value.get("attribution") or value.get("speaker")):
            raise StructBlockValidationError(
                block_errors={
                    "attribution": ValidationError("A source needs an attribution or a speaker.")
                }
            )
        return value

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        description = "A quotation with its attribution and an optional source link."
        preview_value = {
            "text": "Make the right thing the easy thing, and people will do it.",
            "attribution": "A keynote speaker",
        }


class CodeTextBlock(blocks.TextBlock):
    """The code itself, kept as written: a form's ``CharField`` strips both ends, which took the
    indentation of a snippet's first line (Python then reads differently) and trailing spaces."""

    @cached_property
    def field(self):
        field = blocks.TextBlock.field.real_func(self)
        field.strip = False
        return field


class CodeBlock(blocks.StructBlock):
    """Source code, highlighted on the server. The language names the region for screen readers."""

    language = blocks.ChoiceBlock(
        choices=CODE_LANGUAGES, default="python", required=True, search_index=False
    )
    code = CodeTextBlock(help_text="Paste the code as is; indentation is kept.")
    filename = blocks.CharBlock(
        required=False, max_length=200, help_text="Optional caption, e.g. settings.py"
    )
    highlight_lines = blocks.CharBlock(
        required=False,
        max_length=100,
        help_text="Lines to emphasise, e.g. 2, 4-6",
        search_index=False,
    )
    line_numbers = blocks.BooleanBlock(required=False, default=False, help_text="Show line numbers")

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        language_problems = code_language_problems(value.get("language"))
        if language_problems:
            errors["language"] = ValidationError(language_problems[0][1])
        elif value.get("language") not in CODE_LANGUAGE_LABELS:
            errors["language"] = ValidationError("Choose one of the listed languages.")
        code = value.get("code") or ""
        try:
            parse_line_numbers(value.get("highlight_lines") or "", len(code.splitlines()))
        except ValueError as e:
            errors["highlight_lines"] = ValidationError(str(e))
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        language = value.get("language") or "text"
        label = CODE_LANGUAGE_LABELS.get(language, "Plain text")
        context["language_label"] = label
        # Regions need distinct names on a page: the page numbers its code blocks.
        number = context.get("code_number")
        prefix = f"Code example {number}: " if number else ""
        filename = value.get("filename") or ""
        if prefix:
            context["region_label"] = f"{prefix}{label}" + (f", {filename}" if filename else "")
        else:
            context["region_label"] = f"{label} code" + (f": {filename}" if filename else "")
        context["highlighted"] = render_code(
            value.get("code") or "",
            language,
            value.get("highlight_lines") or "",
            bool(value.get("line_numbers")),
        )
        return context

    class Meta:
        icon = "code"
        template = "blocks/code_block.html"
        description = "Code with syntax highlighting, an optional file name and highlighted lines."
        preview_value = {
            "language": "python",
            "code": 'def greet(name):\n    return f"Hello, {name}!"\n',
            "filename": "greet.py",
            "highlight_lines": "2",
        }


class ChecklistItemBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=300)
    done = blocks.BooleanBlock(required=False, default=False)

    class Meta:
        icon = "tick"
        label = "Item"


class ChecklistBlock(blocks.StructBlock):
    """A to-do list from a talk: each item says in words whether it is done."""

    title = blocks.CharBlock(required=False, max_length=120)
    items = blocks.ListBlock(ChecklistItemBlock(), min_num=1)

    class Meta:
        icon = "list-ul"
        template = "blocks/checklist_block.html"
        description = "A list of items marked done or not done, e.g. things to try after the talk."
        preview_value = {
            "title": "Try at home",
            "items": [
                {"text": "Turn on query logging in development", "done": True},
                {"text": "Add a query-count test to the slowest page", "done": False},
            ],
        }


class AccessibleImageBlock(ImageBlock):
    """Wagtail's ImageBlock (alt text or decorative) with Confnotes' alt text rules on publish."""

    def clean(self, value):
        value = super().clean(value)
        if value is not None and not self.is_deferred_validation and not value.decorative:
            problems = [
                (r, m) for r, m in alt_text_problems(value.contextual_alt_text or "") if is_error(r)
            ]
            if problems:
                raise StructBlockValidationError(
                    block_errors={
                        "alt_text": ValidationError([message for _rule, message in problems])
                    }
                )
        return value


class FigureBlock(blocks.StructBlock):
    """An image with alt text (or marked decorative) and an optional caption.

    Alt text that repeats the caption is a warning (``image-alt-repeats-caption``): the audit and
    the report list it, publishing does not refuse it.
    """

    image = AccessibleImageBlock(
        help_text="Describe what the image shows for someone who cannot see it, or mark it "
        "decorative if it adds nothing to the text."
    )
    caption = blocks.CharBlock(
        required=False,
        max_length=250,
        help_text="Optional; shown under the image. Do not repeat the alt text.",
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        image = value.get("image")
        context["picture"] = None
        if image is not None:
            try:
                context["picture"] = picture_data(image)
            except (SourceImageIOError, *MEDIA_STORAGE_ERRORS):
                # The original file is gone (or storage is down): the page still renders.
                logger.warning("Image %s has no readable file; not shown on the page", image.pk)
        return context

    def get_preview_value(self):
        """The admin's block picker shows the newest image with sample alt text, if there is one."""
        from wagtail.images import get_image_model

        image = get_image_model().objects.order_by("-created_at").first()
        if image is None:
            return None
        return self.to_python(
            {
                "image": {"image": image.pk, "decorative": False, "alt_text": "Example alt text"},
                "caption": "A caption says why the image is there.",
            }
        )

    class Meta:
        icon = "image"
        template = "blocks/figure_block.html"
        description = "An image with alt text, or marked decorative, and an optional caption."
        label = "Image"


class TableBlock(TypedTableBlock):
    """A table with typed columns: text, numbers or rich text."""

    def __init__(self, **kwargs):
        super().__init__(
            [
                ("text", blocks.CharBlock()),
                ("number", blocks.DecimalBlock()),
                ("rich_text", CleanRichTextBlock(features=INLINE_FEATURES)),
            ],
            **kwargs,
        )

    class Meta:
        icon = "table"
        template = "blocks/table_block.html"
        description = "A table with a caption and column headings."
        preview_value = {
            "caption": "Queries per page",
            "columns": [
                {"type": "text", "heading": "Page"},
                {"type": "number", "heading": "Before"},
                {"type": "number", "heading": "After"},
            ],
            "rows": [{"values": ["Programme", "214", "6"]}, {"values": ["Speaker", "48", "4"]}],
        }


class VideoBlock(blocks.StructBlock):
    """A recording of the talk (YouTube, Vimeo, …) embedded in the page."""

    url = EmbedBlock(
        label="Video URL", help_text="Link to the video page, e.g. on YouTube or Vimeo."
    )
    title = blocks.CharBlock(
        max_length=150,
        help_text="What the video is, e.g. 'Recording of the talk'. Screen readers announce it.",
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        embed = value.get("url")
        html = ""
        if embed is not None:
            html = str(getattr(embed, "html", "") or "")
            # Give the frame an accessible name when the provider did not.
            if "<iframe" in html and not re.search(r"<iframe[^>]*\stitle=", html):
                html = html.replace("<iframe", f'<iframe title="{escape(value["title"])}"', 1)
        context["embed_html"] = mark_safe(html)
        return context

    def get_preview_value(self):
        """A video already in the embed cache (previews must not fetch from the network)."""
        from wagtail.embeds.models import Embed

        embed = Embed.objects.filter(type="video").order_by("-last_updated").first()
        url = embed.url if embed else "https://video.example.org/watch?v=preview"
        return self.to_python({"url": url, "title": "Recording of the talk"})

    class Meta:
        icon = "media"
        template = "blocks/video_block.html"
        description = "An embedded video with a title and a plain link for when it cannot load."


class BodyBlock(blocks.StreamBlock):
    """The body of every page: conference intro, day intro and talk notes.

    On publish, the heading blocks together must form a hierarchy without skipped levels; the
    error is pinned to the level field of the offending heading. Drafts may break the rule.
    """

    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    quote = QuoteBlock()
    code = CodeBlock()
    checklist = ChecklistBlock()
    image = FigureBlock()
    table = TableBlock()
    video = VideoBlock()

    def clean(self, value):
        block_errors: dict = {}
        non_block_errors = None
        try:
            cleaned = super().clean(value)
        except StreamBlockValidationError as error:
            block_errors.update(error.block_errors)
            non_block_errors = error.non_block_errors
            cleaned = value
        if not self.is_deferred_validation:
            headings = [
                (index, child.value)
                for index, child in enumerate(value)
                if child.block_type == "heading"
            ]
            levels = [(heading_level(v.get("level")), v.get("text") or "") for _, v in headings]
            for position, rule, message in heading_problems(levels):
                index = headings[position][0]
                field = "text" if rule == "heading-empty" else "level"
                if index not in block_errors:
                    block_errors[index] = StructBlockValidationError(
                        block_errors={field: ValidationError(message)}
                    )
        if block_errors or non_block_errors:
            raise StreamBlockValidationError(
                block_errors=block_errors, non_block_errors=non_block_errors
            )
        return cleaned


#: Migrations name these blocks ``pages.blocks.<Name>`` (where they were defined before the
#: package was split): Wagtail's deconstruct() uses these paths, so no migration changes.
DECONSTRUCT_ALIASES = {
    HeadingBlock: "pages.blocks.HeadingBlock",
    CleanRichTextBlock: "pages.blocks.CleanRichTextBlock",
    ParagraphBlock: "pages.blocks.ParagraphBlock",
    QuoteBlock: "pages.blocks.QuoteBlock",
    CodeBlock: "pages.blocks.CodeBlock",
    CodeTextBlock: "pages.blocks.CodeTextBlock",
    ChecklistItemBlock: "pages.blocks.ChecklistItemBlock",
    ChecklistBlock: "pages.blocks.ChecklistBlock",
    AccessibleImageBlock: "pages.blocks.AccessibleImageBlock",
    FigureBlock: "pages.blocks.FigureBlock",
    TableBlock: "pages.blocks.TableBlock",
    VideoBlock: "pages.blocks.VideoBlock",
    BodyBlock: "pages.blocks.BodyBlock",
}
