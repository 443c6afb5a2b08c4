"""hccprotocol: computable, auditable decisions for the Lin 2023 HAIC + lenvatinib (+ PD-1) protocol.

The public API (``__all__``), for programs that embed the engine rather than call the CLI::

    import hccprotocol as hp

    patient = hp.load_patient("examples/p01-bclc-c-pvtt.yaml")
    result = hp.assess(patient)                       # -> hp.Assessment
    doses = hp.dose(patient, as_of=date(2026, 8, 25))  # -> hp.DosePlan (refused like the CLI unless force)
    replay = hp.course(patient, as_of=date(2026, 11, 17))
    calendar = hp.plan(patient, start=date(2027, 1, 4), timezone="Asia/Shanghai", allow_past=True)

Each function is a thin typed wrapper over the engine the CLI uses (same gates, same
errors: :class:`HccProtocolError` subclasses with a stable ``code`` and ``exit_code``);
``protocol`` is a loaded :class:`Protocol` or a protocol id / site file path.

Why lazy: ``hccprotocol --help`` imports this package first and must start fast
(``bench/bench_startup.py``), so nothing is imported here: the result models are
resolved on first attribute access (module ``__getattr__``) and each function imports
its engine when called. Annotations are strings for the same reason.
"""

import datetime as _dt
import functools as _functools
import sys as _sys
import types as _types
from pathlib import Path as _Path
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

if _TYPE_CHECKING:
    from hccprotocol.assessment import Assessment
    from hccprotocol.course.model import Course
    from hccprotocol.dosing.model import DosePlan
    from hccprotocol.errors import HccProtocolError
    from hccprotocol.measures.bsa import BsaFormulaName
    from hccprotocol.patient import Patient
    from hccprotocol.protocol import Protocol
    from hccprotocol.schedule.plan import Plan
    from hccprotocol.schedule.site_calendar import SiteCalendar

__all__ = [
    "Assessment",
    "Course",
    "DosePlan",
    "HccProtocolError",
    "Patient",
    "Plan",
    "Protocol",
    "__version__",
    "assess",
    "course",
    "dose",
    "load_patient",
    "load_protocol",
    "plan",
]

_DEFAULT_PROTOCOL = "haic-lenvatinib-pd1"

_LAZY: dict[str, tuple[str, str]] = {
    "Assessment": ("hccprotocol.assessment", "Assessment"),
    "Course": ("hccprotocol.course.model", "Course"),
    "DosePlan": ("hccprotocol.dosing.model", "DosePlan"),
    "HccProtocolError": ("hccprotocol.errors", "HccProtocolError"),
    "Patient": ("hccprotocol.patient", "Patient"),
    "Plan": ("hccprotocol.schedule.plan", "Plan"),
    "Protocol": ("hccprotocol.protocol", "Protocol"),
}
"""Public result and input models: name -> (module, attribute), imported on first access."""


@_functools.cache
def _version() -> str:
    # Read on first use: importlib.metadata costs ~40 ms, a sixth of the `hccprotocol --help` budget.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hccprotocol")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0+unknown"


def __getattr__(name: str) -> _Any:
    if name == "__version__":
        return _version()
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hccprotocol' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def _protocol(protocol: "Protocol | str") -> "Protocol":
    if isinstance(protocol, str):
        from hccprotocol.protocol import load_protocol as _load

        return _load(protocol)
    return protocol


def load_protocol(id_or_path: str = _DEFAULT_PROTOCOL) -> "Protocol":
    """A shipped protocol by id (``haic-lenvatinib-pd1``, ``haic-lenvatinib``) or a site's copy by file path.

    Raises ``ProtocolDefinitionError`` (exit code 2) for an unknown id or an invalid file.
    """
    from hccprotocol.protocol import load_protocol as _load

    return _load(id_or_path)


def load_patient(source: "str | _Path | dict[str, _Any]") -> "Patient":
    """A validated patient record from a ``.json``/``.yaml``/``.yml`` file, or from plain data (a mapping).

    Raises ``PatientFileError`` (exit code 2) naming each offending field path; nothing is defaulted.
    """
    from hccprotocol.patient_file import load_patient as _load_file
    from hccprotocol.patient_file import parse_patient

    if isinstance(source, dict):
        return parse_patient(source, source="patient")
    return _load_file(_Path(source))


