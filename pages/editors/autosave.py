"""The autosave race of Wagtail's page create view, and its fix.

Wagtail 8 autosaves the *create* form: about a second after an edit, the ``w-autosave``
controller POSTs the form (``Accept: application/json``) to the form's action, the create URL.
``CreateView.save_action`` (``wagtail/admin/views/pages/create.py``) adds the page as a draft
and answers ``{"pk", "revision_id", "url": <edit URL>, ...}``; only when that answer arrives does
the controller set ``form.action`` to the edit URL. A Publish (or Save draft) click before
that, or an autosave that fires while the publish is on its way, sends the form to the create
URL a second time, and the create form's slug check (``WagtailAdminPageForm.clean``) rejects
it: "The slug '…' is already in use within the parent page". The slug is taken by the draft
the autosave made of this very form.

Fix: every create form carries a ``create_session`` token (a hidden input, see
``templates/wagtailadmin/pages/create.html``). The page a create POST makes is recorded under
its token (:class:`CreatedPage`, written by the ``after_create_page`` hook in the same
transaction). :class:`CreateSessionMiddleware` runs each create POST that carries a token in a
transaction that first locks the parent page, so a second POST of the same form waits for the
first one to finish; if the first one's autosave made a page, the ``before_create_page`` hook
hands the second POST to Wagtail's own *edit* view of that page, with all its data: Publish publishes the autosaved draft, with
whatever the editor typed after the autosave. Pages made by other forms (another tab, another
editor) are not matched, so a genuine clash still gets Wagtail's slug error.

A late *autosave* of a form whose page was published (or saved) by a click is stale by
definition (the browser has left the page, and the autosave's data may be older than the
click's); it is refused with Wagtail's own ``invalid_revision`` answer rather than turned into a
draft of the published page or a second page. A click after a click (the form posted again
from the browser's history) is not the race and gets Wagtail's slug error, as before.

Without the fix, a Publish that arrives while the autosave request is still running is a 500,
not the form error: ``site_core.middleware.StorageErrorMiddleware`` runs every multipart admin
POST in a transaction, so the autosave's page is not committed yet when the publish form checks
the slug; ``Page.full_clean`` (called by ``add_child``) then finds it and raises.
"""

import json
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.http import JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from wagtail.models import Page

FIELD = "create_session"
CREATE_VIEW = "wagtailadmin_pages:add"
KEEP = timedelta(days=2)  # records older than this are deleted when new ones are made


class CreatedPage(models.Model):
    """The page made by one create form (its ``create_session`` token) of one editor."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    revision_id = models.PositiveIntegerField(null=True)
    #: True when the page was made by an autosave (JSON), False by a click (Save, Publish...).
    by_autosave = models.BooleanField(default=False)
    #: The autosave answer's ``field_updates`` (ids of the inline rows it made, ...), which the
    #: browser writes into the form once the answer arrives.
    field_updates = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "page made by a create form"


def token_from(data) -> uuid.UUID | None:
    try:
        return uuid.UUID(data.get(FIELD, ""))
    except ValueError:
        return None


def form_token(request) -> str:
    """The token for a create form being rendered: the posted one (the form comes back with
    errors: same form, same token), else a new one."""
    token = token_from(request.POST) if request.method == "POST" else None
    return str(token or uuid.uuid4())


def wants_json(request) -> bool:
    # As Wagtail's JsonPostResponseMixin.expects_json_response.
    return not request.accepts("text/html")


def record_created_page(request, page) -> None:
    """``after_create_page`` hook: remember the page this create form made."""
    token = token_from(request.POST)
    if token is None or not request.user.is_authenticated:
        return
    CreatedPage.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    CreatedPage.objects.update_or_create(
        token=token,
        defaults={
            "user": request.user,
            "page": page,
            "revision_id": page.latest_revision_id,
            "by_autosave": wants_json(request),
        },
    )


def stale_autosave_response() -> JsonResponse:
    # The answer Wagtail's edit view gives an autosave that would overwrite a newer version.
    return JsonResponse(
        {
            "success": False,
            "error_code": "invalid_revision",
            "error_message": "Saving will overwrite a newer version.",
        },
        status=400,
    )


def edit_instead(request, record: CreatedPage):
    """Hand the create POST to Wagtail's edit view of the page its form already made."""
    if wants_json(request) and (not record.by_autosave or record.page.live):
        return stale_autosave_response()
    data = request.POST.copy()
    # What the browser does with the autosave's answer (w-autosave, core.js): it writes each
    # field update into the form element of that name, if there is one. Without the ids of
    # the inline rows (speakers...) the autosave made, the edit view would add them again.
    for name, value in record.field_updates.items():
        if name in data:
            data[name] = value
    if wants_json(request) and not data.get("overwrite_revision_id") and record.revision_id:
        # A retried autosave: overwrite the autosave's revision (as the browser would have,
        # had the first answer arrived), or be refused if a newer revision exists.
        data["overwrite_revision_id"] = str(record.revision_id)
    request.POST = data
    match = resolve(reverse("wagtailadmin_pages:edit", args=[record.page_id]))
    request.resolver_match = match
    return match.func(request, *match.args, **match.kwargs)


class CreateSessionMiddleware:
    """Runs each create-view POST that carries a create_session token in a transaction that
    first locks the parent page, so that two POSTs of one create form run one after the other.

    The handing over to the edit view happens in Wagtail's ``before_create_page`` hook
    (:func:`edit_if_already_made`), inside the view: exceptions then reach the other
    middleware's ``process_exception`` as usual (storage outages, refused publishing).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST":
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.view_name != CREATE_VIEW or not request.user.is_authenticated:
            return self.get_response(request)
        token = token_from(request.POST)
        if token is None:
            return self.get_response(request)  # Wagtail's view as it is
        parent_id = match.kwargs.get("parent_page_id")
        with transaction.atomic():
            # A second POST of the same form (or any create under this parent) waits here
            # until the first one has committed its page and its CreatedPage record. A no-op
            # UPDATE rather than select_for_update(): it locks the parent's row on PostgreSQL
            # and takes the write lock on SQLite, where FOR UPDATE does nothing.
            Page.objects.filter(pk=parent_id).update(numchild=F("numchild"))
            response = self.get_response(request)
            if wants_json(request):
                remember_field_updates(token, response)
            return response


def edit_if_already_made(request, parent_page, page_class):
    """``before_create_page`` hook: a POST of a create form whose autosave already made the
    page goes to Wagtail's edit view of that page (under CreateSessionMiddleware's lock)."""
    if request.method != "POST" or not request.user.is_authenticated:
        return None
    token = token_from(request.POST)
    if token is None:
        return None
    record = (
        CreatedPage.objects.filter(token=token, user=request.user).select_related("page").first()
    )
    if (
        record is not None
        and record.page.is_child_of(parent_page)
        # A click after a click (a form posted again with the back button) is not the race:
        # Wagtail's slug error, as before. Only an autosave records the ids of the inline rows
        # it made, without which the edit view would add them again.
        and (record.by_autosave or wants_json(request))
    ):
        return edit_instead(request, record)
    return None


def remember_field_updates(token, response) -> None:
    if response.status_code != 200 or response.headers.get("Content-Type") != "application/json":
        return
    answer = json.loads(response.content)
    if answer.get("success") and answer.get("pk"):
        CreatedPage.objects.filter(token=token, page_id=answer["pk"]).update(
            field_updates=answer.get("field_updates") or {}
        )
