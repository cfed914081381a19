"""Property: whatever the server does, every call keeps the package's promises.

Both clients (sync and async) and all four reading calls meet generated server behaviours
(tests/fuzzing.py): any status, any header values, right and wrong bodies, truncation at any
byte, drips, stalls, resets and early closes. For every case:

- the call returns the right result (the file's metadata or its exact content), or raises a
  `FilesError`; when the first response is the service working as documented, it returns;
- it ends within its deadline plus a small slack;
- no `.part` file (or anything else) is left beside a download's destination, and a
  download that returned is at its destination, complete;
- the api key appears in no exception text (the whole chain) and no log record (DEBUG).

The default profile is reproducible (derandomized) and takes well under a minute;
`FUZZ_PROFILE=long` explores many more cases with a random seed (see docs/fuzzing.md).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import os
import tempfile
import threading
import time
import traceback
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from azure_openai_files import FileObject, FilesError
from tests.support.clients import KINDS, Clients
from tests.support.fuzzing import DEADLINE, READ_TIMEOUT, Case, ScriptedResponse, cases, render
from tests.support.loopback import LoopbackServer

# Distinctive, so any leak is found by a plain substring search.
FUZZ_KEY = "sk-fuzz-NEVER-SHOWN-5e1c7a9b3d"
# Beyond the deadline: one scheduling hiccup on a loaded machine, not a second attempt.
SLACK = 1.5
FILE_ID = "file-fuzz"

settings.register_profile(
    "fuzz-default",
    max_examples=25,
    deadline=None,  # time is asserted by the property itself, against the call's deadline
    derandomize=True,  # the same cases on every run: CI failures reproduce
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # Shrinking a case that involves stalls can take minutes; the default run reports the
    # failing case as found (it is printed whole), the long profile shrinks it.
    phases=[Phase.explicit, Phase.generate],
)
settings.register_profile(
    "fuzz-long",
    parent=settings.get_profile("fuzz-default"),
    max_examples=1000,
    derandomize=False,
    phases=list(Phase),
)
PROFILE = settings.get_profile(
    "fuzz-long" if os.environ.get("FUZZ_PROFILE") == "long" else "fuzz-default"
)
TEST_TIMEOUT = 3600 if os.environ.get("FUZZ_PROFILE") == "long" else 300

METHODS = ["get_file", "get_file_content", "stream_file_content", "download_file"]


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.timeout(TEST_TIMEOUT)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kind", KINDS)
@PROFILE
@given(data=st.data())
def test_any_server_behaviour_keeps_the_promises(
    fuzz_server: LoopbackServer, kind: str, method: str, data: st.DataObject
) -> None:
    case = data.draw(cases(for_content=method != "get_file"), label="case")
    stop = threading.Event()
    fuzz_server.script(*(render(response, stop) for response in case.responses))
    clients = Clients(
        kind,
        fuzz_server.endpoint,
        api_key=FUZZ_KEY,
        timeout=httpx2.Timeout(READ_TIMEOUT),
        max_retries=2,
        retry_backoff=0.001,
        retry_backoff_max=0.01,
        max_retry_after=0.05,
    )
    with tempfile.TemporaryDirectory() as folder, captured_logs() as records:
        destination = Path(folder) / "content.bin"
        started = time.monotonic()
        try:
            result = _call(clients, method, destination)
            error: BaseException | None = None
        except Exception as exc:
            result, error = None, exc
        finally:
            elapsed = time.monotonic() - started
            stop.set()
        leftovers = sorted(path.name for path in Path(folder).iterdir())
        on_disk = destination.read_bytes() if destination.exists() else None

    assert elapsed <= DEADLINE + SLACK, f"took {elapsed:.2f} s; deadline {DEADLINE} s"
    _assert_no_secret(error, records)
    if error is not None:
        if not isinstance(error, FilesError):
            raise AssertionError(f"not a FilesError: {error!r}") from error
        assert not case.responses[0].clean, f"a well-formed 200 failed: {error!r}"
        assert leftovers == [], f"left behind after a failed download: {leftovers}"
        return
    if method == "get_file":
        assert isinstance(result, FileObject)
        assert _matches_a_scripted_document(result, case), result
    else:
        assert result == case.content, "content differs from the file's"
    if method == "download_file":
        assert leftovers == [destination.name]
        assert on_disk == case.content
    else:
        assert leftovers == []


def _call(clients: Clients, method: str, destination: Path) -> Any:
    if method == "stream_file_content":
        body, _ = clients.stream(FILE_ID, deadline=DEADLINE)
        return body
    if method == "download_file":
        path = clients.download(FILE_ID, destination, deadline=DEADLINE)
        return path.read_bytes()
    return clients.call(method, FILE_ID, deadline=DEADLINE)


def _matches_a_scripted_document(result: FileObject, case: Case) -> bool:
    """The result is what one of the 2xx responses said, field by field."""
    for response in case.responses:
        if not response.is_success:
            continue
        try:
            sent = json.loads(_decoded(response))
        except ValueError:
            continue
        if isinstance(sent, dict) and _same_fields(result, sent):
            return True
    return False


# The fields FileObject reads by name; anything else lands in `extra`.
NAMED_FIELDS: tuple[str, ...]
NAMED_FIELDS = ("filename", "purpose", "id", "object", "status", "status_details", "bytes")
NAMED_FIELDS += ("created_at",)


def _same_fields(result: FileObject, sent: dict[str, Any]) -> bool:
    if any(getattr(result, name) != sent.get(name) for name in NAMED_FIELDS):
        return False
    return result.extra == {key: value for key, value in sent.items() if key not in NAMED_FIELDS}


def _has_header(response: ScriptedResponse, name: str) -> bool:
    return any(header.lower() == name for header, _ in response.headers)


def _decoded(response: ScriptedResponse) -> bytes:
    body: bytes = response.body
    encodings = [
        value.strip().lower()
        for name, header in response.headers
        if name.lower() == "content-encoding"
        for value in header.split(",")
    ]
    for encoding in reversed(encodings):
        with contextlib.suppress(OSError, EOFError, zlib.error):
            if encoding == "gzip":
                body = gzip.decompress(body)
    return body


@contextlib.contextmanager
def captured_logs() -> Iterator[list[logging.LogRecord]]:
    """Every log record of every logger, at DEBUG, for the duration of one call."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    root = logging.getLogger()
    handler = Collect(logging.DEBUG)
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def _assert_no_secret(error: BaseException | None, records: list[logging.LogRecord]) -> None:
    texts = [_record_text(record) for record in records]
    if error is not None:
        texts.append("".join(traceback.format_exception(error)))
        for link in _chain(error):
            texts += [str(link), repr(link), repr(link.args), repr(vars(link))]
    for text in texts:
        assert FUZZ_KEY not in text, f"the api key leaked: {text[:300]!r}"


def _record_text(record: logging.LogRecord) -> str:
    text = record.getMessage()
    if record.exc_info:
        text += "".join(traceback.format_exception(*record.exc_info))
    return text


def _chain(error: BaseException) -> list[BaseException]:
    """The exception, its causes and contexts, each once."""
    seen: list[BaseException] = []
    pending = [error]
    while pending:
        link = pending.pop()
        if any(link is known for known in seen):
            continue
        seen.append(link)
        pending += [e for e in (link.__cause__, link.__context__) if e is not None]
    return seen
