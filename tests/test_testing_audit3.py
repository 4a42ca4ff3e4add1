"""convo.testing breaks the newest checks too: each mutation below reaches a check no earlier
one did, and convo.check reports exactly the broken rule where the mutation says."""

from __future__ import annotations

from typing import Any

import pytest

import convo
from convo._models import platform_spelled
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


def _on_platform(data: dict[str, Any]) -> bool:
    return isinstance(data.get("model"), str) and platform_spelled(data["model"])


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # find shows the 5 MB example
def test_image_too_large_reaches_the_5_mb_limit_of_bedrock_and_google_cloud() -> None:
    def under_10_mb(data: dict[str, Any], broken: Broken) -> bool:
        return _on_platform(data) and len(_at(data, broken.path)) <= 10 * 1024 * 1024

    _case("image-too-large", under_10_mb)


def test_image_source_invalid_reaches_a_url_or_file_source_on_bedrock_and_google_cloud() -> None:
    _case(
        "image-source-invalid",
        lambda data, broken: _on_platform(data) and _at(data, broken.path) in ("url", "file"),
    )


def test_many_images_too_large_reaches_documents_counted_as_images_on_bedrock_and_google_cloud() -> None:
    _case("many-images-too-large", lambda data, _: _on_platform(data) and _told(data, "images and documents"))


def test_block_malformed_reaches_the_tool_of_a_tool_change_in_a_system_message() -> None:
    def in_a_system_message(data: dict[str, Any], broken: Broken) -> bool:
        return "/tool" in broken.path and data["messages"][int(broken.path.split("/")[2])]["role"] == "system"

    _case("block-malformed", in_a_system_message)


def test_block_malformed_reaches_a_compactions_tool_changes() -> None:
    _case("block-malformed", lambda _, broken: "/tool_changes/" in broken.path)


def test_tool_invalid_reaches_an_inline_tool_definition() -> None:
    _case("tool-invalid", lambda _, broken: broken.path.endswith("/tool/definition"))


def test_block_malformed_reaches_a_browser_states_tabs() -> None:
    _case("block-malformed", lambda _, broken: "/tabs" in broken.path)


@pytest.mark.parametrize("field", ["/page_age", "/stdout"])
def test_block_malformed_reaches_more_fields_of_a_server_tool_result(field: str) -> None:
    _case("block-malformed", lambda _, broken: broken.path.endswith(field))
