"""The errors as objects: every error class is exported and survives pickle and deepcopy with
its attributes (so it crosses process pools), and each carries the fields it documents."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import httpx2
import pytest

import azure_openai_files as aof
from azure_openai_files import CredentialError, FilesError, ServiceError, TransportError
from azure_openai_files._errors import (
    DestinationExistsError,
    FileProcessingError,
    IncompleteDownloadError,
    InvalidArgument,
    InvalidArgumentType,
    WaitTimeoutError,
)


def test_the_other_errors_carry_their_fields() -> None:
    incomplete = IncompleteDownloadError("cut", received=3, expected=10)
    assert (incomplete.received, incomplete.expected, str(incomplete)) == (3, 10, "cut")
    failed = FileProcessingError("file-1", None)
    assert (failed.file_id, failed.status_details) == ("file-1", None)
    assert str(failed) == "file file-1 failed processing: no details"
    assert str(FileProcessingError("file-1", "bad row")) == "file file-1 failed processing: bad row"
    waited = WaitTimeoutError("file-1", "running", 2.5)
    assert (waited.file_id, waited.last_status, waited.timeout) == ("file-1", "running", 2.5)
    assert str(waited) == "file file-1 still has status 'running' after 2.5 s of waiting"


SERVICE_FIELDS: dict[str, Any] = {
    "status_code": 404,
    "code": "notFound",
    "target": "file_id",
    "details": [{"code": "x", "message": "y"}],
    "inner_error": {"code": "z"},
    "headers": {"apim-request-id": "r-1", "x-ms-client-request-id": "c-1"},
    "retry_after": 1.5,
    "param": "file_id",
    "type": "invalid_request_error",
}


def all_subclasses(cls: type) -> set[type]:
    found: set[type] = set(cls.__subclasses__())
    sub: type
    for sub in cls.__subclasses__():
        found |= all_subclasses(sub)
    return found


def sample(cls: type[FilesError]) -> FilesError:
    """One instance of `cls`, every attribute set."""
    if issubclass(cls, ServiceError):
        return cls("File not found.", **SERVICE_FIELDS)
    if issubclass(cls, IncompleteDownloadError):
        return cls("ended early", received=3, expected=10, client_request_id="c-2")
    if issubclass(cls, TransportError):
        return cls("connection reset", client_request_id="c-3")
    if cls is aof.FileProcessingError:
        return cls("file-1", "bad line 3")
    if cls is aof.WaitTimeoutError:
        return cls("file-1", "running", 30.0)
    if cls is aof.UnsupportedOperationError:
        return cls("import_file", "v1", ("2024-06-01", "2024-10-21"))
    if cls is aof.OutcomeUnknownError:
        return cls("upload_file: the answer was lost", client_request_id="c-1")
    if cls in (FilesError, CredentialError, aof.UploadNotResendableError):
        return cls("could not get a token")
    raise AssertionError(f"add a sample of {cls.__name__} to this test")


PUBLIC_ERRORS = sorted(
    (cls for cls in {FilesError} | all_subclasses(FilesError) if not cls.__name__.startswith("_")),
    key=lambda cls: cls.__name__,
)


def test_every_error_class_is_exported() -> None:
    assert {cls.__name__ for cls in PUBLIC_ERRORS} <= set(aof.__all__)
    assert len(PUBLIC_ERRORS) >= 16


@pytest.mark.parametrize("cls", PUBLIC_ERRORS, ids=lambda cls: cls.__name__)
def test_every_error_survives_pickle_and_deepcopy_with_its_attributes(
    cls: type[FilesError],
) -> None:
    error = sample(cls)
    error.__cause__ = httpx2.ReadError("the live cause stays behind")
    for copied in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
        assert type(copied) is cls
        assert str(copied) == str(error) and copied.args == error.args
        assert {k: v for k, v in vars(copied).items()} == vars(error)


@pytest.mark.parametrize(
    ("error", "fields"),
    [
        (InvalidArgument("max_retries", "must be 0 or more"), ("max_retries", "must be 0 or more")),
        (InvalidArgumentType("api_key", "must be a str"), ("api_key", "must be a str")),
        (DestinationExistsError("out.bin"), ("out.bin",)),
    ],
    ids=lambda value: type(value).__name__,
)
def test_a_refused_argument_or_destination_survives_pickle_and_deepcopy_with_its_fields(
    error: Exception, fields: tuple[str, ...]
) -> None:
    for copied in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
        assert type(copied) is type(error) and str(copied) == str(error)
        if isinstance(copied, DestinationExistsError):
            assert (copied.destination,) == fields
        else:
            assert isinstance(copied, InvalidArgument | InvalidArgumentType)
            assert (copied.parameter, copied.reason) == fields


def test_an_echoed_client_request_id_wins() -> None:
    error = ServiceError(
        "m", status_code=500, headers=SERVICE_FIELDS["headers"], client_request_id="x"
    )
    assert error.client_request_id == "c-1"


class _MessageFirstError(FilesError):
    """A caller's own error whose `__new__` needs the message, as `__init__` usually does."""

    detail: str

    def __new__(cls, message: str) -> _MessageFirstError:
        return super().__new__(cls, message)


def test_an_error_subclass_whose_new_takes_the_message_survives_pickle_and_deepcopy() -> None:
    error = _MessageFirstError("quota reached")
    error.detail = "tenant-1"
    for copied in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
        assert type(copied) is _MessageFirstError
        assert copied.args == ("quota reached",) and vars(copied) == {"detail": "tenant-1"}


def test_an_aiohttp_failure_is_described_without_the_headers_or_proxy_it_carries() -> None:
    # aiohttp's texts show a response error's request info (its headers: the api key) and a
    # connection's key (a proxy URL with its password): neither reaches the package's error.
    import aiohttp
    from multidict import CIMultiDict, CIMultiDictProxy
    from yarl import URL

    from azure_openai_files._aiohttp_transport import _failure

    secret = "s3cr3t-never-shown"
    key = f"ConnectionKey(host='h', port=443, proxy=URL('http://user:{secret}@proxy:3128'))"
    info = aiohttp.RequestInfo(
        URL("https://h/openai/files"), "GET", CIMultiDictProxy(CIMultiDict({"api-key": secret}))
    )
    failures = [
        aiohttp.ClientConnectionError(f"Failed to send bytes into the underlying connection {key}"),
        aiohttp.ClientOSError(104, "Connection reset by peer"),
        aiohttp.ClientResponseError(info, (), status=400, message="bad header"),
        aiohttp.ClientPayloadError(f"Response payload is not completed: {key}"),
        aiohttp.ServerDisconnectedError(key),
    ]
    # What aiohttp's own words would have said:
    assert secret in str(info) and sum(secret in str(failure) for failure in failures) == 3
    for failure in failures:
        mapped = _failure(failure)
        assert secret not in str(mapped) and type(failure).__name__ in str(mapped)
    assert str(_failure(failures[1])) == "ClientOSError: Connection reset by peer"
