"""`python -m azure_openai_files`: the `azure-openai-files` command line."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
