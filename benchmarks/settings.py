"""Settings for benchmarks: the test settings with production's caches, stored parts and spelling
vocabulary built in the background.

Test settings use dummy caches and no stored parts (pages.stored_parts) so tests never see each
other's data; production caches site root paths and rendition look-ups and keeps the parts of
published pages, and a benchmark should measure what production does.
"""

from site_core.settings.base import CACHES as PRODUCTION_CACHES
from site_core.settings.base import (
    SEARCH_VOCABULARY_IN_BACKGROUND as PRODUCTION_SEARCH_VOCABULARY_IN_BACKGROUND,
)
from site_core.settings.base import STORED_PARTS as PRODUCTION_STORED_PARTS
from site_core.settings.test import *  # noqa: F403

CACHES = PRODUCTION_CACHES
STORED_PARTS = PRODUCTION_STORED_PARTS
SEARCH_VOCABULARY_IN_BACKGROUND = PRODUCTION_SEARCH_VOCABULARY_IN_BACKGROUND
