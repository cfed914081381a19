"""The only module that calls into generated/: which generated code serves an api-version,
the operations it builds and the models it parses documents with.

generated/ holds one subpackage per api-version, each generated from that version's own
document (routes, parameter names, models and error shapes differ between them);
`_GENERATED` below is the whole dispatch, derived from the documents by `make generate`:
adding a version adds nothing here.

An api-version this package does not list:
- a dated one (`2098-03-01-preview`, say) is sent as given and read with the
  code of the newest dated document: every dated version so far shares its routes and error
  shape, and the service decides whether it knows the version;
- anything else (`preview`, `v2`, `latest`) is refused with a ValueError before anything is
  sent: nothing says what route or error shape it would have.

Why these are patched (remove an item when the generator covers it):
1. The generated builders percent-encode the file id with `quote(id, safe="")`, which leaves
   the dot segments `.` and `..` intact; httpx2 then resolves them (`/files/..` becomes
   `/openai/`). Such ids are refused here before anything is sent.
2. The service sends error bodies that break its own schema (a numeric or null `code`, a
   malformed `details` entry). An error body is read field by field, keeping every field
   that is valid, so one bad field never hides the code and message.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import importlib
import inspect
import json
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, NamedTuple, Protocol

import httpx2

from azure_openai_files_generated import API_VERSIONS

from ._errors import InvalidArgument
from ._operation import Expect, Operation

_RequestBuilder = Callable[[str], dict[str, Any]]


class GeneratedFile(Protocol):
    """What every api-version's generated FileObject has (attrs classes; `Unset` or None
    where a field is absent)."""

    @property
    def filename(self) -> str: ...
    @property
    def purpose(self) -> str: ...
    @property
    def additional_properties(self) -> dict[str, Any]: ...

    def to_dict(self) -> dict[str, Any]: ...


class GeneratedApi(NamedTuple):
    """What the client uses of one api-version's generated package."""

    build_get_file: _RequestBuilder
    build_get_file_content: _RequestBuilder
    parse_file_model: Callable[[Mapping[str, Any]], GeneratedFile]
    parse_error_model: Callable[[Mapping[str, Any]], Any]
    error_json_types: Mapping[str, tuple[type, ...]]
    error_envelope_json_types: Mapping[str, tuple[type, ...]]
    # The dated versions describe `innererror`; v1's `inner_error` is a free-form object.
    parse_inner_error_model: Callable[[Mapping[str, Any]], Any] | None


# api-version -> its generated subpackage and request builders: derived from openapi/ by
# `make generate` (the generated package's API_VERSIONS), never listed here.
_GENERATED: Mapping[str, Mapping[str, str]] = API_VERSIONS

_DATED_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}(-preview)?")
# Unlisted dated versions are read with the newest dated document's code (see above);
# derived, so adding a newer dated version moves the fallback with it.
_NEWEST_DATED = max(version for version in _GENERATED if _DATED_VERSION.fullmatch(version))


@functools.cache
def _load(api_version: str) -> GeneratedApi:
    """One version's generated code, imported on first use: a client loads only the version
    it speaks (importing all four would cost every user ~40 ms at import)."""
    entry = _GENERATED[api_version]
    root = f"azure_openai_files_generated.{entry['package']}"
    models = importlib.import_module(f"{root}.models")

    def builder(role: str) -> _RequestBuilder:
        module, function = entry[role].rsplit(".", 1)
        built: Callable[..., dict[str, Any]] = getattr(
            importlib.import_module(f"{root}.{module}"), function
        )
        # A document that requires the api-version query gets it; v1's makes it optional
        # (its default is v1), and it is not sent.
        if _requires_api_version(built):
            return partial(built, api_version=api_version)
        return built

    inner_error = getattr(models, "InnerError", None)  # v1's inner_error is free-form
    return GeneratedApi(
        build_get_file=builder("get_file"),
        build_get_file_content=builder("get_file_content"),
        parse_file_model=models.FileObject.from_dict,
        parse_error_model=models.Error.from_dict,
        error_json_types=models.error.JSON_TYPES,
        error_envelope_json_types=models.error_response.JSON_TYPES,
        parse_inner_error_model=None if inner_error is None else inner_error.from_dict,
    )


def _requires_api_version(builder: Callable[..., Any]) -> bool:
    parameter = inspect.signature(builder).parameters.get("api_version")
    return parameter is not None and parameter.default is inspect.Parameter.empty


def generated_api_versions() -> tuple[str, ...]:
    """The api-versions that have generated code of their own."""
    return tuple(_GENERATED)


def _is_dated(api_version: str) -> bool:
    """A `YYYY-MM-DD` or `YYYY-MM-DD-preview` version whose date exists on the calendar."""
    if not _DATED_VERSION.fullmatch(api_version):
        return False
    try:
        datetime.date.fromisoformat(api_version[:10])
    except ValueError:
        return False
    return True


def check_api_version(api_version: str) -> str:
    """`api_version` if this package can speak it, else a ValueError (nothing is sent)."""
    if api_version in _GENERATED or _is_dated(api_version):
        return api_version
    if _DATED_VERSION.fullmatch(api_version):
        raise InvalidArgument(
            "api_version",
            f"{api_version!r} is not a real date: use one of "
            f"{', '.join(_GENERATED)} or a dated version such as 2024-10-21",
        )
    raise InvalidArgument(
        "api_version",
        f"{api_version!r} is not supported: use one of "
        f"{', '.join(_GENERATED)} or a dated version such as 2024-10-21",
    )


