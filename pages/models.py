"""The page tree: HomePage → ConferenceIndex → DayPage → TalkPage."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import dateformat
from django.utils.functional import cached_property
from django.utils.text import Truncator

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

from .accessibility.rules import EDITOR_HELP_HTML, describe_path, heading_level, severity
from .blocks import BodyBlock
from .blocks.rendering import anchored_blocks, prefetch_image_renditions, prepare_stream
from .editors.autosave import CreatedPage  # noqa: F401  (the model lives with its admin code)
from .fragments import ContentScope, ContentVersion  # noqa: F401  (the models live with their cache code)
from .lookups import has_no_view_restrictions, page_at
from .outline import Outline, conference_outline
from .sharing.cards import Card
from .stored_parts import StoredParts, serve_with_parts, stored_value  # noqa: F401
from .summaries import derive_summary
from .tree import (
    parent_path,
    programme_order,
)

#: Meta descriptions and previews are cut to this many characters.
DESCRIPTION_LENGTH = 300


def page_description(page, fallback: str) -> str:
    """The page's search description, else ``fallback``, as one line of plain text."""
    text = page.search_description or fallback or ""
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_LENGTH)


def date_range_text(start, end) -> str:
    """ "17 September 2025", or "17 September 2025 to 19 September 2025"."""
    if not start:
        return ""
    text = dateformat.format(start, "j F Y")
    if end and end != start:
        text += " to " + dateformat.format(end, "j F Y")
    return text


