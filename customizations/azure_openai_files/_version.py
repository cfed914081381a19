"""Package version and the api-versions this package was generated and tested for."""

# Semver of this package; independent of the service's api-version (see CHANGELOG.md).
__version__ = "0.1.0"

# One entry per openapi/<api-version>.yaml; tests keep this list and that folder in step.
SUPPORTED_API_VERSIONS: tuple[str, ...] = ("2024-06-01", "2024-10-21")

# The newest GA api-version, which generated/ is built from.
DEFAULT_API_VERSION = "2024-10-21"
