"""Mutate a shipped rule file's text and check the loader refuses it naming the file and the line.

Why on the real text: a mutation test on a fixture proves the loader works on the fixture; the
issue asks that every SHIPPED rule file refuses a misspelt key, a misspelt field path, a wrong value
type and a dangling reference with the file and the line a reviewer must fix.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hccprotocol.model import RuleFileError

RULES = Path(__file__).parent.parent.parent / "rules"


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``needle`` (the test's own reading of the file)."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not in the file"
    return hits[occurrence - 1]


def mutate(text: str, line: int, old: str, new: str) -> str:
    lines = text.splitlines(keepends=True)
    assert old in lines[line - 1], (line, old, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "".join(lines)


def assert_refused(load: Callable[[str], object], text: str, file: str, line: int, match: str) -> None:
    with pytest.raises(RuleFileError) as info:
        load(text)
    err = info.value
    assert err.file == file
    assert line in err.lines, f"expected line {line}, got {err.lines}: {err}"
    assert any(match in issue.message or match in issue.path for issue in err.issues), str(err)
