"""The committed generated models accept what the service sends: statuses, purposes and
objects a document does not list, fields it does not name, and sizes null or huge are all
kept as sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import azure_openai_files
import azure_openai_files as aof
import azure_openai_files_generated
from azure_openai_files_generated.v2024_10_21.models import (
    FileObject,
    FileState,
    Purpose,
    TypeDiscriminator,
)
from azure_openai_files_generated.v2024_10_21.types import Unset
from tests.support.clients import DOCS_SAMPLE
from tests.support.paths import ROOT

GENERATED = ROOT / "generated"
SPECS = sorted((ROOT / "openapi").glob("*.yaml"))


@pytest.fixture(scope="module", autouse=True)
def _committed_generated_package() -> Iterator[None]:
    """The in-process models under test are the committed generated/, not some other copy."""
    assert Path(azure_openai_files_generated.__file__).resolve().is_relative_to(GENERATED)
    yield


def test_docs_sample_parses_and_round_trips() -> None:
    file = FileObject.from_dict(DOCS_SAMPLE)

    # "succeeded" is not a FileState member, yet it is kept as sent.
    assert file.status == "succeeded"
    assert not isinstance(file.status, FileState)
    assert file.purpose is Purpose.FINE_TUNE
    assert file.object_ is TypeDiscriminator.FILE
    assert file.bytes_ == 140
    assert file.filename == "puppy.jsonl"
    assert file.id == "file-181a1cbdcdcf4677ada87f63a0928099"
    assert file.created_at == 1646126127
    assert isinstance(file.status_details, Unset)
    assert file.additional_properties == {}
    assert file.to_dict() == DOCS_SAMPLE


def test_known_status_becomes_enum_member() -> None:
    file = FileObject.from_dict({**DOCS_SAMPLE, "status": "processed"})

    assert file.status is FileState.PROCESSED


def test_unknown_purpose_and_object_are_kept() -> None:
    payload = {**DOCS_SAMPLE, "purpose": "evals", "object": "file.v2"}

    file = FileObject.from_dict(payload)

    assert file.purpose == "evals" and not isinstance(file.purpose, Purpose)
    assert file.object_ == "file.v2" and not isinstance(file.object_, TypeDiscriminator)
    assert file.to_dict() == payload


def test_unknown_fields_are_kept_in_additional_properties() -> None:
    extra = {"expires_at": 1700000000, "metadata": {"team": "ml"}}  # not in 2024-10-21

    file = FileObject.from_dict({**DOCS_SAMPLE, **extra})

    assert file.additional_properties == extra
    assert file.to_dict() == {**DOCS_SAMPLE, **extra}


@pytest.mark.parametrize("size", [None, 0, 2**60])
def test_bytes_null_and_huge_are_kept(size: int | None) -> None:
    file = FileObject.from_dict({**DOCS_SAMPLE, "bytes": size})

    assert file.bytes_ == size and type(file.bytes_) is type(size)
    assert file.to_dict()["bytes"] == size


def test_absent_bytes_stays_unset() -> None:
    payload = {k: v for k, v in DOCS_SAMPLE.items() if k != "bytes"}

    file = FileObject.from_dict(payload)

    assert isinstance(file.bytes_, Unset)
    assert "bytes" not in file.to_dict()


# --- JSON types come from each document, null in every optional field -----------------------------


def _optional_fields(version: str) -> list[str]:
    spec = yaml.safe_load((ROOT / "openapi" / f"{version}.yaml").read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    model = schemas["File"] if "File" in schemas else schemas["AzureOpenAIFile"]
    return [name for name in model["properties"] if name not in model.get("required", [])]


def _minimal_file(version: str) -> dict[str, object]:
    if version == "v1":
        return {"id": "file-1", "bytes": None, "created_at": 1, "filename": "a.jsonl",
                "object": "file", "purpose": "fine-tune", "status": "processed"}  # fmt: skip
    return {"filename": "a.jsonl", "purpose": "fine-tune"}


@pytest.mark.parametrize("version", [spec.stem for spec in SPECS])
def test_null_in_every_optional_field_reads_as_none(version: str) -> None:
    optional = _optional_fields(version)
    assert optional, version
    payload = {**_minimal_file(version), **dict.fromkeys(optional)}

    file = azure_openai_files.FileObject.from_dict(payload, api_version=version)

    for name in optional:
        public = {"object": "object", "bytes": "bytes"}.get(name, name)
        assert getattr(file, public) is None, name
    assert file.to_dict() == payload


@pytest.mark.parametrize("version", [spec.stem for spec in SPECS])
def test_each_field_of_the_wrong_json_type_is_refused_naming_it(version: str) -> None:
    for name in ["filename", "created_at", "status"]:
        wrong = [] if name != "created_at" else "yesterday"
        payload = {**_minimal_file(version), name: wrong}
        with pytest.raises(TypeError, match=repr(name)):
            azure_openai_files.FileObject.from_dict(payload, api_version=version)
    with pytest.raises(TypeError, match="'bytes'"):
        azure_openai_files.FileObject.from_dict(
            {**_minimal_file(version), "bytes": True}, api_version=version
        )


def test_a_new_versions_new_field_is_type_checked_without_hand_edits() -> None:
    payload = {**_minimal_file("2025-04-01-preview"), "expires_at": "soon"}
    with pytest.raises(TypeError, match="'expires_at'"):
        azure_openai_files.FileObject.from_dict(payload, api_version="2025-04-01-preview")
    # Where a version does not name the field, it is an extra field, kept as sent.
    old = azure_openai_files.FileObject.from_dict(payload, api_version="2024-10-21")
    assert old.expires_at is None and old.extra == {"expires_at": "soon"}


@pytest.mark.parametrize("api_version", aof.SUPPORTED_API_VERSIONS)
def test_expires_at_is_read_whatever_the_api_version(api_version: str) -> None:
    sent = {**DOCS_SAMPLE, "expires_at": 1_700_000_000}
    assert aof.FileObject.from_dict(sent, api_version=api_version).expires_at == 1_700_000_000
    for absent in ({**DOCS_SAMPLE}, {**DOCS_SAMPLE, "expires_at": None}):
        assert aof.FileObject.from_dict(absent, api_version=api_version).expires_at is None
