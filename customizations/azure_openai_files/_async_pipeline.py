"""`AsyncPipeline`: sends one logical call with asyncio. This file is the source of
`_sync_pipeline.py` (`.ci/unasync.py` writes it; `make check-generated` fails when it is
stale): what only one flavour can do lives in `_async_io` / `_sync_io`."""

from __future__ import annotations

import time
from functools import partial

import httpx2

from . import _async_io
from ._async_bearer_auth import AsyncBearerTokenAuth
from ._async_transport import AsyncResponse, AsyncTransport
from ._auth import ApiKeyAuth, Renewal
from ._config import ClientSettings
from ._errors import FilesError
from ._operation import Operation
from ._pipeline import MAX_ERROR_BODY, PipelineBase, transport_error
from ._retry import RetryState
from ._streaming import body_is_encoded, is_part_of_content, undecodable


class AsyncPipeline(PipelineBase):
    def __init__(
        self,
        settings: ClientSettings,
        auth: ApiKeyAuth | AsyncBearerTokenAuth,
        http_client: object = None,
    ) -> None:
        super().__init__(settings)
        self._auth = auth
        self._auth_name = auth.header_name
        # The package closes only the client it built; a caller's client stays the caller's.
        self.transport: AsyncTransport = _async_io.new_transport(http_client, self._http_options())

    async def send(
        self,
        operation: Operation,
        *,
        state: RetryState,
        headers: dict[str, str] | None = None,
    ) -> AsyncResponse:
        """Send until a 2xx arrives or the call fails for good (raised as a FilesError). The
        2xx is returned with its body read, unless the operation expects a stream; how the
        body is bounded and which 2xx will do follow from `operation.expect`."""
        if self.transport.is_closed:
            raise self.closed_error()
        expect = operation.expect
        request = self.build_request(operation, headers)
        state.client_request_id = request.headers.get("x-ms-client-request-id")
        state.request = request
        renewed_header: str | None = None
        while True:
            auth_header = renewed_header or self._auth_at_hand() or await self._auth_header(state)
            renewed_header = None
            while True:
                reserved_at = time.monotonic()
                wait = self._pace(state)
                if not wait:
                    break
                await _async_io.sleep(wait)
                if self._pace_holds(reserved_at):
                    break
            self._start_attempt(request, state, auth_header)
            clock = self._head_clock(request, state)
            # Whether the service may have acted on this attempt although it failed: what
            # decides whether an operation that is not safe to resend may be sent again.
            maybe_done = False
            try:
                # Sent and waited for within the clock's limit (the transport's to enforce).
                response = await self.transport.send(
                    request, clock, self._head_outer_bound(state, clock)
                )
            except RuntimeError as exc:  # a library's answer to a send on a closed client
                if self.transport.is_closed:
                    raise self.closed_error() from exc
                raise
            except httpx2.HTTPError as exc:
                error: FilesError = transport_error(exc)
                maybe_done = self._may_have_arrived(operation, clock)
                retryable = isinstance(exc, httpx2.TransportError)
            else:
                self._received(response, request, state)
                succeeded = response.is_success
                if (
                    succeeded
                    and expect.whole_content
                    and (response.status_code != 200 or is_part_of_content(response))
                ):
                    await response.aclose()
                    error, retryable = self._not_whole_content(response, state), False
                elif succeeded:
                    if expect.streamed:
                        return response
                    check = self._body_check(response, state, expect, started=clock.head_from)
                    try:
                        body_is_encoded(response)  # an encoding it cannot decode is refused
                        await response.aread(check)
                        self._body_read(state)
                        return response
                    except httpx2.DecodingError as exc:
                        error, retryable = undecodable(response, exc), False
                    except httpx2.HTTPError as exc:
                        error, retryable, maybe_done = transport_error(exc), True, True
                    finally:
                        await response.aclose()
                else:
                    error = self._error_for(
                        response, await self._read_error_body(response, state, clock.head_from)
                    )
                    retryable = self._is_retryable(error)
                    maybe_done = (
                        retryable and error.status_code >= 500 and self._body_arrived(operation)
                    )
                    renewal = self._token_renewal(error, state, self._auth, auth_header)
                    if renewal is not None:
                        renewed_header = await self._auth_header(state, renewal)
                        if self._resends_with(renewal, renewed_header, state):
                            self.rewind_body(operation, error)
                            continue
                        renewed_header = None
            if maybe_done:
                state.maybe_done = True
                if not operation.safe_to_resend:
                    raise self._outcome_unknown(operation, error, state)
            delay = self.delay_before_retry(request, state, error, retryable=retryable)
            self.rewind_body(operation, error)
            await _async_io.sleep(delay)

    def _auth_at_hand(self) -> str | None:
        """The auth header when no wait is needed for it (an api key's, a cached token's),
        without entering a coroutine; None when a token has to be fetched."""
        auth = self._auth
        if isinstance(auth, ApiKeyAuth):
            return auth.header_value()
        return auth.cached_header_value()

    async def _auth_header(self, state: RetryState, renewal: Renewal | None = None) -> str:
        """The auth header (a renewed token after a 401); a token fetch counts against the
        call's deadline."""
        auth = self._auth
        if isinstance(auth, ApiKeyAuth):
            return auth.header_value()
        if renewal is None:
            header = auth.cached_header_value()
            if header is not None:
                return header
        remaining = state.remaining()
        if remaining is None:
            return await auth.header_value(renewal)
        try:
            return await _async_io.within(partial(auth.header_value, renewal), remaining)
        except TimeoutError:
            raise state.deadline_error(" while the credential was getting a token") from None

    async def _read_error_body(
        self, response: AsyncResponse, state: RetryState, started: float
    ) -> bytes:
        body = bytearray()
        try:
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_ERROR_BODY or self._error_body_too_slow(started):
                    break
                if state.deadline_at is not None:
                    state.check_deadline()
        except httpx2.HTTPError:
            pass  # a broken error body still maps by its status
        finally:
            await response.aclose()
        return bytes(body)

    async def close(self) -> None:
        await self.transport.aclose()
