"""Hypothesis profiles: ``ci`` (set when the ``CI`` environment variable is) and ``dev``.

``ci`` is deterministic (``derandomize``) so that a red build is reproducible from its log, and
prints the reproduction blob of any failure.  ``dev`` explores fresh examples on every run and
keeps failures in the local example database.  Choose one explicitly with
``pytest --hypothesis-profile=dev``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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
