"""Every rule of the files the course and the calendar read has one id across all of them (registry)."""

from __future__ import annotations

from hccprotocol.course.lab_grading import lab_grading
from hccprotocol.course.tables import course_rules, tables
from hccprotocol.model.registry import registry
from hccprotocol.schedule.rules import calendar_file


def test_rule_ids_are_unique_across_the_course_and_calendar_files() -> None:
    entries = registry([calendar_file(), *(t.model for t in tables())])
    assert {e.file for e in entries} == {
        "rules/calendar-lin-2023.yaml",
        "rules/dose-modification-lenvatinib.yaml",
        "rules/dose-modification-folfox.yaml",
        "rules/dose-modification-pd1.yaml",
    }
    assert len(entries) == 17 + 25 + 21 + 24  # calendar rules and transitions (issue 12's catalogue: 70 + 17)
    others = [r.id for r in course_rules().rules()] + [t.id for t in lab_grading().triggers]
    ids = [e.id for e in entries] + others
    assert len(ids) == len(set(ids))
    assert all(len(e.file_sha256) == 64 and e.line > 0 for e in entries)
