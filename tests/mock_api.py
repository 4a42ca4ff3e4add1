"""A base for fake Messages API endpoints: real SDK clients whose transport is the endpoint."""

from __future__ import annotations

from typing import Any


class MockApi:
    """Subclasses are ``httpx2`` handlers (``__call__(request) -> Response``)."""

    def client(self) -> Any:
        import anthropic
        import httpx2

        return anthropic.Anthropic(
            api_key="test-key", max_retries=0, http_client=httpx2.Client(transport=httpx2.MockTransport(self))
        )

    def async_client(self) -> Any:
        import anthropic
        import httpx2

        return anthropic.AsyncAnthropic(
            api_key="test-key",
            max_retries=0,
            http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(self)),
        )

    def __call__(self, request: Any) -> Any:
        raise NotImplementedError
