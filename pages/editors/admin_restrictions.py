"""Admin hooks that keep one conference's unpublished work away from another's editors.

Found by the permission sweep (``tests/test_permissions.py``); registered on import by
``pages.wagtail_hooks``.

- Wagtail's admin API (``/admin/api/main/images/`` and ``documents/``) lists every image and
  document to anyone with admin access, whatever their collection permissions. Here those two
  endpoints only list what the user may choose, edit or add in (the image and document
  choosers' own rule).
- Wagtail's page chooser shows the whole tree, drafts included, to every admin user. Here its
  listings and its search show a user other than a superuser only live pages and the pages
  they may explore (their own subtree and its ancestors). The views that take a page by id
  (browsing into it, ``choose-page/<id>/``, and the "chosen" view) do not call that hook, and
  showed any page's title: ``RestrictedBrowseView`` answers 404 for a page the user may not see
  there, ``RestrictedChosenMultipleView`` leaves such pages out (routed in ``site_core.urls``).
"""

from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from wagtail import hooks
from wagtail.admin.views.chooser import BrowseView, ChosenMultipleView
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import policy_registry

COLLECTION_ACTIONS = ["choose", "change", "add"]


class PermittedMixin:
    """Only the objects in collections where the user may choose, edit or add."""

    def get_queryset(self):
        queryset = super().get_queryset()
        policy = policy_registry.get_by_type(queryset.model)
        permitted = policy.instances_user_has_any_permission_for(
            self.request.user, COLLECTION_ACTIONS
        )
        return queryset.filter(pk__in=permitted.values("pk"))


class PermittedImagesAdminAPIViewSet(PermittedMixin, ImagesAdminAPIViewSet):
    pass


class PermittedDocumentsAdminAPIViewSet(PermittedMixin, DocumentsAdminAPIViewSet):
    pass


# After Wagtail's own hooks (order 0), which register the unrestricted endpoints.
@hooks.register("construct_admin_api", order=100)
def restrict_admin_api(router):
    router.register_endpoint("images", PermittedImagesAdminAPIViewSet)
    router.register_endpoint("documents", PermittedDocumentsAdminAPIViewSet)


@hooks.register("construct_page_chooser_queryset")
def live_or_explorable_pages(pages, request):
    user = request.user
    if user.is_superuser:
        return pages
    explorable = PagePermissionPolicy(Page).explorable_instances(user)
    return pages.filter(Q(live=True) | Q(pk__in=explorable.values("pk")))


class RestrictedBrowseView(BrowseView):
    """Browsing into a page by id: only one the chooser would list to this user."""

    def get(self, request, parent_page_id=None):
        if parent_page_id is not None:
            visible = live_or_explorable_pages(Page.objects.all(), request)
            if not visible.filter(pk=parent_page_id).exists():
                raise Http404("No such page")
        return super().get(request, parent_page_id)


class RestrictedChosenMultipleView(ChosenMultipleView):
    """The "chosen" step: the pages asked for by id, without those the user may not see."""

    def get(self, request):
        ids = [
            int(pk)
            for pk in request.GET.getlist("id")
            if pk.isascii() and pk.isdigit() and int(pk) < 2**63
        ]
        pages = live_or_explorable_pages(Page.objects.filter(pk__in=ids), request).specific()
        result = [
            {
                "id": page.pk,
                "parentId": page.get_parent().pk,
                "adminTitle": page.get_admin_display_title(),
                "editUrl": reverse("wagtailadmin_pages:edit", args=(page.pk,)),
                "url": page.url,
            }
            for page in pages
        ]
        return self.render_chosen_response(result)
