"""What a new api-version's document changes, found from the documents themselves, each
reported with the smallest step a maintainer takes (CONTRIBUTING, "Adding an api-version").
A version that changes nothing passes all of these: then `make generate` is the whole work.

The checks read every document in openapi/ (the File, error and enum schemas, the operations
and their parameters) and compare them with what the hand-written layer knows."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import azure_openai_files
from azure_openai_files import FileObject
from azure_openai_files._models import TypeDiscriminator
from tests.support.paths import ROOT

DOCUMENTS = sorted((ROOT / "openapi").glob("*.yaml"))
MODELS = "customizations/azure_openai_files/_models.py"
# A schema's name in each document family (the v1 document names them after Azure).
FILE_SCHEMAS = ("File", "AzureOpenAIFile")
ERROR_SCHEMAS = ("Error", "AzureError")
ENUMS: dict[str, tuple[type, tuple[str, ...]]] = {
    "FileState": (azure_openai_files.FileState, ("FileState",)),
    "Purpose": (azure_openai_files.Purpose, ("Purpose",)),
    "TypeDiscriminator": (TypeDiscriminator, ("TypeDiscriminator", "AzureOpenAIFileObject")),
}
# The error fields `_generated_api.parse_error_fields` reads into ServiceError.
KNOWN_ERROR_FIELDS = {"code", "message", "target", "details", "innererror", "param", "type"}
KNOWN_ERROR_FIELDS |= {"inner_error"}
# The parameters the client sends: the file id (in the path) and the api-version (query);
# the upload id of the Uploads API; the list's filter and page (purpose, after, limit, order).
KNOWN_PARAMETERS = {("path", "file-id"), ("path", "file_id"), ("query", "api-version")}
KNOWN_PARAMETERS |= {("path", "upload-id")}
KNOWN_PARAMETERS |= {("query", "purpose"), ("query", "after"), ("query", "limit")}
KNOWN_PARAMETERS |= {("query", "order")}


def _load(document: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(document.read_text(encoding="utf-8"))
    return loaded


def _schema(spec: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any] | None:
    schemas = spec["components"]["schemas"]
    return next((schemas[name] for name in names if name in schemas), None)


def _operation_routes() -> dict[str, tuple[str, re.Pattern[str]]]:
    source = (ROOT / ".ci" / "generate.py").read_text(encoding="utf-8")
    namespace: dict[str, Any] = {"re": re}
    block = source[source.index("OPERATION_ROUTES = {") : source.index("\n}\n") + 3]
    exec(block, namespace)  # the table, as the generator defines it
    routes: dict[str, tuple[str, re.Pattern[str]]] = namespace["OPERATION_ROUTES"]
    return routes


def _file_object_fields() -> set[str]:
    names = {name for name, _ in inspect.getmembers(FileObject, inspect.isdatadescriptor)}
    return {name for name in names if not name.startswith("_")} - {"extra"}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.stem)
@pytest.mark.parametrize("public_name", sorted(ENUMS))
def test_every_documented_enum_value_is_in_the_public_enum(
    document: Path, public_name: str
) -> None:
    public, schema_names = ENUMS[public_name]
    schema = _schema(_load(document), schema_names)
    missing = set(schema.get("enum", [])) - {m.value for m in public} if schema else set()  # type: ignore[attr-defined]
    assert not missing, (
        f"{public_name} in {document.stem} has {', '.join(f'`{v}`' for v in sorted(missing))}: "
        f"add it to {public_name} in {MODELS} (until then it reads as a plain string)"
    )


@pytest.mark.parametrize("public_name", sorted(ENUMS))
def test_every_public_enum_value_is_in_some_document(public_name: str) -> None:
    public, schema_names = ENUMS[public_name]
    documented: set[str] = set()
    for document in DOCUMENTS:
        schema = _schema(_load(document), schema_names)
        documented |= set(schema.get("enum", [])) if schema else set()
    stale = {m.value for m in public} - documented  # type: ignore[attr-defined]
    assert not stale, (
        f"{public_name} has {', '.join(f'`{v}`' for v in sorted(stale))}, which no document in "
        f"openapi/ lists any more: remove it from {public_name} in {MODELS}, announced under "
        "Breaking in CHANGELOG.md"
    )


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.stem)
def test_every_documented_file_field_is_a_file_object_property(document: Path) -> None:
    schema = _schema(_load(document), FILE_SCHEMAS)
    assert schema is not None, f"{document.stem} has no File schema ({' or '.join(FILE_SCHEMAS)})"
    new = set(schema.get("properties", {})) - _file_object_fields()
    assert not new, (
        f"File in {document.stem} has {', '.join(f'`{f}`' for f in sorted(new))}: add a "
        f"FileObject property for it in {MODELS} (until then it is only in `extra` for the "
        "versions that do not document it, and hidden for this one)"
    )


def test_every_file_object_property_is_in_some_document() -> None:
    documented: set[str] = set()
    for document in DOCUMENTS:
        schema = _schema(_load(document), FILE_SCHEMAS)
        documented |= set((schema or {}).get("properties", {}))
    removed = _file_object_fields() - documented
    assert not removed, (
        f"FileObject.{', .'.join(sorted(removed))} is in no document any more: keep the property "
        "(it reads None) or remove it, announced under Breaking in CHANGELOG.md"
    )


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.stem)
def test_every_documented_error_field_is_read(document: Path) -> None:
    schema = _schema(_load(document), ERROR_SCHEMAS)
    assert schema is not None, f"{document.stem} has no error schema"
    new = set(schema.get("properties", {})) - KNOWN_ERROR_FIELDS
    assert not new, (
        f"the error shape of {document.stem} has {', '.join(f'`{f}`' for f in sorted(new))}: "
        "read it in _generated_api.parse_error_fields and add it to ServiceError"
    )


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.stem)
def test_every_documented_operation_is_one_the_client_calls(document: Path) -> None:
    spec = _load(document)
    routes = _operation_routes()
    unknown = []
    for path, item in spec.get("paths", {}).items():
        for verb, operation in item.items():
            if not isinstance(operation, dict):
                continue
            if not any(m == verb and r.search(path) for m, r in routes.values()):
                unknown.append(f"{verb.upper()} {path} ({operation.get('operationId')})")
    assert not unknown, (
        f"{document.stem} documents {', '.join(unknown)}: give it a role in OPERATION_ROUTES "
        "(.ci/generate.py) and a client method, or drop it from the document with a DEPARTURE "
        "note saying why"
    )


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.stem)
def test_every_documented_parameter_is_one_the_client_sends(document: Path) -> None:
    spec = _load(document)
    shared = spec["components"].get("parameters", {})
    found = []
    for path, item in spec.get("paths", {}).items():
        for verb, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if "$ref" in parameter:
                    parameter = shared[parameter["$ref"].rsplit("/", 1)[1]]
                key = (parameter["in"], parameter["name"])
                if key not in KNOWN_PARAMETERS and parameter.get("in") != "header":
                    found.append(f"{key[0]} parameter `{key[1]}` of {verb.upper()} {path}")
    assert not found, (
        f"{document.stem} has {', '.join(found)}: decide whether the client sends it (a keyword "
        "of the method), then add it to KNOWN_PARAMETERS here"
    )


def test_the_checks_report_a_new_enum_value_with_what_to_do(tmp_path: Path) -> None:
    """The checks are not vacuous: a document with a new Purpose fails, naming the step."""
    spec = _load(ROOT / "openapi" / "2025-04-01-preview.yaml")
    spec["components"]["schemas"]["Purpose"]["enum"].append("vision")
    document = tmp_path / "2099-01-01-preview.yaml"
    document.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(AssertionError) as raised:
        test_every_documented_enum_value_is_in_the_public_enum(document, "Purpose")
    assert str(raised.value).startswith(
        f"Purpose in 2099-01-01-preview has `vision`: add it to Purpose in {MODELS}"
    )
    spec["components"]["schemas"]["File"]["properties"]["labels"] = {"type": "object"}
    document.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(AssertionError, match="File in 2099-01-01-preview has `labels`"):
        test_every_documented_file_field_is_a_file_object_property(document)
