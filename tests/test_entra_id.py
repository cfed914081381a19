"""Token renewal with azure-identity's own credentials (sync and `azure.identity.aio`), their
token endpoint a loopback server: a managed identity as App Service provides it.

azure-identity caches tokens itself, so after a plain 401 asking it again hands back the
refused token: the call must not resend it. A CAE claims challenge in the 401's
WWW-Authenticate makes it fetch a token that satisfies the claims: the call resends once."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from azure_openai_files import AsyncFilesClient, AuthenticationError, FilesClient
from tests.support.clients import DOCS_SAMPLE, KINDS
from tests.support.loopback import LoopbackServer, ReceivedRequest, respond_json

UNAUTHORIZED = {"error": {"code": "401", "message": "Access token is missing or invalid."}}
CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'
CHALLENGE = {
    "WWW-Authenticate": 'Bearer realm="", authorization_uri="https://login.microsoftonline.com'
    '/common/oauth2/authorize", error="insufficient_claims", claims="'
    + base64.urlsafe_b64encode(CLAIMS.encode()).decode().rstrip("=")
    + '"'
}


class TokenEndpoint:
    """App Service's managed identity endpoint: `mi-token-1`, `mi-token-2`, ... an hour each."""

    def __init__(self) -> None:
        self.server = LoopbackServer().start()
        self.server.script(self._reply)

    def _reply(self, conn: Any, request: ReceivedRequest) -> None:
        document = {
            "access_token": f"mi-token-{len(self.server.requests)}",
            "expires_on": str(int(time.time()) + 3600),
            "resource": "https://cognitiveservices.azure.com",
            "token_type": "Bearer",
        }
        respond_json(200, document)(conn, request)

    @property
    def requests(self) -> list[ReceivedRequest]:
        return self.server.requests


@pytest.fixture
def token_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[TokenEndpoint]:
    endpoint = TokenEndpoint()
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"{endpoint.server.endpoint}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", "fake-identity-header")
    for name in ("IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield endpoint
    finally:
        endpoint.server.stop()


def get_file_with_managed_identity(kind: str, endpoint: str) -> Any:
    """`get_file("f")` through azure-identity's ManagedIdentityCredential of `kind`."""
    if kind == "sync":
        from azure.identity import ManagedIdentityCredential

        with (
            ManagedIdentityCredential() as credential,
            FilesClient(endpoint, credential=credential, max_retries=0) as client,
        ):
            return client.get_file("f")

    async def run() -> Any:
        from azure.identity.aio import ManagedIdentityCredential as AsyncManagedIdentityCredential

        async with (
            AsyncManagedIdentityCredential() as credential,
            AsyncFilesClient(endpoint, credential=credential, max_retries=0) as client,
        ):
            return await client.get_file("f")

    return asyncio.run(run())


def tokens_sent(server: LoopbackServer) -> list[str]:
    return [request.headers["authorization"] for request in server.requests]


@pytest.mark.parametrize("kind", KINDS)
def test_a_claims_challenge_gets_a_token_for_the_claims_and_resends_once(
    server: LoopbackServer, token_endpoint: TokenEndpoint, kind: str
) -> None:
    server.script(respond_json(401, UNAUTHORIZED, CHALLENGE), respond_json(200, DOCS_SAMPLE))
    assert get_file_with_managed_identity(kind, server.endpoint).filename == "puppy.jsonl"
    assert tokens_sent(server) == ["Bearer mi-token-1", "Bearer mi-token-2"]
    assert len(token_endpoint.requests) == 2  # the claims bypassed azure-identity's cache


@pytest.mark.parametrize("kind", KINDS)
def test_a_plain_401_never_resends_the_token_azure_identity_hands_back(
    server: LoopbackServer, token_endpoint: TokenEndpoint, kind: str
) -> None:
    server.script(respond_json(401, UNAUTHORIZED), respond_json(200, DOCS_SAMPLE))
    with pytest.raises(AuthenticationError) as raised:
        get_file_with_managed_identity(kind, server.endpoint)
    assert raised.value.status_code == 401
    assert tokens_sent(server) == ["Bearer mi-token-1"]  # the refused token, sent once
    assert len(token_endpoint.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_second_challenge_in_the_same_call_is_not_answered_again(
    server: LoopbackServer, token_endpoint: TokenEndpoint, kind: str
) -> None:
    server.script(respond_json(401, UNAUTHORIZED, CHALLENGE))
    with pytest.raises(AuthenticationError):
        get_file_with_managed_identity(kind, server.endpoint)
    assert tokens_sent(server) == ["Bearer mi-token-1", "Bearer mi-token-2"]


def test_the_claims_reach_the_credential_decoded() -> None:
    seen: list[dict[str, Any]] = []

    class RecordingCredential:
        def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            seen.append(kwargs)
            token = f"t-{len(seen)}"
            return type("AccessToken", (), {"token": token, "expires_on": time.time() + 3600})()

    endpoint = LoopbackServer().start()
    try:
        endpoint.script(respond_json(401, UNAUTHORIZED, CHALLENGE), respond_json(200, DOCS_SAMPLE))
        with FilesClient(endpoint.endpoint, credential=RecordingCredential()) as client:
            client.get_file("f")
    finally:
        endpoint.stop()
    assert seen == [{}, {"claims": CLAIMS}]
    assert json.loads(seen[1]["claims"]) == json.loads(CLAIMS)


def test_the_readme_installs_what_azure_identity_aio_needs() -> None:
    # azure.identity.aio sends through aiohttp, which azure-identity does not install.
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    extras = re.findall(r'`pip install "azure-openai-files\[([a-z,]*)\]"', readme)
    assert any({"entra", "aiohttp"} <= set(found.split(",")) for found in extras), extras
