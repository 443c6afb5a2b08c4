"""Load errors of the protocol model: each names the file and the line of the offending entry."""

from __future__ import annotations

from hccprotocol.errors import FieldIssue, ProtocolDefinitionError

__all__ = ["Problem", "RuleFileError"]


class Problem(FieldIssue):
    """One problem in a rule file, at ``file`` line ``line``."""


class RuleFileError(ProtocolDefinitionError):
    """A rule or protocol file the model refuses; every issue carries ``file:line`` in its path.

    Why a subclass: a reviewer fixing a rule file needs the line, and a test needs to
    assert it (``issues[i].path`` starts with ``"<file>:<line>"``; ``lines`` lists them).
    """

    code = "protocol.rule_file"

    def __init__(self, file: str, problems: list[tuple[int, str, str]]) -> None:
        """``problems``: ``(line, location, message)`` in file order."""
        problems = sorted(problems, key=lambda p: p[0])
        issues = tuple(
            FieldIssue(path=f"{file}:{line} {where}".rstrip(), received=None, message=msg, code="rule_file.invalid")
            for line, where, msg in problems
        )
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{file}:{first[0]}: {first[1]}: {first[2]}{more}", issues=issues)
        self.file = file
        self.lines = tuple(p[0] for p in problems)
        self.problems = tuple(problems)