class BodyPageMixin(models.Model):
    """A page with a StreamField body whose headings get anchors and a table of contents."""

    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    class Meta:
        abstract = True

    def publish(
        self,
        revision,
        user=None,
        changed=True,
        log_action=True,
        previous_revision=None,
        skip_permission_checks=False,
    ):
        """Wagtail's ``Page.publish`` through the accessibility gate
        (``pages.accessibility.publishing``): ``Revision.publish()`` lands here, so the create form, bulk publishing, workflow
        approval, scheduled publishing, imports and code all refuse a revision that breaks an
        error-level rule (``PublishRefused``), leaving the live page as it was."""
        from .accessibility.publishing import AccessiblePublishPageRevisionAction

        return AccessiblePublishPageRevisionAction(
            revision,
            user=user,
            changed=changed,
            log_action=log_action,
            previous_revision=previous_revision,
        ).execute(skip_permission_checks=skip_permission_checks)

    #: Whether publishing renders its stored parts (``pages.stored_parts``): only pages whose
    #: template has ``{% stored_part %}`` (talks).
    stores_parts = False

    def serve(self, request, *args, **kwargs):
        """Wagtail's, reading the page's stored parts once and writing what it had to render."""
        return serve_with_parts(self, request, super().serve(request, *args, **kwargs))

    def copy(
        self,
        recursive=False,
        to=None,
        update_attrs=None,
        copy_revisions=True,
        keep_live=True,
        **kwargs,
    ):
        """Wagtail's ``Page.copy``; a copy that keeps pages live is refused when a live page it
        would publish breaks an error-level rule
        (``pages.accessibility.publishing.check_can_copy_live``)."""
        if keep_live:
            from .accessibility.publishing import check_can_copy_live

            check_can_copy_live(self, recursive=recursive)
        return super().copy(
            recursive=recursive,
            to=to,
            update_attrs=update_attrs,
            copy_revisions=copy_revisions,
            keep_live=keep_live,
            **kwargs,
        )

    def get_view_restrictions(self):
        """Wagtail's, without its two queries when no restriction can apply (pages.lookups)."""
        if has_no_view_restrictions(self):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

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
        """Ancestors below the site root, for breadcrumbs (days and talks add theirs from the
        properties the page already loads, so the trail costs no extra query)."""
        return []  # a conference: Home is its only ancestor

    @cached_property
    def table_of_contents(self) -> list[dict]:
        return [
            {
                "id": anchor,
                "text": block.value["text"],
                "level": heading_level(block.value["level"]) or 2,
            }
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

    #: Publishing it purges only the page itself and the site-wide listings (the front cache).
    purges_descendants = False

    def describe(self) -> str:
        """Plain text for meta descriptions and link previews."""
        return page_description(self, self.intro)

    def json_ld(self, request) -> dict | None:
        """schema.org data for the page (none for the home page)."""
        return None

    def share_card(self) -> Card | None:
        """What its link preview image says (``pages.sharing``); None: no image."""
        return Card(self.title, byline=Truncator(self.intro).chars(160))

    def own_routes(self) -> list[tuple[str, tuple]]:
        """(URL name, args) of the feeds and calendars of this page itself."""
        return []

    def listing_routes(self) -> list[tuple[str, tuple]]:
        """(URL name, args) of the other listings this page appears on (tags, speakers)."""
        return []

    def route(self, request, path_components):
        """Find the page at the end of the path in two queries, not two per level of the tree.

        Wagtail walks the path one slug at a time (``get_children().get(slug=…)`` and
        ``.specific`` at every level: 8 queries for a talk). Every page's ``url_path`` is stored,
        so the page is looked up by it directly; that page then routes itself (live check,
        sub-routes). A path with no such page (a sub-route of an ancestor, or nothing) falls
        back to Wagtail's walk, which also gives the usual 404.
        """
        if path_components:
            page = page_at(self.url_path + "/".join(path_components) + "/", request)
            if page is not None:
                return page.route(request, [])
        return super().route(request, path_components)

    def get_view_restrictions(self):
        """Wagtail's, without its two queries when no restriction can apply (pages.lookups)."""
        if has_no_view_restrictions(self):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["conferences"] = (
            ConferenceIndex.objects.child_of(self).live().public().order_by("-start_date", "title")
        )
        return context


def tag_routes(slugs) -> list[tuple[str, tuple]]:
    """(URL name, args) of the page and feeds of each tag."""
    names = ("tag_detail", "feed_tag_rss", "feed_tag_atom")
    return [(name, (slug,)) for slug in slugs for name in names]


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
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
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

    #: Its title and dates appear on every page below it.
    purges_descendants = True

    @property
    def conference(self) -> "ConferenceIndex":
        """The conference a page belongs to: for a conference, itself (days and talks have
        theirs)."""
        return self

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The conference cannot end before it starts."})

    def describe(self) -> str:
        where = f", {self.location}." if self.location else "."
        when = date_range_text(self.start_date, self.end_date)
        return page_description(self, f"Notes from the talks at {self.title}, {when}{where}")

    def json_ld(self, request) -> dict | None:
        """schema.org ``Event``."""
        from .structured_data import conference_event

        return conference_event(self, request)

    def share_card(self) -> Card | None:
        where = f" · {self.location}" if self.location else ""
        when = date_range_text(self.start_date, self.end_date)
        return Card(self.title, kicker=f"{when}{where}", byline="Notes from the talks")

    def own_routes(self) -> list[tuple[str, tuple]]:
        names = ("feed_conference_rss", "feed_conference_atom", "calendar_conference")
        return [(name, (self.slug,)) for name in names]

    def listing_routes(self) -> list[tuple[str, tuple]]:
        """The tag pages and feeds of the tags stored for it."""
        slugs = ConferenceTag.objects.filter(content_object_id=self.pk).values_list(
            "tag__slug", flat=True
        )
        return tag_routes(slugs)

    @cached_property
    def programme(self) -> list[tuple]:
        """[(day, [talk, …])] of live, public days and talks in programme order, from the
        outline (``pages.outline``: one query) and one query for the speakers; loaded when the
        template first asks. Talks carry what their cards show, not their bodies."""
        if not self.path:  # a preview outside the tree
            return []
        programme = conference_outline(self.path, self.depth + 2, cards=True).programme()
        talks = [talk for _day, talks in programme for talk in talks]
        prefetch_related_objects(
            talks,
            Prefetch(
                "talk_speakers",
                queryset=TalkSpeaker.objects.select_related("speaker").order_by("sort_order"),
            ),
        )
        return programme


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
        return ConferenceIndex.objects.defer_streamfields().get(path=parent_path(self.path))

    #: Its title and date appear on every talk page below it.
    purges_descendants = True

    @cached_property
    def breadcrumb_ancestors(self) -> list:
        return [self.conference]

    def clean(self):
        super().clean()
        if self.day_number is not None and self.day_number < 1:
            raise ValidationError({"day_number": "Days are numbered from 1."})

    def describe(self) -> str:
        try:
            where = f" at {self.conference.title}"
        except ConferenceIndex.DoesNotExist:  # a preview outside the tree
            where = ""
        when = dateformat.format(self.date, "j F Y")
        return page_description(self, f"Notes from the talks of {self.title}{where}, {when}.")

    def json_ld(self, request) -> dict | None:
        return None

    def share_card(self) -> Card | None:
        when = dateformat.format(self.date, "l j F Y")
        return Card(
            self.title, kicker=f"{self.conference.title} · {when}", byline="Notes from the talks"
        )

    def own_routes(self) -> list[tuple[str, tuple]]:
        return [("calendar_day", (self.pk,))]

    def listing_routes(self) -> list[tuple[str, tuple]]:
        return []

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["talks"] = (
            TalkPage.objects.child_of(self)
            .live()
            .public()
            .defer_streamfields()  # cards show the stored summary, never the notes
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
    #: One or two sentences of the notes, kept up to date on save (pages.summaries).
    derived_summary = models.TextField(blank=True, editable=False, default="")
    #: " python sql " — languages of the body's code blocks, kept up to date on save (search facet).
    code_languages = models.CharField(max_length=255, blank=True, editable=False, default="")
    #: The event's guid (or id) in the published schedule it was imported from
    #: (pages.schedule): a re-import finds the talk by it, wherever it was moved or renamed.
    schedule_guid = models.CharField(
        max_length=64, blank=True, default="", editable=False, db_index=True
    )

    parent_page_types = ["pages.DayPage"]
    subpage_types: list[str] = []
    #: A copy is a new talk, not the schedule's event (a re-import would not know which to update).
    exclude_fields_in_copy = ["schedule_guid"]

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
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
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
        APIField("display_summary"),
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
        self.derived_summary = derive_summary(self.body.raw_data)
        super().save(*args, **kwargs)

    @property
    def display_summary(self) -> str:
        """The editor's summary, else one or two sentences of the notes (pages.summaries)."""
        return self.summary or self.derived_summary

    purges_descendants = False
    stores_parts = True
    #: OpenGraph type: a talk's notes are an article (with published and modified times).
    og_type = "article"

    @cached_property
    def breadcrumb_ancestors(self) -> list:
        return [self.conference, self.day]

    def clean(self):
        super().clean()
        if "\n\n" in (self.summary or "").strip():
            raise ValidationError(
                {"summary": "Keep the summary to one paragraph (no blank lines)."}
            )

    def describe(self) -> str:
        return page_description(self, self.display_summary)

    def json_ld(self, request) -> dict | None:
        """schema.org ``Article`` about the talk as an ``Event``."""
        from .structured_data import talk_article

        return talk_article(self, request)

    def share_card(self) -> Card | None:
        names = [name for name, _slug in self.speaker_credits]
        if len(names) > 1:
            names = [", ".join(names[:-1]), names[-1]]
        byline = f"Notes on the talk by {' and '.join(names)}" if names else "Notes on the talk"
        when = dateformat.format(self.day.date, "j F Y")
        return Card(self.title, kicker=f"{self.conference.title} · {when}", byline=byline)

    def own_routes(self) -> list[tuple[str, tuple]]:
        return [("calendar_talk", (self.pk,))]

    def listing_routes(self) -> list[tuple[str, tuple]]:
        """The pages and feeds of its stored tags and speakers."""
        tags = TalkTag.objects.filter(content_object_id=self.pk).values_list("tag__slug", flat=True)
        speakers = TalkSpeaker.objects.filter(page_id=self.pk).values_list(
            "speaker__slug", flat=True
        )
        names = ("speaker_detail", "feed_speaker_rss", "feed_speaker_atom")
        return tag_routes(tags) + [(name, (slug,)) for slug in speakers for name in names]

    def set_speakers(self, speakers) -> None:
        """Credit ``speakers`` in this order, keeping the links that already exist.

        Both importers call this inside the revision they save, so the links travel with
        the revision like an edit in the admin form.
        """
        links = {link.speaker_id: link for link in self.talk_speakers.all()}
        new_links = []
        for order, speaker in enumerate(speakers):
            link = links.get(speaker.pk) or TalkSpeaker(speaker=speaker)
            link.sort_order = order
            new_links.append(link)
        self.talk_speakers = new_links

    @cached_property
    def speaker_credits(self) -> list:
        """[[name, slug]] of its speakers in credited order (for the JSON-LD and the share
        card; kept with the stored parts, so a stored page does not query its speakers)."""
        return stored_value(
            self, "speaker_credits", lambda: [[s.name, s.slug] for s in self.speakers]
        )

    @cached_property
    def tag_names(self) -> list[str]:
        """Its tags' names in order (kept with the stored parts, like ``speaker_credits``)."""
        return stored_value(self, "tag_names", lambda: [tag.name for tag in self.sorted_tags])

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
    def outline(self) -> Outline:
        """Its conference, days and talks, read in one query (``pages.outline``)."""
        if not self.path:
            raise DayPage.DoesNotExist("A talk outside the tree has no day.")
        return conference_outline(parent_path(self.path, levels=2), self.depth)

    @cached_property
    def day(self) -> "DayPage":
        """The day this talk belongs to (its parent): its title, date, number and URL."""
        day = self.outline.day(parent_path(self.path))
        if day is None:
            raise DayPage.DoesNotExist(f"No day at {parent_path(self.path)}")
        return day

    @cached_property
    def conference(self) -> "ConferenceIndex":
        """The conference this talk belongs to (its grandparent): title, dates, place, URL."""
        conference = self.outline.conference()
        if conference is None:
            raise ConferenceIndex.DoesNotExist(f"No conference at {self.outline.conference_path}")
        return conference

    @cached_property
    def previous_next(self) -> tuple:
        """(previous talk, next talk) in the conference's programme, across days, for the pager.

        Days are in order (day number, date), talks within a day in ``programme_order``; only
        live, public talks of live, public days count. No query beyond the outline's; the
        talks returned carry what the pager shows (title, URL, ``day.pk`` and ``day.title``).
        """
        try:
            return self.outline.neighbours(self.path)
        except DayPage.DoesNotExist:
            return None, None


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

    @property
    def severity(self) -> str:
        """ "error" (blocks publishing) or "warning"; derived from the rule."""
        return severity(self.rule)

    @property
    def where(self) -> str:
        """The block in an editor's words: "Block 3 (Image): alt text"."""
        return describe_path(self.path)
