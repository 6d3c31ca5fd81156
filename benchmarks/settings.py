"""Settings for benchmarks: the test settings with the production caches (in-process memory).

Test settings use dummy caches so tests never see each other's data; production caches site
root paths and rendition look-ups, and a benchmark should measure what production does.
"""

from site_core.settings.base import CACHES as PRODUCTION_CACHES
from site_core.settings.test import *  # noqa: F403

CACHES = PRODUCTION_CACHES
