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
from urllib.parse import parse_qsl

from azure_openai_files_generated import API_VERSIONS

from ._errors import InvalidArgument, UnsupportedOperationError
from ._operation import Expect, JsonBody, Operation, RequestBody
from ._transport import ResponseHead
from ._upload import (
    MAX_EXPIRY,
    MultipartBody,
    UploadRules,
    UploadSource,
    check_expires_after,
    check_purpose,
)

_RequestBuilder = Callable[..., dict[str, Any]]


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

    api_version: str
    # operation role (`get_file`, `list_files`, ...) -> its request builder, for the roles the
    # version's document has
    builders: Mapping[str, _RequestBuilder]
    models: Any  # the version's generated models package
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
        api_version=api_version,
        builders={role: builder(role) for role in entry if role != "package"},
        models=models,
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


def check_api_version_and_load(api_version: str) -> str:
    """`check_api_version`, then the version's generated code imported: a client loads it
    as it is made, so its first call does not pay for it (tens of ms of model classes)."""
    _api_for(check_api_version(api_version))
    return api_version


def _api_for(api_version: str) -> GeneratedApi:
    if api_version in _GENERATED:
        return _load(api_version)
    return _unlisted_dated(check_api_version(api_version))


@functools.lru_cache(maxsize=16)
def _unlisted_dated(api_version: str) -> GeneratedApi:
    """The newest dated version's code, sending `api_version` instead of its own."""
    dated = _load(_NEWEST_DATED)
    return dated._replace(
        api_version=api_version,
        builders={
            role: partial(_builder_of(built), api_version=api_version)
            for role, built in dated.builders.items()
        },
    )


