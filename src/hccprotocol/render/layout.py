"""Tables that stay readable at any terminal width: a table when it fits, stacked blocks when it does not.

Why: rich folds a cell that is narrower than one of its words, which cuts field
paths and drug names mid-word (``liver.total_bili`` / ``rubin_umol_l``) at 80
columns. The rule, the same for every table of the product:

1. Each column needs the width of its longest word (a ``no_wrap`` column: its
   longest cell). When all columns fit in the console width, the result is a
   table whose columns are never narrower than that, so text wraps only at spaces.
2. Otherwise the table is **stacked**: one block per row, the first column as
   the block's heading, the short columns together on one line
   (``Status: met · Effect: satisfied``) and each free-text column (why,
   inputs, source, note) as its own labelled paragraph, wrapped at spaces with
   a hanging indent. No column is dropped and no word is cut.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

__all__ = ["Col", "console_width", "fits", "fitted_table"]

_MIN_PROSE = 12
"""A prose column narrower than this is unreadable even when no word is cut: stack instead."""


@dataclass(frozen=True)
class Col:
    header: str
    no_wrap: bool = False
    prose: bool = False
    """Free text (why, reason, note): needs at least ``_MIN_PROSE`` columns besides its longest word."""


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _needed(col: Col, cells: Sequence[str]) -> int:
    texts = [col.header, *cells]
    if col.no_wrap:
        return max(max((len(line) for line in t.splitlines()), default=0) for t in texts)
    need = max(_longest_word(t) for t in texts)
    return max(need, _MIN_PROSE) if col.prose else need


def fits(cols: Sequence[Col], rows: Sequence[Sequence[str]], width: int) -> tuple[bool, list[int]]:
    """Whether a boxed table of these columns fits ``width`` without cutting a word; the minimum widths."""
    widths = [_needed(col, [row[i] for row in rows]) for i, col in enumerate(cols)]
    total = sum(widths) + 3 * len(cols) + 1  # one space of padding each side and one border per column
    return total <= width, widths


def fitted_table(
    title: str, cols: Sequence[Col], rows: Sequence[Sequence[str]], width: int, *, show_lines: bool = False
) -> RenderableType:
    """A rich table when it fits ``width`` (see the module docstring), else the stacked blocks."""
    ok, widths = fits(cols, rows, width)
    if ok:
        table = Table(title=title, show_lines=show_lines)
        for col, chosen in zip(cols, _widths(cols, rows, widths, width), strict=True):
            # A fixed width, never below the longest word: rich's own collapse can crop a wide table.
            table.add_column(col.header, width=chosen, no_wrap=col.no_wrap, overflow="fold")
        for row in rows:
            table.add_row(*row)
        return table
    return _stacked(title, cols, rows, width)


def _natural(col: Col, cells: Sequence[str]) -> int:
    return max(max((len(line) for line in t.splitlines()), default=0) for t in [col.header, *cells])


def _widths(cols: Sequence[Col], rows: Sequence[Sequence[str]], minimum: list[int], width: int) -> list[int]:
    """Each column's natural width when all fit; else the minimum plus a share of the spare space."""
    natural = [max(_natural(col, [row[i] for row in rows]), minimum[i]) for i, col in enumerate(cols)]
    room = width - (3 * len(cols) + 1)
    if sum(natural) <= room:
        return natural
    chosen = list(minimum)
    spare = room - sum(chosen)
    wants = [n - m for n, m in zip(natural, minimum, strict=True)]
    total = sum(wants)
    for i, want in enumerate(wants):
        if total and want:
            extra = min(want, spare * want // total)
            chosen[i] += extra
    leftover = room - sum(chosen)
    for i in sorted(range(len(cols)), key=lambda k: wants[k] - (chosen[k] - minimum[k]), reverse=True):
        if leftover <= 0:
            break
        add = min(leftover, natural[i] - chosen[i])
        chosen[i] += add
        leftover -= add
    return chosen


def _wrap(label: str, text: str, width: int) -> list[str]:
    lines: list[str] = []
    paragraphs = text.splitlines() or [""]
    for index, paragraph in enumerate(paragraphs):
        first = f"   {label}: " if index == 0 else "   " + " " * (len(label) + 2)
        wrapped = textwrap.wrap(
            paragraph,
            width=max(width, len(first) + 10),
            initial_indent=first,
            subsequent_indent=" " * len(first),
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines.extend(wrapped or [first.rstrip()])
    return lines


def _stacked(title: str, cols: Sequence[Col], rows: Sequence[Sequence[str]], width: int) -> RenderableType:
    parts: list[Text] = [Text(f"{title}; stacked to fit the width, one block per {cols[0].header}", style="bold")]
    for row in rows:
        heading = " ".join(row[0].split())
        facts = [
            f"{col.header}: {' '.join(cell.split())}"
            for col, cell in zip(cols[1:], row[1:], strict=True)
            if cell.strip() and not col.prose
        ]
        # The heading and the short values share the first line(s), separated by " · ".
        lines = textwrap.wrap(
            " · ".join([f"- {heading}", *facts]), width=width, subsequent_indent="   ",
            break_long_words=False, break_on_hyphens=False,
        )
        block = [Text("\n".join(lines))]
        detail: list[str] = []
        for col, cell in zip(cols[1:], row[1:], strict=True):
            if cell.strip() and col.prose:
                detail.extend(_wrap(col.header, cell, width))
        if detail:
            block.append(Text("\n".join(detail)))
        parts.extend(block)
    return Group(*parts)


def console_width(console: Console) -> int:
    return int(console.size.width)
