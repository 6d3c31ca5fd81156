import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Property tests assert behaviour, not speed: a loaded CI machine must not fail them on time.
hypothesis_settings.register_profile("confnotes", deadline=None)
hypothesis_settings.load_profile("confnotes")
# The URL fuzzer (tests/test_fuzz_urls.py): a fixed number of requests per URL pattern, the same
# ones on every run (derandomize), no example database, no time limits.
hypothesis_settings.register_profile(
    "fuzz-urls",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Set by .ci/run: a missing service is then a failure, not a skip.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false")


def service_unavailable(reason: str):
    """Skip (locally) or fail (in CI) a test whose service is not there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES is set but {reason}", pytrace=False)
    pytest.skip(reason)


def in_memory_caches(settings, *names: str) -> None:
    """Switch the named caches to per-process memory, as in production, emptied (the test
    settings make every cache a dummy)."""
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        **{
            name: {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"test-{name}",
            }
            for name in names
        },
    }
    for name in names:
        caches[name].clear()


@pytest.fixture
def home(db):
    from tests.factories import home_page

    return home_page()


@pytest.fixture(autouse=True)
def _fresh_picture_sources():
    """Each test starts without the per-process <picture> sources (ids repeat across tests)."""
    from pages.blocks import forget_picture_sources

    forget_picture_sources()
    yield


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    """Each test starts without the per-process spelling vocabulary: it is keyed by the content
    version, which a test's publishes do not replace (their on-commit bump never runs)."""
    from pages.search import vocabulary

    vocabulary._cache.clear()
    vocabulary._building.clear()
    yield
