"""``screen.issues.Issues``: the columns read back as the issues they hold, in the order a reader expects."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from hccprotocol.screen.issues import Issue, Issues


def _mixed() -> Issues:
    return Issues.concat([
        Issues.of("sessions", [7, 2], ["b", "a"], "date", ["2030-01-01", "2029-05-05"], "after today"),
        Issues.of("patients", [9, 3, 3], ["c", "d", "d"], ["weight_kg", "ecog", "age_years"], ["1", "7", "3"],
                  ["below 20", "outside 0-5", "below 18"]),
    ])


def test_sorted_is_patients_first_then_row_then_field_name() -> None:
    got = [(i.table, i.row, i.field) for i in _mixed().sorted()]
    assert got == [("patients", 3, "age_years"), ("patients", 3, "ecog"), ("patients", 9, "weight_kg"),
                   ("sessions", 2, "date"), ("sessions", 7, "date")]


def test_by_row_keeps_a_rows_issues_in_the_order_given() -> None:
    got = [(i.row, i.field) for i in _mixed().by_row()]
    assert got == [(2, "date"), (3, "ecog"), (3, "age_years"), (7, "date"), (9, "weight_kg")]


def test_reads_as_a_sequence_of_issues_and_survives_pickling() -> None:
    issues = _mixed()
    assert len(issues) == 5 and issues[0] == Issue("sessions", 7, "b", "date", "2030-01-01", "after today")
    assert issues[-1] == Issue("patients", 3, "d", "age_years", "3", "below 18")
    assert list(issues[1:3]) == [issues[1], issues[2]]
    assert next(issues.tuples()) == ("sessions", 7, "b", "date", "2030-01-01", "after today")
    back = pickle.loads(pickle.dumps(issues))
    assert back == issues and back == list(issues) and back != issues.sorted()
    assert Issues() == [] and not Issues() and Issues.concat([]) == Issues()


def test_texts_are_strings_and_a_batch_must_match_its_rows() -> None:
    issues = Issues.of("patients", np.array([1]), [np.str_("p")], "ecog", [7], "outside 0-5")
    assert issues[0] == Issue("patients", 1, "p", "ecog", "7", "outside 0-5") and type(issues[0].value) is str
    with pytest.raises(ValueError, match="1 values for 2 issues"):
        Issues.of("patients", [1, 2], ["p"], "ecog", ["7", "8"], "x")
