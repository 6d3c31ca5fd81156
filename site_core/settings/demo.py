"""``make demo``: the development settings, but visitors see what production shows.

DEBUG is off, so a missing page gets the site's own 404 page and an error its 500 page (not
Django's debug pages); static files come from the app directories through WhiteNoise (as in
dev.py) and uploaded media from MEDIA_ROOT (``SERVE_MEDIA``), as ``runserver`` would with DEBUG.
"""

from .dev import *  # noqa: F403

DEBUG = False
SERVE_MEDIA = True
