"""Admin hooks that keep one conference's unpublished work away from another's editors.

Found by the permission sweep (``tests/test_permissions.py``); registered on import by
``pages.wagtail_hooks``.

- Wagtail's admin API (``/admin/api/main/images/`` and ``documents/``) lists every image and
  document to anyone with admin access, whatever their collection permissions. Here those two
  endpoints only list what the user may choose, edit or add in (the image and document
  choosers' own rule).
- Wagtail's page chooser shows the whole tree, drafts included, to every admin user. Here its
  listings and its search show a user other than a superuser only live pages and the pages
  they may explore (their own subtree and its ancestors). Wagtail still shows a page's title
  when the chooser is asked for that page by id (browsing into it, or the "chosen" view):
  those views do not call the hook.
"""

from django.db.models import Q

from wagtail import hooks
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