def assess(
    patient: "Patient", *, protocol: "Protocol | str" = _DEFAULT_PROTOCOL, bsa_formula: "BsaFormulaName" = "mosteller"
) -> "Assessment":
    """Derived measures, missing fields and eligibility for one arm (``hccprotocol assess``).

    Not eligible or undetermined is a result (``eligible`` false or None), not an error.
    """
    from hccprotocol.assessment import assess as _assess

    return _assess(patient, bsa_formula=bsa_formula, protocol=_protocol(protocol))


def dose(
    patient: "Patient", *, as_of: _dt.date, protocol: "Protocol | str" = _DEFAULT_PROTOCOL, force: bool = False
) -> "DosePlan":
    """The next cycle's doses on ``as_of`` after every recorded modification (``hccprotocol dose``).

    A patient not eligible or undetermined for the arm is refused with ``ClinicalGateError`` (exit code 3)
    unless ``force`` (then every line is marked); a contraindicated drug is never dosed.
    """
    from hccprotocol.dosing import next_cycle_doses

    return next_cycle_doses(patient, _protocol(protocol), as_of, force=force)


def course(
    patient: "Patient",
    *,
    protocol: "Protocol | str" = _DEFAULT_PROTOCOL,
    start: _dt.date | None = None,
    as_of: _dt.date | None = None,
) -> "Course":
    """The replay of adverse events, labs and dose changes up to ``as_of`` (``hccprotocol course``).

    ``start`` defaults to the record's ``treatment_start`` (an error when it has none); ``as_of`` None
    replays every recorded entry (the CLI's default is today).
    """
    from hccprotocol.course import replay_course

    return replay_course(patient, _protocol(protocol), start=start, as_of=as_of)


def plan(
    patient: "Patient",
    *,
    start: _dt.date,
    timezone: str | None = None,
    protocol: "Protocol | str" = _DEFAULT_PROTOCOL,
    cycles: int | None = None,
    site_calendar: "SiteCalendar | None" = None,
    force: bool = False,
    allow_past: bool = False,
) -> "Plan":
    """The dated treatment calendar from ``start`` (``hccprotocol plan``).

    ``timezone`` (IANA) is required unless ``site_calendar`` states one: a calendar is never silently UTC.
    Refused like ``dose`` for a patient not eligible or undetermined unless ``force``.
    """
    from hccprotocol.schedule.adapters import default_providers
    from hccprotocol.schedule.plan import make_plan
    from hccprotocol.schedule.site_calendar import ScheduleInputError

    zone = timezone if timezone is not None else site_calendar.timezone if site_calendar is not None else None
    if zone is None:
        raise ScheduleInputError(
            "timezone: the site's IANA time zone is required (e.g. 'Asia/Shanghai'), or give it once as "
            "'timezone:' in the site calendar; hccprotocol never assumes UTC for a treatment calendar"
        )
    return make_plan(
        patient,
        _protocol(protocol),
        start=start,
        providers=default_providers(),
        cycles=cycles,
        timezone=zone,
        site_calendar=site_calendar,
        force=force,
        allow_past=allow_past,
    )


class _Package(_types.ModuleType):
    """The package module, keeping the API function ``course`` when the subpackage ``hccprotocol.course`` loads.

    Why: importing a submodule binds it as an attribute of its parent (``setattr(hccprotocol,
    "course", <module>)``), which would silently replace the public function ``hccprotocol.course``
    by the engine package the first time any engine runs. The subpackage stays importable by its
    full name (``from hccprotocol.course import replay_course``; ``sys.modules``).
    """

    def __setattr__(self, name: str, value: _Any) -> None:
        if name in _FUNCTIONS and isinstance(value, _types.ModuleType):
            return
        super().__setattr__(name, value)


_FUNCTIONS = frozenset({"assess", "course", "dose", "load_patient", "load_protocol", "plan"})
"""The API functions (a submodule of the same name never replaces one)."""

_sys.modules[__name__].__class__ = _Package
