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
    ├── ClinicalGateError                 refused by a clinical gate (not eligible /
    │                                     undetermined without --force) -> exit 3
    └── InternalError                     a defect in hccprotocol -> exit 1
        └── RuleEngineError               the rule engine misbehaved
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPTION = re.compile(r"^(-{1,2}[a-z][a-z0-9-]*):")


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


    def to_error_json(self) -> dict[str, object]:
        """``--format json`` errors on stderr: ``{code, message, field, value}`` (first field), then every issue.

        ``field`` is the field path of the first problem (or the option, for a message
        that starts with one, e.g. ``--as-of: ...``), ``value`` what was received there;
        both are null when the error concerns no single field or the value is unknown.
        """
        first = self.issues[0] if self.issues else None
        option = _OPTION.match(self.message)
        field = first.path if first is not None else option.group(1) if option else None
        value = None if first is None or first.received is _ABSENT else first.received
        return {
            "code": self.code,
            "message": self.message,
            "field": field,
            "value": value,
            "exit_code": self.exit_code,
            "issues": self.to_dict()["issues"],
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


class ClinicalGateError(HccProtocolError):
    """Input was valid, but a clinical gate refuses the output (not eligible or undetermined, no --force)."""

    code = "clinical.refused"
    exit_code = 3


class InternalError(HccProtocolError):
    code = "internal"
    exit_code = 1


class RuleEngineError(InternalError):
    code = "engine.failure"
