"""``python -m kumo_intercept``: the command line (see ``kumo_intercept/integrations/cli.py``)."""

import sys

from .integrations.cli import main

if __name__ == "__main__":
    sys.exit(main())
