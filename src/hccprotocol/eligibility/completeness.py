"""Which missing fields an eligibility answer did not depend on: the warning beside an ``eligible: true``.

Why: the decision is driven by the criteria alone (the issue's decision rule),
so a record can be eligible on every criterion while fields that no criterion
reads (weight, height, AFP, per-session counts ...) are missing. Those fields
are needed later (dosing, the calendar, follow-up), and a clinician filing the
answer must see that the record is not complete. The "read" set is built from
the compiled rules, not from a hand-kept list: a criterion's inputs are record
paths, derived measures (expanded through their own trail of inputs) or TACE
series facts (expanded to the session fields their findings read, per session).
"""

from __future__ import annotations

from collections.abc import Iterable

from hccprotocol.eligibility.compile import CompiledRules, record_paths
from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.eligibility.tace_series import CHANGE_FIELDS, needs_change
from hccprotocol.measures.derive import derive
from hccprotocol.patient import Patient
from hccprotocol.patient_file import missing_fields

__all__ = ["missing_read_and_unread", "unread_fields_warnings"]


def missing_read_and_unread(
    patient: Patient,
    rule_sets: Iterable[CompiledRules],
    options: EligibilityOptions,
) -> tuple[list[str], list[str]]:
    """(missing fields some criterion reads, missing fields no criterion reads), in ``missing_fields`` order."""
    missing = missing_fields(patient)
    if not missing:
        return [], []
    sets = list(rule_sets)
    findings = {f.finding.id: f for rules in sets for f in rules.findings}
    trails = {m.id: m.inputs for m in derive(patient).measures}
    sessions = len(patient.tace_history or ())
    read: set[str] = set()

    def add(path: str, seen: frozenset[str] = frozenset()) -> None:
        if path in seen:
            return
        head, _, rest = path.partition(".")
        if head == "derived":
            name = rest.split(".", 1)[0]
            measure = "bclc_stage" if name.startswith("bclc_stage") else name
            for sub in trails.get(f"measure.{measure}", {}):
                add(sub, seen | {path})
        elif head == "tace":
            read.add("tace_history")
            compiled = findings.get(rest.split(".", 1)[0])
            if compiled is None:
                return
            fields = list(dict.fromkeys(f for c in compiled.conditions for f in record_paths(c)))
            read.update(f"tace_history[{i}].{f}" for i in range(sessions) for f in fields)
            if needs_change(compiled.finding, options):  # the first session cannot extend a run
                read.update(f"tace_history[{i}].{f}" for i in range(1, sessions) for f in CHANGE_FIELDS)
        elif head not in ("arm", "tace_refractory"):
            read.add(path)

    for rules in sets:
        for c in rules.criteria:
            for path in c.inputs:
                add(path)
    return [m for m in missing if m in read], [m for m in missing if m not in read]


def unread_fields_warnings(unread: list[str], read: list[str]) -> list[str]:
    """Warnings for an eligible answer on an incomplete record (empty when nothing is missing)."""
    out = []
    if unread:
        n = len(unread)
        out.append(
            f"eligible on every criterion; {n} field{'s are' if n != 1 else ' is'} missing that no criterion reads "
            f"(needed for dosing or the calendar): {', '.join(unread)}"
        )
    if read:
        n = len(read)
        out.append(
            f"eligible on every criterion; {n} field{'s' if n != 1 else ''} read by a criterion "
            f"{'are' if n != 1 else 'is'} missing but did not change the decision: {', '.join(read)}"
        )
    return out