def _api_for(api_version: str) -> GeneratedApi:
    if api_version in _GENERATED:
        return _load(api_version)
    dated = _load(_NEWEST_DATED)
    api_version = check_api_version(api_version)
    return dated._replace(
        build_get_file=partial(_builder_of(dated.build_get_file), api_version=api_version),
        build_get_file_content=partial(
            _builder_of(dated.build_get_file_content), api_version=api_version
        ),
    )


def _builder_of(bound: _RequestBuilder) -> Callable[..., dict[str, Any]]:
    """The generated builder behind a dated version's `partial(builder, api_version=...)`."""
    assert isinstance(bound, partial)  # every dated version's builders are bound by `_load`
    return bound.func


def validate_file_id(file_id: object) -> str:
    if not isinstance(file_id, str):
        raise TypeError(f"file_id must be a str, not {type(file_id).__name__}")
    if not file_id.strip():
        raise ValueError("file_id must not be empty or blank")
    if file_id in (".", ".."):
        raise ValueError(f"file_id {file_id!r} is not a file id")
    return file_id


def _operation(name: str, built: dict[str, Any], expect: Expect) -> Operation:
    method = built["method"].upper()  # the generated builders spell it in lower case
    return Operation(
        name=name,
        method=method,
        url=built["url"],
        params=built.get("params"),
        expect=expect,
        safe_to_resend=method in ("GET", "HEAD"),
    )


def get_file_operation(file_id: str, api_version: str) -> Operation:
    """Files - Get: the file's metadata."""
    built = _api_for(api_version).build_get_file(validate_file_id(file_id))
    return _operation("get_file", built, Expect.DOCUMENT)


def get_file_content_operation(
    file_id: str, api_version: str, name: str, expect: Expect
) -> Operation:
    """Files - Get Content, read as `expect` says (whole, streamed, or resumable)."""
    built = _api_for(api_version).build_get_file_content(validate_file_id(file_id))
    return _operation(name, built, expect)


def parse_file_model(data: object, api_version: str) -> GeneratedFile:
    """A JSON object read by `api_version`'s generated FileObject (TypeError/KeyError/
    ValueError naming the bad field)."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    return _api_for(api_version).parse_file_model(data)


def api_version_of(response: httpx2.Response) -> str:
    """The api-version of the request that got `response` (v1 requests carry none)."""
    try:
        url = response.request.url
    except RuntimeError:  # a response built without a request
        return _NEWEST_DATED
    version: str | None = url.params.get("api-version")
    if version is not None and (version in _GENERATED or _is_dated(version)):
        return version
    return "v1" if "/openai/v1/" in url.path else _NEWEST_DATED


def parse_error_fields(body: bytes, response: httpx2.Response) -> dict[str, Any] | None:
    """The fields of an error body (either shape: the dated versions' code, message, target,
    details, innererror; v1's code, message, param, type, inner_error), or None when the
    body is not an error object. Each field is kept when its JSON type is one the
    api-version's document allows, so one malformed field never loses the others."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    api = _api_for(api_version_of(response))
    source = document.get("error") if isinstance(document, dict) else None
    if source is None or not _has_json_type(source, api.error_envelope_json_types["error"]):
        return None
    valid = {
        name: source[name]
        for name, allowed in api.error_json_types.items()
        if name in source and _has_json_type(source[name], allowed)
    }
    code = source.get("code")
    # v1 errors in the wild carry the HTTP status as a number: keep it, as text.
    if isinstance(code, int) and not isinstance(code, bool):
        valid["code"] = str(code)
    scalars = {name: value for name, value in valid.items() if not isinstance(value, list | dict)}
    # The api-version's generated model reads the scalar fields when they are complete;
    # when a required one is missing, the valid ones are kept as they are.
    with contextlib.suppress(ValueError, TypeError, KeyError, AttributeError):
        scalars = api.parse_error_model(scalars).to_dict()
    message = scalars.get("message")
    code = scalars.get("code")
    if not isinstance(message, str) and code is None:
        return None
    details = valid.get("details")
    inner_error = valid.get("innererror", source.get("inner_error"))
    if isinstance(inner_error, dict) and api.parse_inner_error_model is not None:
        # Read through the document's model when it fits (nested innererrors included).
        with contextlib.suppress(ValueError, TypeError, KeyError, AttributeError, RecursionError):
            inner_error = api.parse_inner_error_model(inner_error).to_dict()
    return {
        "message": message if isinstance(message, str) else None,
        "code": None if code is None else str(code),
        "target": _str_or_none(scalars.get("target")),
        "details": [d for d in details if isinstance(d, dict)] if details else None,
        "inner_error": inner_error if isinstance(inner_error, dict) else None,
        "param": _str_or_none(scalars.get("param")),
        "type": _str_or_none(scalars.get("type")),
    }


def _has_json_type(value: object, allowed: tuple[type, ...]) -> bool:
    return isinstance(value, allowed) and (not isinstance(value, bool) or bool in allowed)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
