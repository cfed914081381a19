"""Small programs written the way a consuming team uses azure_openai_files: only its public
names, configuration from the environment, errors handled by class and attribute.

They are the contract a regeneration must keep: `make typecheck` checks them under
`mypy --strict`, and tests/test_consumers.py runs each against the replay server for every
api-version in `SUPPORTED_API_VERSIONS`. Each has `main(argv) -> int` and runs, from a
checkout, as `python -m samples.<name> ARGS` with AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY
and OPENAI_API_VERSION set.
"""
