"""``python -m tools.reliability.bad_inputs [--json out.json]``: the catalogue's table; exit 1 on any FAIL."""

import sys

from .runner import main

sys.exit(main())
