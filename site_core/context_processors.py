from django.conf import settings


def site(request):
    """Values every public template may use."""
    return {"SITE_NAME": settings.WAGTAIL_SITE_NAME}
