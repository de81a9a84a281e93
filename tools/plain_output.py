"""Copy stdin to stdout as plain text: terminal-only decoration removed, for logs and CI output.

    some-command 2>&1 | python -m tools.plain_output

Spinners (MetricFlow's `mf` redraws a line with carriage returns many times a second) keep only the
line's final state, and ANSI colour and cursor sequences are dropped. `make` pipes through this only
when its output is not a terminal; on a terminal the command's own output is shown as it is.
"""

from __future__ import annotations

import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")


def plain(line: str) -> str:
    """The text a terminal would finally show for one line: its last carriage-return frame, no escapes."""
    frames = [frame for frame in line.split("\r") if frame.strip()]
    return ANSI.sub("", frames[-1] if frames else "")


def main() -> int:
    for raw in sys.stdin.buffer:
        text = raw.decode("utf-8", errors="replace").rstrip("\n")
        line = plain(text)
        if line.strip() or not text.strip("\r"):
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
