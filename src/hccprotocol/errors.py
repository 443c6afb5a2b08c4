"""Typed errors with stable codes.

Why: the CLI, a future CDS Hooks service and tests all need to tell *user*
errors (bad input, exit 2) from *internal* errors (a bug, exit 1) without
parsing messages. Each class carries a stable ``code`` that never changes
once released; messages are plain language and name the field path.

Tree::

    HccProtocolError                      (code "hccprotocol.error")
    ├── InputError                        user input is unusable -> exit 2
    │   ├── PatientFileError              unreadable / malformed JSON or YAML
    │   ├── PatientValidationError        record fails the patient model
    │   ├── OptionError                   a command-line option is invalid
    │   └── ProtocolDefinitionError       a protocol or rule file is invalid
    └── InternalError                     a defect in hccprotocol -> exit 1
        └── RuleEngineError               the rule engine misbehaved
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldIssue:
    """One problem with one field: where, what was received, what was expected."""

    path: str
    received: object
    message: str
    code: str

    def render(self) -> str:
        shown = "(absent)" if self.received is _ABSENT else repr(self.received)
        return f"{self.path or '(record)'}: {self.message} (received {shown})"


class _Absent:
    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "(absent)"


_ABSENT = _Absent()
ABSENT: object = _ABSENT
"""Marker for 'no value was received' in a FieldIssue."""


class HccProtocolError(Exception):
    """Base of every error hccprotocol raises on purpose."""

    code = "hccprotocol.error"
    exit_code = 1

    def __init__(self, message: str, *, issues: tuple[FieldIssue, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.issues = issues

    def render(self) -> str:
        """Plain-language text for a person at the command line."""
        lines = [f"error [{self.code}]: {self.message}"]
        lines.extend(f"  - {issue.render()}" for issue in self.issues)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "issues": [
                {
                    "path": i.path,
                    "code": i.code,
                    "message": i.message,
                    "received": None if i.received is _ABSENT else i.received,
                }
                for i in self.issues
            ],
        }


class InputError(HccProtocolError):
    """The user's input cannot be used; nothing was computed from it."""

    code = "input.invalid"
    exit_code = 2


class PatientFileError(InputError):
    code = "patient.file"


class PatientValidationError(InputError):
    code = "patient.invalid"


class OptionError(InputError):
    code = "option.invalid"


class ProtocolDefinitionError(InputError):
    code = "protocol.invalid"


class InternalError(HccProtocolError):
    code = "internal"
    exit_code = 1


class RuleEngineError(InternalError):
    code = "engine.failure"
