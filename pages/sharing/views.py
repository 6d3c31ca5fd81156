"""``/share/<page id>/<digest>.png``: a page's share card (see the package docstring)."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_safe

from wagtail.models import Page

from . import cards

#: The URL names its content (the digest), so caches may keep the answer for a year.
IMMUTABLE = "public, max-age=31536000, immutable"


@require_safe
def share_card(request, page_id: int, digest: str):
    """The PNG of a live, public page's current card. An old digest (the title changed since the
    link was shared) redirects to the current card; drafts and private pages get a 404."""
    page = Page.objects.live().public().filter(pk=page_id).first()
    card = page.specific.share_card() if page is not None else None
    if card is None:
        raise Http404("No share card here.")
    current = cards.digest(card)
    if digest != current:
        response = HttpResponseRedirect(cards.card_path(page_id, card))
        response["Cache-Control"] = "public, max-age=3600"
        return response
    name = cards.stored_card(page_id, card, getattr(settings, "SITE_NAME", "Confnotes"))
    with default_storage.open(name, "rb") as file:
        response = HttpResponse(file.read(), content_type="image/png")
    response["Cache-Control"] = IMMUTABLE
    return response