def _builder_of(bound: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """The generated builder behind a dated version's `partial(builder, api_version=...)`."""
    assert isinstance(bound, partial)  # every dated version's builders are bound by `_load`
    return bound.func


def versions_with(role: str) -> tuple[str, ...]:
    """The api-versions whose documents have the operation `role`."""
    return tuple(version for version, entry in _GENERATED.items() if role in entry)


def _builder(role: str, api_version: str, public_name: str) -> Callable[..., dict[str, Any]]:
    """The request builder of `role`, or UnsupportedOperationError naming the versions that
    have it (before anything is sent)."""
    built = _api_for(api_version).builders.get(role)
    if built is None:
        raise UnsupportedOperationError(public_name, api_version, versions_with(role))
    return built


def check_operation(role: str, api_version: str, public_name: str) -> None:
    """UnsupportedOperationError unless `api_version` has the operation `role`."""
    _builder(role, api_version, public_name)


def validate_file_id(file_id: object) -> str:
    if not isinstance(file_id, str):
        raise TypeError(f"file_id must be a str, not {type(file_id).__name__}")
    if not file_id.strip():
        raise ValueError("file_id must not be empty or blank")
    if file_id in (".", ".."):
        raise ValueError(f"file_id {file_id!r} is not a file id")
    return file_id


def _operation(
    name: str,
    built: dict[str, Any],
    expect: Expect,
    *,
    body: RequestBody | None = None,
    safe_to_resend: bool | None = None,
) -> Operation:
    method = built["method"].upper()  # the generated builders spell it in lower case
    return Operation(
        name=name,
        method=method,
        url=built["url"],
        params=built.get("params") or None,
        expect=expect,
        safe_to_resend=method in ("GET", "HEAD") if safe_to_resend is None else safe_to_resend,
        body=body,
    )


def get_file_operation(file_id: str, api_version: str) -> Operation:
    """Files - Get: the file's metadata."""
    built = _builder("get_file", api_version, "get_file")(validate_file_id(file_id))
    return _operation("get_file", built, Expect.DOCUMENT)


def get_file_content_operation(
    file_id: str, api_version: str, name: str, expect: Expect
) -> Operation:
    """Files - Get Content, read as `expect` says (whole, streamed, or resumable)."""
    built = _builder("get_file_content", api_version, name)(validate_file_id(file_id))
    return _operation(name, built, expect)


@functools.cache
def _parameters(built: Callable[..., Any]) -> Mapping[str, inspect.Parameter]:
    return inspect.signature(_builder_of(built) if isinstance(built, partial) else built).parameters


def _build(
    role: str,
    api_version: str,
    name: str,
    *path: str,
    document: dict[str, Any] | None = None,
    **query: Any,
) -> dict[str, Any]:
    """The request of `role` from its generated builder: path arguments in order, the query
    parameters its document declares (None ones left out), and the body `document` read by
    the builder's body model (its `from_dict` checks it)."""
    built = _builder(role, api_version, name)
    accepted = _parameters(built)
    arguments = {key: value for key, value in query.items() if value is not None}
    undeclared = set(arguments) - set(accepted)
    assert not undeclared, f"{role} in {api_version} takes no {undeclared}"  # callers check
    if document is not None:
        arguments["body"] = _body_model(role, api_version, name).from_dict(document)
    return built(*path, **arguments)


def _body_model(role: str, api_version: str, name: str) -> Any:
    """The generated model of `role`'s request body (its builder's `body` annotation)."""
    return _parameters(_builder(role, api_version, name))["body"].annotation


def _json_types(model: Any) -> Mapping[str, tuple[type, ...]]:
    types: Mapping[str, tuple[type, ...]] = getattr(
        importlib.import_module(model.__module__), "JSON_TYPES", {}
    )
    return types


def _expiry_document(model: Any, seconds: int | None) -> dict[str, Any]:
    """`expires_after` as the body model names it: one object (v1, imports), or two flat form
    fields (2025-04-01-preview's upload form); {} when not given."""
    if seconds is None:
        return {}
    if "expires_after.seconds" in _json_types(model):
        return {"expires_after.anchor": "created_at", "expires_after.seconds": seconds}
    return {"expires_after": {"anchor": "created_at", "seconds": seconds}}


def _takes_expiry(model: Any) -> bool:
    fields = _json_types(model)
    return "expires_after" in fields or "expires_after.seconds" in fields


def _requires(model: Any, field: str) -> bool:
    """Whether the body model's document requires `field` (attrs: no default)."""
    import attrs

    found = attrs.fields_dict(model).get(field)
    return found is not None and found.default is attrs.NOTHING


def _purposes(model: Any, api_version: str) -> tuple[str, ...]:
    """The purposes the body model's document lists (the upload enum, or the File's)."""
    import attrs

    annotation = attrs.fields_dict(model)["purpose"].type
    enum = getattr(_api_for(api_version).models, str(annotation).split("|")[0].strip())
    return tuple(member.value for member in enum)


def list_pages(api_version: str) -> bool:
    """Whether the version's `GET /files` pages (takes `limit` and `after`) rather than
    returning every file at once."""
    return "after" in _parameters(_builder("list_files", api_version, "list_files"))


def list_files_operation(
    api_version: str,
    *,
    purpose: str | None,
    order: str | None,
    limit: int | None,
    after: str | None,
) -> Operation:
    """Files - List: one page (every file, for versions that do not page)."""
    query: dict[str, Any] = {"purpose": purpose}
    if list_pages(api_version):
        order_enum = getattr(_api_for(api_version).models, "ListOrder", str)
        query |= {
            "order": None if order is None else order_enum(order),
            "limit": limit,
            "after": after,
        }
    built = _build("list_files", api_version, "list_files", **query)
    return _operation("list_files", built, Expect.LISTING)


def upload_rules(
    api_version: str, purpose: object, expires_after: object, name: str
) -> UploadRules:
    """What an upload (or an import) of `purpose` sends in `api_version`, checked against the
    version's document before anything is sent: the purposes its body accepts, and whether
    it takes (or requires) `expires_after`."""
    role = "upload_file" if name == "upload_file" else "import_file"
    model = _body_model(role, api_version, name)
    expiry = check_expires_after(
        expires_after, supported=_takes_expiry(model), api_version=api_version
    )
    if expiry is None and _requires(model, "expires_after"):
        # v1 requires an expiry; the longest it allows keeps the file as long as possible.
        expiry = MAX_EXPIRY
    has_uploads_api = "create_upload" in _api_for(api_version).builders
    return UploadRules(
        api_version=api_version,
        purpose=check_purpose(purpose, _purposes(model, api_version), api_version),
        expires_after=expiry,
        uploads_api_elsewhere=None if has_uploads_api else versions_with("create_upload"),
    )


def _multipart(built: dict[str, Any], source: UploadSource, **options: Any) -> MultipartBody:
    """The generated builder's form parts, streamed: its value fields as it encodes them,
    and the file part (the one whose content is a file) read from `source`."""
    fields = [
        (name, content, media)
        for name, (_, content, media) in built["files"]
        if isinstance(content, bytes)
    ]
    (file_field,) = [
        name for name, (_, content, _) in built["files"] if not isinstance(content, bytes)
    ]
    return MultipartBody(fields, file_field, source, **options)


def upload_file_operation(
    api_version: str, rules: UploadRules, source: UploadSource, **options: Any
) -> Operation:
    """Files - Upload: a multipart form; not safe to resend (the file may be stored twice)."""
    model = _body_model("upload_file", api_version, "upload_file")
    document = {"file": b"", "purpose": rules.purpose}
    document |= _expiry_document(model, rules.expires_after)
    built = _build("upload_file", api_version, "upload_file", document=document)
    body = _multipart(built, source, **options)
    return _operation("upload_file", built, Expect.DOCUMENT, body=body, safe_to_resend=False)


def import_file_operation(
    api_version: str, content_url: str, filename: str, rules: UploadRules
) -> Operation:
    """Files - Import: the service fetches `content_url`; not safe to resend."""
    model = _body_model("import_file", api_version, "import_file")
    document = {"content_url": content_url, "filename": filename, "purpose": rules.purpose}
    document |= _expiry_document(model, rules.expires_after)
    built = _build("import_file", api_version, "import_file", document=document)
    body = JsonBody(built["json"])
    return _operation("import_file", built, Expect.DOCUMENT, body=body, safe_to_resend=False)


def delete_file_operation(file_id: str, api_version: str) -> Operation:
    """Files - Delete: safe to resend (deleting twice deletes once; the client reads the
    second attempt's 404 as done)."""
    built = _build("delete_file", api_version, "delete_file", validate_file_id(file_id))
    return _operation("delete_file", built, Expect.DOCUMENT, safe_to_resend=True)


def create_upload_operation(
    api_version: str, filename: str, size: int, mime_type: str, rules: UploadRules
) -> Operation:
    """Uploads - Create. Resent when its answer is lost: an upload never completed makes no
    file, and expires after two hours."""
    document = {
        "purpose": rules.purpose,
        "filename": filename,
        "bytes": size,
        "mime_type": mime_type,
    }
    built = _build("create_upload", api_version, "upload_file", document=document)
    body = JsonBody(built["json"])
    return _operation("upload_file", built, Expect.DOCUMENT, body=body, safe_to_resend=True)


def upload_part_operation(
    api_version: str, upload_id: str, source: UploadSource, **options: Any
) -> Operation:
    """Uploads - Add Part: resent freely, since only the part ids given to complete count."""
    built = _build(
        "add_upload_part",
        api_version,
        "upload_file",
        _checked_id(upload_id),
        document={"data": b""},
    )
    body = _multipart(built, source, **options)
    return _operation("upload_file", built, Expect.DOCUMENT, body=body, safe_to_resend=True)


def complete_upload_operation(
    api_version: str, upload_id: str, part_ids: list[str], md5: str
) -> Operation:
    """Uploads - Complete: makes the file, so not safe to resend."""
    built = _build(
        "complete_upload",
        api_version,
        "upload_file",
        _checked_id(upload_id),
        document={"part_ids": part_ids, "md5": md5},
    )
    body = JsonBody(built["json"])
    return _operation("upload_file", built, Expect.DOCUMENT, body=body, safe_to_resend=False)


def cancel_upload_operation(api_version: str, upload_id: str) -> Operation:
    built = _build("cancel_upload", api_version, "upload_file", _checked_id(upload_id))
    return _operation("upload_file", built, Expect.DOCUMENT, safe_to_resend=True)


def _checked_id(resource_id: str) -> str:
    """An id the service gave, refused when it would not stay one path segment."""
    if resource_id in (".", ".."):
        raise ValueError(f"{resource_id!r} is not an id")
    return resource_id


def parse_file_model(data: object, api_version: str) -> GeneratedFile:
    """A JSON object read by `api_version`'s generated FileObject (TypeError/KeyError/
    ValueError naming the bad field)."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    return _api_for(api_version).parse_file_model(data)


def api_version_of(response: ResponseHead) -> str:
    """The api-version of the request that got `response` (v1 requests carry none)."""
    try:
        request = response.request
    except RuntimeError:  # a response built without a request
        return _NEWEST_DATED
    known: str | None = getattr(request, "api_version", None)  # the package's own requests
    if known is not None and known in _GENERATED:
        return known
    url = str(request.url)
    path, _, query = url.partition("?")
    version = dict(parse_qsl(query)).get("api-version") if query else None
    if version is not None and (version in _GENERATED or _is_dated(version)):
        return version
    return "v1" if "/openai/v1/" in path else _NEWEST_DATED


def parse_error_fields(body: bytes, response: ResponseHead) -> dict[str, Any] | None:
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
