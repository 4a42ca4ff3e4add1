"""convo.testing breaks the newest checks too: each mutation below reaches a check no earlier
one did, and convo.check reports exactly the broken rule where the mutation says."""

from __future__ import annotations

from typing import Any

import convo
from convo._schema import with_load
from convo.testing import Broken

from .test_testing_audit2 import _at, _case


def _told(data: dict[str, Any], words: str) -> bool:
    return any(words in p.message for p in convo.check(data).errors)


def test_tool_schema_unsupported_reaches_the_complexity_limits_summed_over_strict_tools() -> None:
    def summed(data: dict[str, Any], broken: Broken) -> bool:
        _, alone = with_load((0, 0), _at(data, broken.path))
        return _told(data, "in the request's strict schemas") and not alone

    _case("tool-schema-unsupported", summed)


def test_output_schema_unsupported_reaches_the_complexity_limits() -> None:
    _case("output-schema-unsupported", lambda data, _: _told(data, "in the request's strict schemas"))


def test_parameter_invalid_reaches_a_container_skill() -> None:
    _case("parameter-invalid", lambda _, broken: broken.path.startswith("/container/skills"))
