"""Package version and the api-versions this package was generated and tested for."""

# Semver of this package; independent of the service's api-version (see CHANGELOG.md).
__version__ = "0.3.0"

# One entry per openapi/<api-version>.yaml, each with generated code of its own: written by
# `make generate` (.ci/generate.py), never edited by hand.
SUPPORTED_API_VERSIONS: tuple[str, ...] = (
    "2024-06-01",
    "2024-10-21",
    "2025-04-01-preview",
    "v1",
)

# The newest dated GA api-version. It stays the default even though v1 is newer: changing
# the default would silently change the routes and error shapes consumers' traffic gets.
# Pass api_version="v1" (or set OPENAI_API_VERSION=v1) to move; see README.
DEFAULT_API_VERSION = "2024-10-21"
