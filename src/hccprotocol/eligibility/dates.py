"""Dates a TACE history cannot have on the day eligibility is judged.

Why a check here as well as in the patient model: the model refuses a session dated after today; a
question asked *as of* an earlier day (a retrospective screen, a replayed decision) must refuse a session
dated after that day too, or a TACE that had not happened yet would decide refractoriness.
"""

from __future__ import annotations

import datetime as dt

from hccprotocol.errors import FieldIssue, PatientValidationError
from hccprotocol.patient import Patient

__all__ = ["check_dates"]


def check_dates(patient: Patient, as_of: dt.date | None) -> None:
    """Raise ``PatientValidationError`` naming every TACE or imaging date after ``as_of`` (None: no check)."""
    if as_of is None:
        return
    issues = [
        FieldIssue(
            path=f"tace_history[{i}].{name}",
            received=day.isoformat(),
            message=f"dated after the assessment date {as_of.isoformat()}: it had not happened yet",
            code="date_after_as_of",
        )
        for i, s in enumerate(patient.tace_history or ())
        for name, day in (("date", s.date), ("imaging_date", s.imaging_date))
        if day is not None and day > as_of
    ]
    if issues:
        noun = "date" if len(issues) == 1 else "dates"
        raise PatientValidationError(f"patient {patient.id}: {len(issues)} {noun} after {as_of.isoformat()}",
                                     issues=tuple(issues))
