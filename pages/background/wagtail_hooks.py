from django.urls import path

from wagtail import hooks

from .views import job_view


@hooks.register("register_admin_urls")
def background_job_urls():
    return [path("jobs/<uuid:job_id>/", job_view, name="background_job")]
