"""``/share/<page id>/<digest>.png``: a page's share card (see the package docstring)."""

import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_safe

from wagtail.models import Page

from . import cards

try:
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    STORAGE_ERRORS: tuple[type[BaseException], ...] = (
        OSError,
        BotoCoreError,
        ClientError,
        Boto3Error,
    )
except ImportError:  # pragma: no cover  (the local-disk setup without boto3)
    STORAGE_ERRORS = (OSError,)

logger = logging.getLogger(__name__)

#: The URL names its content (the digest), so caches may keep the answer for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
#: A card drawn while the storage failed: served, but not for long (it is not stored).
UNSTORED = "public, max-age=300"


@require_safe
def share_card(request, page_id: int, digest: str):
    """The PNG of a live, public page's current card. An old digest (the title changed since the
    link was shared) redirects to the current card; drafts and private pages get a 404. When the
    media storage fails the card is drawn and served anyway, without being stored."""
    page = Page.objects.live().public().filter(pk=page_id).first()
    card = page.specific.share_card() if page is not None else None
    if card is None:
        raise Http404("No share card here.")
    current = cards.digest(card)
    if digest != current:
        response = HttpResponseRedirect(cards.card_path(page_id, card))
        response["Cache-Control"] = "public, max-age=3600"
        return response
    site_name = getattr(settings, "WAGTAIL_SITE_NAME", "Confnotes")
    try:
        name = cards.stored_card(page_id, card, site_name)
        with default_storage.open(name, "rb") as file:
            png, cache_control = file.read(), IMMUTABLE
    except STORAGE_ERRORS as exc:
        logger.warning("Share card of page %s not stored: %s", page_id, exc)
        png, cache_control = cards.render(card, site_name), UNSTORED
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = cache_control
    return response
