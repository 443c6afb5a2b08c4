"""Renderers: turn result models into what a person or another program reads.

Why nothing is imported here: ``hccprotocol.render.json_output`` is on the path of every
``--format json`` call, which should not pay for rich (imported by the table renderers only).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

PRINT_WIDTH = 140
"""Columns used when the table goes to a file or a pipe (to be printed and filed), not a terminal."""


def report_console() -> Console:
    """A console that fits the terminal (or ``COLUMNS``), else a fixed printable width when redirected."""
    from rich.console import Console

    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return Console()
    return Console(width=PRINT_WIDTH)
