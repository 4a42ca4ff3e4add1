"""Hypothesis profiles: ``ci`` (set when the ``CI`` environment variable is) and ``dev``.

``ci`` is deterministic (``derandomize``) so that a red build is reproducible from its log, and
prints the reproduction blob of any failure.  ``dev`` explores fresh examples on every run and
keeps failures in the local example database.  Choose one explicitly with
``pytest --hypothesis-profile=dev``.

Every test starts with no model profile registered (``convo.register_profile``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from convo import _models


@pytest.fixture(autouse=True)
def _no_registered_profiles() -> Iterator[None]:
    yield
    if _models._REGISTERED:
        _models._REGISTERED.clear()
        _models._resolve.cache_clear()


settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=50,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
