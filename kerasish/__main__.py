"""`python -m kerasish ...` runs the `kerasish` command."""

import sys

from kerasish.cli.main import main

sys.exit(main())
