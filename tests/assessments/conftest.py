"""The engine keeps targets and challenges a few minutes per worker: each test starts from its own content."""

import pytest

from assessments import services


@pytest.fixture(autouse=True)
def _fresh_engine_caches():
    services._TARGETS_CACHE.clear()
    services._CHALLENGES_CACHE.clear()
    yield
    services._TARGETS_CACHE.clear()
    services._CHALLENGES_CACHE.clear()
