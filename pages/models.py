"""The page tree: HomePage → ConferenceIndex → DayPage → TalkPage."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Substr
from django.utils.functional import cached_property

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    HelpPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageViewRestriction
from wagtail.search import index

from .accessibility import EDITOR_HELP_HTML
from .admin_autosave import CreatedPage  # noqa: F401  (the model lives with its admin code)
from .blocks import BodyBlock
from .fragments import ContentVersion  # noqa: F401  (the model lives with its cache code)
from .rendering import anchored_blocks, prefetch_image_renditions, prepare_stream


def programme_order() -> tuple:
    """Talks of a day in programme order: by time (untimed talks last), then as in the tree."""
    return (F("start_time").asc(nulls_last=True), "path")


class BodyPageMixin(models.Model):
    """A page with a StreamField body whose headings get anchors and a table of contents."""

    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    class Meta:
        abstract = True

    @cached_property
    def anchored_body(self) -> list[tuple]:
        """[(bound block, anchor id or "", code block number or 0)] in order."""
        prepare_stream(self.body)
        return anchored_blocks(self.body)

    @cached_property
    def sorted_tags(self) -> list:
        """The page's tags by name, loaded once (the template and the JSON-LD share them)."""
        tags = getattr(self, "tags", None)
        return sorted(tags.all(), key=lambda tag: tag.name) if tags is not None else []

    @cached_property
    def breadcrumb_ancestors(self) -> list:
        """Ancestors below the site root, for breadcrumbs: the talk's conference and day come
        from the properties the page already loads, so the trail costs no extra query."""
        if isinstance(self, TalkPage):
            return [self.conference, self.day]
        if isinstance(self, DayPage):
            return [self.conference]
        return []  # a conference: Home is its only ancestor

    @cached_property
    def table_of_contents(self) -> list[dict]:
        return [
            {"id": anchor, "text": block.value["text"], "level": int(block.value["level"][1])}
            for block, anchor, _number in self.anchored_body
            if block.block_type == "heading"
        ]


class HomePage(Page):
    """The site's front page: a short welcome and every conference, newest first."""

    intro = models.TextField(blank=True, help_text="One or two sentences shown above the list.")

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["pages.ConferenceIndex"]
    max_count = 1

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    def route(self, request, path_components):
        """Find the page at the end of the path in two queries, not two per level of the tree.

        Wagtail walks the path one slug at a time (``get_children().get(slug=…)`` and
        ``.specific`` at every level: 8 queries for a talk). Every page's ``url_path`` is stored,
        so the page is looked up by it directly; that page then routes itself (live check,
        sub-routes). A path with no such page (a sub-route of an ancestor, or nothing) falls
        back to Wagtail's walk, which also gives the usual 404.
        """
        if path_components:
            url_path = self.url_path + "/".join(path_components) + "/"
            page = Page.objects.filter(url_path=url_path).only("id", "content_type").first()
            if page is not None:
                return page.specific.route(request, [])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["conferences"] = (
            ConferenceIndex.objects.child_of(self).live().public().order_by("-start_date", "title")
        )
        return context


