"""Print the package's runtime requirements as declared in pyproject.toml, one per line: what
pip resolves for a consumer (`make test-newest-deps` installs their newest releases)."""

import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text("utf-8"))
print("\n".join(project["project"]["dependencies"]))
