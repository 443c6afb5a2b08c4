"""Renderers: turn result models into what a person or another program reads."""

from __future__ import annotations

import os
import sys

from rich.console import Console

PRINT_WIDTH = 140
"""Columns used when the table goes to a file or a pipe (to be printed and filed), not a terminal."""


def report_console() -> Console:
    """A console that fits the terminal (or ``COLUMNS``), else a fixed printable width when redirected."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return Console()
    return Console(width=PRINT_WIDTH)
