"""The read-only Wagtail API v2 at ``/api/v2/``: pages, images and speakers.

- ``pages``: live pages outside private sections (Wagtail's ``PagesAPIViewSet``); the page
  models list their extra fields in ``api_fields`` (talks: speakers, time, room, summary,
  ``display_summary`` — the summary, else one derived from the notes —, tags, body…).
- ``images``: Wagtail's ``ImagesAPIViewSet`` (images in restricted collections are left out).
- ``speakers``: the ``snippets.Speaker`` snippet through its own endpoint.

Every endpoint only answers GET (and HEAD/OPTIONS): the router registers listing, detail and find
views, nothing that writes. ``?offset=`` and ``?limit=`` beyond what a database can count answer
400 like any other bad number (``BoundedPagination``), and so does ``find/?id=`` with something
other than an integer (``CheckedFindMixin``).
"""

from wagtail.api.v2.filters import FieldsFilter, OrderingFilter, SearchFilter
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import (
    BaseSerializer,
    PageHtmlUrlField,
    PageSerializer,
    TagsField,
)
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import BaseAPIViewSet, PagesAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from rest_framework.fields import Field

from pages.models import ConferenceIndex, TalkPage
from pages.structured_data import speaker_url
from snippets.models import Speaker

#: The largest offset accepted: far beyond any listing, well inside a signed 64-bit OFFSET.
MAX_OFFSET = 2**31 - 1


class BoundedPagination(WagtailPagination):
    """Wagtail's pagination, refusing offsets and limits no database can take (400, not 500).

    Wagtail checks that both are non-negative integers and caps ``limit`` at
    ``WAGTAILAPI_LIMIT_MAX``, but slices the queryset with any ``offset``: SQLite cannot bind one
    beyond 64 bits and PostgreSQL refuses it in ``OFFSET``.
    """

    def paginate_queryset(self, queryset, request, view=None):
        for name in ("offset", "limit"):
            try:
                number = int(request.GET.get(name, 0))
            except ValueError:
                continue  # Wagtail's own "must be a positive integer"
            if number > MAX_OFFSET:
                raise BadRequestError(f"{name} must be at most {MAX_OFFSET}")
        return super().paginate_queryset(queryset, request, view)


class CheckedFindMixin:
    """``find/?id=``: 400 for what is not an integer, 404 for one no database column holds.

    Wagtail passes the value straight to ``queryset.get(id=…)``, which raised ValueError (500)
    for ``?id=²`` or ``?id=x``, found by ``tests/test_fuzz_urls.py``.
    """

    def find_object(self, queryset, request):
        if "id" in request.GET:
            try:
                pk = int(request.GET["id"])
            except ValueError:
                raise BadRequestError("id must be an integer") from None
            if not -(2**63) <= pk < 2**63:
                return None
        return super().find_object(queryset, request)


class RequestPageHtmlUrlField(PageHtmlUrlField):
    """``meta.html_url`` of a page, with the site root paths read once per request.

    Wagtail's own field asks for them once per page unless the cache holds them, so a listing's
    query count would grow with its length.
    """

    def to_representation(self, page):
        return page.get_full_url(self.context.get("request"))


class PrefetchedTagsField(TagsField):
    """Tag names, alphabetically, read from the prefetched tags (no query per page)."""

    def to_representation(self, value):
        return sorted(tag.name for tag in value.all())


class ConfnotesPageSerializer(PageSerializer):
    html_url = RequestPageHtmlUrlField(read_only=True)

    def build_property_field(self, field_name, model_class):
        field_class, kwargs = super().build_property_field(field_name, model_class)
        return (PrefetchedTagsField if field_class is TagsField else field_class), kwargs


class ConfnotesPagesAPIViewSet(CheckedFindMixin, PagesAPIViewSet):
    """Wagtail's pages endpoint; a talk or conference listing prefetches speakers and tags."""

    base_serializer_class = ConfnotesPageSerializer
    pagination_class = BoundedPagination

    def get_queryset(self):
        queryset = super().get_queryset()
        if queryset.model is TalkPage:
            return queryset.prefetch_related("talk_speakers__speaker", "tags")
        if queryset.model is ConferenceIndex:
            return queryset.prefetch_related("tags")
        return queryset


class SpeakerHtmlUrlField(Field):
    """``meta.html_url``: the speaker's public page, absolute."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, speaker):
        return speaker_url(speaker, self.context.get("request"))


class SpeakerSerializer(BaseSerializer):
    html_url = SpeakerHtmlUrlField(read_only=True)


class SpeakersAPIViewSet(CheckedFindMixin, BaseAPIViewSet):
    """Speakers, alphabetically; filter with ``?slug=…``, search with ``?search=…``."""

    model = Speaker
    name = "speakers"
    base_serializer_class = SpeakerSerializer
    pagination_class = BoundedPagination
    filter_backends = [FieldsFilter, OrderingFilter, SearchFilter]
    body_fields = [
        *BaseAPIViewSet.body_fields,
        "name",
        "slug",
        "bio",
        "photo",
        "photo_alt_text",
        "website",
        "mastodon",
        "github",
    ]
    meta_fields = [*BaseAPIViewSet.meta_fields, "html_url"]
    listing_default_fields = [*BaseAPIViewSet.listing_default_fields, "html_url", "name", "slug"]
    nested_default_fields = [*BaseAPIViewSet.nested_default_fields, "html_url", "name", "slug"]

    def get_queryset(self):
        return Speaker.objects.select_related("photo").order_by("name", "id")


class ConfnotesImagesAPIViewSet(CheckedFindMixin, ImagesAPIViewSet):
    """Wagtail's images endpoint with the bounded pagination and checked ``find/?id=``."""

    pagination_class = BoundedPagination


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", ConfnotesPagesAPIViewSet)
api_router.register_endpoint("images", ConfnotesImagesAPIViewSet)
api_router.register_endpoint("speakers", SpeakersAPIViewSet)
