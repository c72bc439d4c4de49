"""``python -m bot`` runs the newsbot command line."""

import sys

from .cli import main

sys.exit(main())
