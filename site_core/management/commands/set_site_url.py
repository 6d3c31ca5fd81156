"""Give the default Wagtail Site the address the site is served on.

Every absolute URL (canonical, ``og:url``, feeds, sitemap, robots.txt, calendars, the API's
``html_url``, the print footer) is built from the Site record's host and port. The initial
migration leaves ``localhost:80``; ``make demo`` runs ``set_site_url http://127.0.0.1:$(PORT)``
and production runs it with ``SITE_URL`` on each deploy. Idempotent.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wagtail.models import Site


def parse_site_url(url: str) -> tuple[str, int]:
    """(hostname, port) of an http(s) URL; the port defaults to the scheme's."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CommandError(f"Not an http(s) URL: {url!r} (e.g. https://notes.example.org)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise CommandError(f"The site URL has no path: {url!r}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise CommandError(f"Bad port in {url!r}") from error
    if parts.scheme == "http" and port == 443:
        raise CommandError("http on port 443: Wagtail would make https URLs of it")
    return parts.hostname, port


class Command(BaseCommand):
    help = "Set the default Site's host and port from a URL (argument, else settings.SITE_URL)."

    def add_arguments(self, parser):
        parser.add_argument("url", nargs="?", help="e.g. http://127.0.0.1:8000")

    def handle(self, url=None, **options):
        url = url or getattr(settings, "SITE_URL", "")
        if not url:
            raise CommandError("Give a URL or set SITE_URL, e.g. https://notes.example.org")
        hostname, port = parse_site_url(url)
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            raise CommandError("There is no default Site (run migrate first)")
        if (site.hostname, site.port) == (hostname, port):
            self.stdout.write(f"Site already at {site.root_url}")
            return
        site.hostname, site.port = hostname, port
        site.save()
        self.stdout.write(f"Site now at {site.root_url}")
