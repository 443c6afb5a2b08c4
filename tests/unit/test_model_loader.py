"""The model's loader refuses every mistake with the file and the line, on small fixture rule files and
on the shipped eligibility criteria (rules/lin-2023-eligibility.yaml).

Each mutation below edits ONE line of a valid fixture (tests/fixtures/model/, or rules/ for the shipped
file) and
the test asserts the loader names that line. The sweep tests at the end apply the
same four kinds of mutation (misspelt key, misspelt field path, wrong value type,
dangling level reference) to every place of every fixture where they can occur.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.model import RuleFileError, load_rule_text
from hccprotocol.model.facts import patient_facts
from hccprotocol.model.options import options_from_model

FIXTURES = Path(__file__).parent.parent / "fixtures" / "model"
RULES = Path(__file__).resolve().parents[2] / "rules"
CATEGORIES = ("neuropathy", "hypersensitivity")
FILES = ("criteria-small.yaml", "dose-small.yaml", "calendar-small.yaml", "lin-2023-eligibility.yaml")
SHIPPED = ("lin-2023-eligibility.yaml", "jsh-lcsgj-2014.yaml")
# the shipped eligibility files read the protocol's eligibility options (declared by protocol/*.yaml)
OPTIONS = options_from_model(EligibilityOptions, "protocol/*.yaml, eligibility")


def _text(name: str) -> str:
    return ((RULES if name in SHIPPED else FIXTURES) / name).read_text()


def _load(text: str, name: str = "rules/x.yaml") -> object:
    return load_rule_text(text, name, categories=CATEGORIES, options=OPTIONS)


def _mutate(text: str, old: str, new: str, occurrence: int = 0) -> tuple[str, int]:
    """Replace the ``occurrence``-th ``old`` by ``new``; return the text and the 1-based line of the edit."""
    starts = [m.start() for m in re.finditer(re.escape(old), text)]
    assert len(starts) > occurrence, f"{old!r} not in the fixture"
    at = starts[occurrence]
    return text[:at] + new + text[at + len(old) :], text.count("\n", 0, at) + 1


def _refused(text: str, line: int, match: str) -> RuleFileError:
    with pytest.raises(RuleFileError) as info:
        _load(text)
    err = info.value
    assert line in err.lines, f"expected line {line}, got {err.lines}: {err.message}"
    assert any(re.search(match, issue.message) for issue in err.issues), [i.message for i in err.issues]
    assert any(issue.path.startswith(f"rules/x.yaml:{line}") for issue in err.issues)
    return err


@pytest.mark.parametrize("name", FILES)
def test_fixtures_load(name: str) -> None:
    model = _load(_text(name), name)
    assert model is not None


def test_a_rule_file_error_is_a_protocol_definition_error_with_a_stable_code() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "statement: ECOG", "statment: ECOG")
    err = _refused(text, line, "unknown key 'statment'")
    assert isinstance(err, ProtocolDefinitionError)
    assert err.code == "protocol.rule_file"
    assert err.message.startswith("rules/x.yaml:")


# -- the four mutations, one by one ---------------------------------------------------------


def test_misspelt_key_of_a_criterion() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "    title: Child-Pugh", "    titel: Child-Pugh")
    _refused(text, line, "unknown key 'titel'")


def test_misspelt_key_of_a_transition_grde() -> None:
    # The issue's example: a misspelt field in a dose-modification file loaded silently and never fired.
    text, line = _mutate(_text("dose-small.yaml"), "        - grade: 3", "        - grde: 3")
    _refused(text, line, "unknown fact path 'grde'.*did you mean grade")


def test_misspelt_field_path() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "{ecog: {lte:", "{ecgo: {lte:")
    _refused(text, line, "unknown fact path 'ecgo'.*did you mean ecog")


def test_misspelt_nested_field_path() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "contraindications.lenvatinib", "contraindication.lenvatinib")
    _refused(text, line, "unknown fact path 'contraindication.lenvatinib'")


def test_wrong_value_type_text_compared_with_a_number() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "weight_kg: {lt: 60}", 'weight_kg: {lt: "60"}')
    _refused(text, line, r"weight_kg is a number \[kg\]; it cannot be compared with '60'")


def test_wrong_value_type_number_for_a_boolean() -> None:
    text, line = _mutate(
        _text("criteria-small.yaml"), "contraindications.lenvatinib: true", "contraindications.lenvatinib: 1"
    )
    _refused(text, line, "is true/false; it cannot be compared with 1")


def test_wrong_value_type_enum_value_that_does_not_exist() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "{in: [A, B]}", "{in: [A, Bb]}")
    _refused(text, line, r"'Bb' is not one of \['A', 'B', 'C'\]")


def test_unquoted_stage_zero_is_a_number_not_a_stage() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "{in: [A, B]}", "{in: [0, A]}")
    _refused(text, line, 'write "0" in quotes')


def test_wrong_value_type_of_an_option_compared() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "option.weight_reading: actual", "option.weight_reading: 1")
    _refused(text, line, "cannot be compared with 1")


def test_wrong_value_type_of_a_key() -> None:
    text, line = _mutate(_text("dose-small.yaml"), "    priority: 2", "    priority: high")
    _refused(text, line, "valid integer")


def test_dangling_start_level() -> None:
    text, line = _mutate(_text("dose-small.yaml"), "start_level: 85mg/m2", "start_level: 58mg/m2")
    _refused(text, line, "no dose level '58mg/m2'")


def test_dangling_reduction_level() -> None:
    text, line = _mutate(_text("dose-small.yaml"), "85mg/m2: [65mg/m2]", "85mg/m2: [56mg/m2]")
    _refused(text, line, "no dose level '56mg/m2'")


def test_dangling_then_level() -> None:
    text, line = _mutate(_text("dose-small.yaml"), "then: {level: 65mg/m2}", "then: {level: 60mg/m2}")
    # the transition's line (the reference sits in it)
    err = _refused_any(text, "no dose level '60mg/m2'")
    assert err.lines[0] <= line


def _refused_any(text: str, match: str) -> RuleFileError:
    with pytest.raises(RuleFileError) as info:
        _load(text)
    assert any(re.search(match, i.message) for i in info.value.issues), [i.message for i in info.value.issues]
    return info.value


# -- other refusals ---------------------------------------------------------------------


def test_unknown_operator() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "{ecog: {lte:", "{ecog: {le:")
    _refused(text, line, "unknown operator 'le'")


def test_old_dollar_syntax_is_refused_with_a_pointer() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "{ecog: {lte: {option: ecog_limit}}}", "{$lte: {ecog: 1}}")
    _refused(text, line, "old rule syntax")


def test_undeclared_option() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "{option: ecog_limit}", "{option: ecog_limt}")
    _refused(text, line, "option 'ecog_limt' is not declared.*did you mean ecog_limit")


def test_duplicate_key_is_refused_not_overwritten() -> None:
    text, line = _mutate(
        _text("criteria-small.yaml"),
        "    title: Child-Pugh A or B\n",
        "    title: Child-Pugh A or B\n    title: again\n",
    )
    _refused(text, line + 1, "duplicate key 'title'")


def test_duplicate_rule_id() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "id: inclusion.child_pugh", "id: inclusion.ecog")
    _refused(text, line, "duplicate rule id")


def test_condition_that_can_never_be_true() -> None:
    text, line = _mutate(
        _text("criteria-small.yaml"),
        "{ecog: {lte: {option: ecog_limit}}}",
        "{all: [{ecog: {lte: 1}}, {ecog: {gt: 1}}]}",
    )
    _refused(text, line, "unreachable: this condition can never be true")


def test_condition_that_can_never_be_false() -> None:
    text, line = _mutate(
        _text("criteria-small.yaml"),
        "{ecog: {lte: {option: ecog_limit}}}",
        "{any: [{known: ecog}, {not: {known: ecog}}]}",
    )
    _refused(text, line, "can never be false")


def test_transition_that_can_never_fire() -> None:
    text, line = _mutate(_text("dose-small.yaml"), "        - grade: 3", "        - grade: {gt: 4, lt: 3}")
    _refused(text, line, "can never be true")


def test_known_on_an_always_known_fact() -> None:
    text, line = _mutate(_text("dose-small.yaml"), "        - in_neuropathy: true", "        - known: in_neuropathy")
    _refused(text, line, "always known")


def test_comparing_a_date() -> None:
    text, line = _mutate(
        _text("criteria-small.yaml"), "{ecog: {lte: {option: ecog_limit}}}", "{treatment_start: {gte: 3}}"
    )
    _refused(text, line, "is a date")


def test_calendar_rule_naming_an_undeclared_option() -> None:
    text, line = _mutate(_text("calendar-small.yaml"), "options: [cycle_length_days]", "options: [cycle_days]")
    _refused(text, line, "option 'cycle_days' is not declared")


def test_asymmetric_not_met_without_why() -> None:
    text, _ = _mutate(
        _text("criteria-small.yaml"),
        "    when: {derived.child_pugh.class: {in: [A, B]}}\n",
        "    when: {derived.child_pugh.class: {in: [A, B]}}\n    not_met_when: {derived.child_pugh.class: C}\n",
    )
    err = _refused_any(text, "asymmetric_why")
    assert err.lines[0] == _mutate(text, "- id: inclusion.child_pugh", "")[1]  # the criterion lacking the why


def test_overlapping_met_and_not_met() -> None:
    text, line = _mutate(
        _text("criteria-small.yaml"),
        "    when: {derived.child_pugh.class: {in: [A, B]}}\n",
        "    when: {derived.child_pugh.class: {in: [A, B]}}\n"
        "    not_met_when: {derived.child_pugh.class: {in: [B, C]}}\n"
        "    asymmetric_why: fixture\n",
    )
    _refused(text, line + 1, "met and not met at once")


def test_a_contradiction_that_could_make_the_criterion_met_is_refused() -> None:
    ok = "    when: {ecog: {lte: {option: ecog_limit}}}\n"
    base = _text("criteria-small.yaml")
    excluded, _ = _mutate(
        base, ok, ok + "    contradiction:\n      when: {ecog: {gt: 4}}\n      why: impossible ECOG\n"
    )
    _load(excluded)
    text, line = _mutate(
        base, ok, ok + "    contradiction:\n      when: {history.other_tki: true}\n      why: fixture\n"
    )
    _refused(text, line + 2, "could make the criterion met")


def test_a_section_that_does_not_belong_to_the_file_kind() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "kind: eligibility", "kind: calendar")
    err = _refused_any(text, "a file of kind calendar has no criteria")
    assert err.lines == (1,) or err.lines[0] <= line


def test_a_criterion_kind_that_does_not_belong_to_the_file_kind() -> None:
    text, _ = _mutate(_text("criteria-small.yaml"), "    kind: inclusion", "    kind: refractoriness")
    _refused_any(text, "does not belong in a file of kind eligibility")


def test_yaml_syntax_error_has_its_line() -> None:
    text, line = _mutate(_text("criteria-small.yaml"), "    title: ECOG 0-1", "    title: [ECOG 0-1")
    with pytest.raises(RuleFileError) as info:
        _load(text)
    assert "not valid YAML" in info.value.message
    assert info.value.lines[0] >= line  # the parser notices the unclosed [ on this line or after it


# -- sweeps: every place of every fixture -----------------------------------------------------------

_BLOCK_KEY = re.compile(r"^(\s*(?:- )?)([a-z_]+):(?=\s|$)")


def _block_keys(text: str) -> list[tuple[int, str]]:
    """(line, key) of every block-style key outside the options section (option names are free)."""
    out, in_options = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(r"^[a-z_]+:", line):
            in_options = line.startswith("options:")
        if re.match(r"^\s+reductions:", line):
            free_until = len(line) - len(line.lstrip())
        elif "free_until" in locals() and len(line) - len(line.lstrip()) > free_until:
            continue  # policy names under reductions are free names
        else:
            free_until = 10**6
        m = _BLOCK_KEY.match(line)
        if m and not (in_options and line.startswith("  ") and not line.startswith("options")):
            out.append((number, m.group(2)))
    return out


@pytest.mark.parametrize("name", FILES)
def test_sweep_every_misspelt_key_is_refused_at_its_line(name: str) -> None:
    text = _text(name)
    keys = _block_keys(text)
    assert len(keys) > 5
    for number, key in keys:
        lines = text.splitlines(keepends=True)
        lines[number - 1] = lines[number - 1].replace(f"{key}:", f"{key}x:", 1)
        with pytest.raises(RuleFileError) as info:
            _load("".join(lines))
        assert number in info.value.lines, (name, number, key, info.value.message)


_PATHS = sorted((f.path for f in patient_facts()), key=len, reverse=True)


@pytest.mark.parametrize("name", ["criteria-small.yaml", "lin-2023-eligibility.yaml"])
def test_sweep_every_misspelt_field_path_is_refused_at_its_line(name: str) -> None:
    text = _text(name)
    count = 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("#", "reads", "- derived.child_pugh.score", "- liver.")):
            continue
        for path in (p for p in _PATHS if p != "id"):
            if re.search(rf"(?<![\w.]){re.escape(path)}:", line):
                lines = text.splitlines(keepends=True)
                lines[number - 1] = lines[number - 1].replace(f"{path}:", f"{path}z:", 1)
                with pytest.raises(RuleFileError) as info:
                    _load("".join(lines))
                assert number in info.value.lines, (name, number, path)
                assert "unknown fact path" in info.value.message
                count += 1
                break
    assert count >= 3


@pytest.mark.parametrize("name", ["criteria-small.yaml", "lin-2023-eligibility.yaml", "dose-small.yaml"])
def test_sweep_every_wrong_value_type_is_refused_at_its_line(name: str) -> None:
    """Every constant of a condition replaced by a value of another kind (true <-> text, number -> text)."""
    text = _text(name)
    count = 0
    pattern = re.compile(r"(?<=: )(true|false|\d+(?:\.\d+)?)(?=[},]|$)")
    for number, line in enumerate(text.splitlines(), 1):
        if not re.search(r"(when|all|any|^\s*- [a-z_.]+:|\{[a-z_.]+: )", line) or "priority" in line:
            continue
        m = pattern.search(line)
        if m is None or "interval_days" in line or "amount" in line:
            continue
        lines = text.splitlines(keepends=True)
        lines[number - 1] = line[: m.start()] + '"wrong"' + line[m.end() :] + "\n"
        with pytest.raises(RuleFileError) as info:
            _load("".join(lines))
        assert number in info.value.lines, (name, number, line)
        count += 1
    assert count >= 3


def test_sweep_every_level_reference_dangling_is_refused() -> None:
    text = _text("dose-small.yaml")
    refs = [
        m.start()
        for m in re.finditer(
            r"(?<=start_level: )85mg/m2|(?<=\[)65mg/m2|(?<=level: )65mg/m2|"
            r"^\s+85mg/m2(?=:)",
            text,
            re.M,
        )
    ]
    assert len(refs) == 4
    for at in refs:
        end = text.index("m2", at) + 2
        mutated = text[:at] + text[at:end].replace("mg", "mgx") + text[end:]
        with pytest.raises(RuleFileError) as info:
            _load(mutated)
        assert "no dose level" in info.value.message
