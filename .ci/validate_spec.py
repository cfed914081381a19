"""Validate every openapi/*.yaml against the OpenAPI specification (openapi-spec-validator)."""

from __future__ import annotations

import sys
from pathlib import Path

from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

SPECS = Path(__file__).resolve().parent.parent / "openapi"


def main() -> int:
    documents = sorted(SPECS.glob("*.yaml"))
    if not documents:
        print(f"no OpenAPI documents in {SPECS}")
        return 1
    for document in documents:
        spec, _ = read_from_filename(str(document))
        validate(spec)
        print(f"{document.relative_to(SPECS.parent)}: valid OpenAPI {spec['openapi']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
