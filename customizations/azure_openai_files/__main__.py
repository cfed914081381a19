"""`python -m azure_openai_files`: the `azure-openai-files` command line."""

import sys

from ._cli import main

sys.exit(main())
