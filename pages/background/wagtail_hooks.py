from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .views import job_view, jobs_view, rebuild_index_view


@hooks.register("register_admin_urls")
def background_job_urls():
    return [
        path("jobs/", jobs_view, name="background_jobs"),
        path("jobs/rebuild-index/", rebuild_index_view, name="background_rebuild_index"),
        path("jobs/<uuid:job_id>/", job_view, name="background_job"),
    ]


@hooks.register("register_settings_menu_item")
def background_jobs_menu_item():
    return MenuItem(
        "Background jobs",
        reverse("background_jobs"),
        name="background-jobs",
        icon_name="time",
        order=900,
    )
