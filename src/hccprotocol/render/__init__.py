"""Renderers: turn result models into what a person or another program reads."""

from __future__ import annotations

import sys

from rich.console import Console

PRINT_WIDTH = 140
"""Columns used when the table goes to a file or a pipe (to be printed and filed), not a terminal."""


def report_console() -> Console:
    """A console that fits the terminal, or a fixed printable width when output is redirected."""
    return Console(width=None if sys.stdout.isatty() else PRINT_WIDTH)