class ConferenceTag(TaggedItemBase):
    content_object = ParentalKey(
        "pages.ConferenceIndex", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ConferenceIndex(BodyPageMixin, Page):
    """One edition of a conference, e.g. "DjangoCon Europe 2026". Its children are the days."""

    start_date = models.DateField()
    end_date = models.DateField()
    location = models.CharField(
        max_length=200, blank=True, help_text="City and venue, e.g. Lisbon, FIL"
    )
    website = models.URLField(blank=True)
    tags = ClusterTaggableManager(through=ConferenceTag, blank=True)

    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.DayPage"]

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")], heading="Dates"),
        FieldPanel("location"),
        FieldPanel("website"),
        HelpPanel(content=EDITOR_HELP_HTML, heading="Accessibility"),
        FieldPanel("body", heading="Introduction"),
        FieldPanel("tags"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("location"),
        index.SearchField("body"),
        index.FilterField("start_date"),
    ]
    api_fields = [
        APIField("start_date"),
        APIField("end_date"),
        APIField("location"),
        APIField("website"),
        APIField("tags"),
        APIField("body"),
    ]

    class Meta:
        verbose_name = "conference"

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The conference cannot end before it starts."})

    @cached_property
    def programme(self) -> list[tuple]:
        """[(day, [talk, …])] of live, public days and talks, in programme order; two queries
        (and one for the speakers), loaded when the template first asks."""
        days = list(DayPage.objects.child_of(self).live().public().order_by("day_number", "date"))
        talks = (
            TalkPage.objects.descendant_of(self)
            .live()
            .public()
            .prefetch_related("talk_speakers__speaker")
            .order_by(*programme_order())
        )
        talks_by_day: dict[str, list] = {}
        for talk in talks:
            talks_by_day.setdefault(talk.path[: -Page.steplen], []).append(talk)
        return [(day, talks_by_day.get(day.path, [])) for day in days]


class DayPage(BodyPageMixin, Page):
    """One day of a conference; its children are the talks of that day."""

    date = models.DateField()
    day_number = models.PositiveSmallIntegerField(default=1, help_text="1 for the first day.")

    parent_page_types = ["pages.ConferenceIndex"]
    subpage_types = ["pages.TalkPage"]

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("date"), FieldPanel("day_number")]),
        HelpPanel(content=EDITOR_HELP_HTML, heading="Accessibility"),
        FieldPanel("body", heading="Introduction"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    api_fields = [APIField("date"), APIField("day_number"), APIField("body")]

    class Meta:
        verbose_name = "day"

    @cached_property
    def conference(self) -> "ConferenceIndex":
        """The conference this day belongs to (its parent), without its body."""
        return ConferenceIndex.objects.defer_streamfields().get(path=self.path[: -Page.steplen])

    def clean(self):
        super().clean()
        if self.day_number is not None and self.day_number < 1:
            raise ValidationError({"day_number": "Days are numbered from 1."})

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["talks"] = (
            TalkPage.objects.child_of(self)
            .live()
            .public()
            .prefetch_related("talk_speakers__speaker")
            .order_by(*programme_order())
        )
        return context


class TalkTag(TaggedItemBase):
    content_object = ParentalKey(
        "pages.TalkPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class TalkSpeaker(Orderable):
    """A speaker of a talk, in the order they are credited."""

    page = ParentalKey("pages.TalkPage", on_delete=models.CASCADE, related_name="talk_speakers")
    speaker = models.ForeignKey(
        "snippets.Speaker", on_delete=models.CASCADE, related_name="talk_links"
    )

    panels = [FieldPanel("speaker")]
    api_fields = [APIField("speaker")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["page", "speaker"], name="unique_speaker_per_talk")
        ]

    def __str__(self) -> str:
        return str(self.speaker)


class TalkPage(BodyPageMixin, Page):
    """Notes from one talk: who gave it, when and where, a summary, and the notes themselves."""

    start_time = models.TimeField(null=True, blank=True)
    room = models.CharField(max_length=100, blank=True)
    slides_url = models.URLField("slides URL", blank=True)
    video_url = models.URLField("video URL", blank=True)
    summary = models.TextField(
        max_length=600,
        blank=True,
        help_text="One paragraph (plain text) shown in listings, feeds and search results.",
    )
    tags = ClusterTaggableManager(through=TalkTag, blank=True)
    #: " python sql " — languages of the body's code blocks, kept up to date on save (search facet).
    code_languages = models.CharField(max_length=255, blank=True, editable=False, default="")

    parent_page_types = ["pages.DayPage"]
    subpage_types: list[str] = []

    content_panels = [
        *Page.content_panels,
        InlinePanel("talk_speakers", heading="Speakers", label="Speaker"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_time"), FieldPanel("room")]),
                FieldRowPanel([FieldPanel("slides_url"), FieldPanel("video_url")]),
            ],
            heading="When, where, links",
        ),
        FieldPanel("summary"),
        HelpPanel(content=EDITOR_HELP_HTML, heading="Accessibility"),
        FieldPanel("body", heading="Notes"),
        FieldPanel("tags"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
        index.RelatedFields(
            "talk_speakers", [index.RelatedFields("speaker", [index.SearchField("name", boost=3)])]
        ),
        index.FilterField("start_time"),
        index.FilterField("code_languages"),
    ]
    api_fields = [
        APIField("talk_speakers"),
        APIField("start_time"),
        APIField("room"),
        APIField("slides_url"),
        APIField("video_url"),
        APIField("summary"),
        APIField("tags"),
        APIField("body"),
    ]

    class Meta:
        verbose_name = "talk"

    def save(self, *args, **kwargs):
        languages = sorted(
            {
                block.value.get("language")
                for block in self.body
                if block.block_type == "code" and block.value.get("language")
            }
        )
        self.code_languages = f" {' '.join(languages)} " if languages else ""
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if "\n\n" in (self.summary or "").strip():
            raise ValidationError(
                {"summary": "Keep the summary to one paragraph (no blank lines)."}
            )

    @cached_property
    def speakers(self) -> list:
        """Speakers in credited order, with their photos, in one query."""
        speakers = [
            link.speaker
            for link in self.talk_speakers.select_related("speaker__photo").order_by("sort_order")
        ]
        prefetch_image_renditions([speaker.photo for speaker in speakers])
        return speakers

    @cached_property
    def day(self) -> "DayPage":
        """The day this talk belongs to (its parent), without loading the day's body."""
        return DayPage.objects.defer_streamfields().get(path=self.path[: -Page.steplen])

    @cached_property
    def conference(self) -> "ConferenceIndex":
        """The conference this talk belongs to (its grandparent), without its body."""
        return ConferenceIndex.objects.defer_streamfields().get(path=self.path[: -2 * Page.steplen])

    @cached_property
    def previous_next(self) -> tuple:
        """(previous talk, next talk) in the conference's programme, across days, for the pager.

        Days are in order (day number, date), talks within a day in ``programme_order``; only
        live, public talks of live, public days count. One query however big the conference
        is: the conference's days and talks together, restrictions checked in SQL. The talks
        returned carry what the pager shows (title, URL, ``day.pk`` and ``day.title``).
        """
        steplen = Page.steplen
        conference_path = self.path[: -2 * steplen]
        ancestor_paths = [
            conference_path[:n] for n in range(steplen, len(conference_path) + 1, steplen)
        ]
        restricted = PageViewRestriction.objects.filter(
            Q(page__path__in=ancestor_paths)
            | Q(page_id=OuterRef("pk"))
            | Q(page__path=Substr(OuterRef("path"), 1, len(self.path) - steplen))
        )
        rows = (
            Page.objects.filter(
                path__startswith=conference_path, depth__in=(self.depth - 1, self.depth)
            )
            .live()
            .exclude(Exists(restricted))
            .values_list(
                "id",
                "path",
                "depth",
                "title",
                "url_path",
                "daypage__day_number",
                "daypage__date",
                "talkpage__start_time",
            )
        )
        days = {}  # path -> (sort key, the day as the pager shows it)
        talks = []
        for pk, path, depth, title, url_path, day_number, date, start_time in rows:
            if depth == self.depth - 1:
                days[path] = ((day_number, date, path), DayPage(id=pk, page_ptr_id=pk, title=title))
            else:
                talk = TalkPage(
                    id=pk,
                    page_ptr_id=pk,
                    path=path,
                    depth=depth,
                    title=title,
                    url_path=url_path,
                    start_time=start_time,
                )
                talks.append(talk)
        talks = [talk for talk in talks if talk.path[:-steplen] in days]
        talks.sort(
            key=lambda t: (
                days[t.path[:-steplen]][0],
                t.start_time is None,
                t.start_time or datetime.time.min,
                t.path,
            )
        )
        for talk in talks:
            talk.__dict__["day"] = days[talk.path[:-steplen]][1]
        position = next((n for n, talk in enumerate(talks) if talk.pk == self.pk), None)
        if position is None:
            return None, None
        previous_talk = talks[position - 1] if position > 0 else None
        next_talk = talks[position + 1] if position + 1 < len(talks) else None
        return previous_talk, next_talk


class AccessibilityFinding(models.Model):
    """A stored result of the accessibility audit, listed in the admin's Accessibility report.

    Rows are replaced for a page whenever it is audited: on every save or publish in the editor,
    and for every page by ``manage.py a11y_audit``.
    """

    SOURCE_LIVE = "live"
    SOURCE_DRAFT = "draft"
    SOURCE_CHOICES = [(SOURCE_LIVE, "Live page"), (SOURCE_DRAFT, "Latest draft")]

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    conference = models.ForeignKey(
        "pages.ConferenceIndex", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=5, choices=SOURCE_CHOICES)
    path = models.CharField("where", max_length=255)
    rule = models.CharField(max_length=40, db_index=True)
    message = models.TextField()
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["page__path", "source", "path"]
        verbose_name = "accessibility finding"

    def __str__(self) -> str:
        return f"{self.page_id} {self.path}: {self.rule}"
