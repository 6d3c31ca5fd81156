"""Reusable content that pages point at: speakers."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify

from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin


class SpeakerQuerySet(SearchableQuerySetMixin, models.QuerySet):
    pass


class Speaker(index.Indexed, models.Model):
    """A person who gave one or more talks; talks and quotes link to them."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=140,
        unique=True,
        blank=True,
        help_text="Used in the speaker's URL. Left blank, it is made from the name.",
    )
    bio = models.TextField(
        "short bio", blank=True, max_length=600, help_text="Two or three sentences, plain text."
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    photo_alt_text = models.CharField(
        "photo alt text",
        max_length=150,
        blank=True,
        help_text="Describe the photo for people who cannot see it, e.g. "
        "'Ada smiling in front of a whiteboard'. Required when there is a photo.",
    )
    website = models.URLField(blank=True)
    mastodon = models.URLField(
        blank=True, help_text="Full profile URL, e.g. https://example.social/@ada"
    )
    github = models.CharField(
        "GitHub username", max_length=39, blank=True, help_text="Just the username, e.g. ada"
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("bio"),
        MultiFieldPanel(
            [
                HelpPanel(content="A photo needs alt text that says what it shows."),
                FieldPanel("photo"),
                FieldPanel("photo_alt_text"),
            ],
            heading="Photo",
        ),
        MultiFieldPanel(
            [FieldPanel("website"), FieldPanel("mastodon"), FieldPanel("github")],
            heading="Links",
        ),
    ]

    objects = SpeakerQuerySet.as_manager()

    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("bio"),
        index.FilterField("slug"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def clean(self):
        if self.photo_id and not self.photo_alt_text.strip():
            raise ValidationError(
                {"photo_alt_text": "Add alt text for the photo, or remove the photo."}
            )
        if self.github.startswith(("http://", "https://")):
            raise ValidationError({"github": "Enter only the username, not a URL."})

    @property
    def github_url(self) -> str:
        return f"https://github.com/{self.github}" if self.github else ""

    def _unique_slug(self) -> str:
        base = slugify(self.name)[:130] or "speaker"
        slug, n = base, 2
        while Speaker.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug
