"""The registry lists every rule once; the calendar's rules and every shipped criterion fit the model."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.model import RuleFileError, load_rule_file, load_rule_text
from hccprotocol.model.options import options_from_model
from hccprotocol.model.registry import registry
from hccprotocol.schedule.rules import RULES

FIXTURES = Path(__file__).parent.parent / "fixtures" / "model"
RULE_DIR = Path(__file__).resolve().parents[2] / "rules"
OPTIONS = options_from_model(EligibilityOptions, "protocol/*.yaml, eligibility")


def _files() -> list[object]:
    return [
        load_rule_file(RULE_DIR / "jsh-lcsgj-2014.yaml", options=OPTIONS),
        load_rule_file(RULE_DIR / "lin-2023-eligibility.yaml", options=OPTIONS),
        load_rule_file(FIXTURES / "dose-small.yaml", categories=["neuropathy", "hypersensitivity"]),
    ]


LINE_ECOG = 1 + next(
    i for i, line in enumerate((RULE_DIR / "lin-2023-eligibility.yaml").read_text().splitlines())
    if line == "  - id: inclusion.ecog_0_1"
)


def test_registry_lists_every_rule_with_file_version_and_hash() -> None:
    entries = registry(_files())  # type: ignore[arg-type]
    ids = [e.id for e in entries]
    # JSH 2014: 7 session findings and 5 criteria; Lin 2023: 15 criteria; the dose fixture: 3 transitions
    assert len(ids) == len(set(ids)) == 7 + 5 + 15 + 3
    ecog = next(e for e in entries if e.id == "inclusion.ecog_0_1")
    assert ecog.file.endswith("lin-2023-eligibility.yaml") and ecog.version == "2.1.0"
    assert ecog.source == "Lin et al. 2023, Patients, inclusion (4)"
    assert ecog.line == LINE_ECOG and len(ecog.file_sha256) == 64  # the line of "- id: inclusion.ecog_0_1"


def test_an_id_in_two_files_is_refused_naming_both() -> None:
    a = load_rule_file(FIXTURES / "criteria-small.yaml")
    b = load_rule_text((FIXTURES / "criteria-small.yaml").read_text(), "site/criteria-copy.yaml")
    with pytest.raises(RuleFileError, match=r"already defined in .*criteria-small.yaml:\d+"):
        registry([a, b])


def test_the_calendar_rules_fit_the_model() -> None:
    """Migration check: the calendar's rules (today a Python list) load as a calendar rule file."""
    text = yaml.safe_dump(
        {
            "id": "lin-2023-calendar",
            "version": "1.0.0",
            "kind": "calendar",
            "title": "Calendar rules",
            "source": "src/hccprotocol/schedule/rules.py",
            "calendar": [
                {
                    "id": r.id,
                    "title": r.id.removeprefix("schedule.").replace("_", " "),
                    "statement": r.statement,
                    "source": r.source,
                }
                for r in RULES.values()
            ],
        },
        sort_keys=False,
    )
    model = load_rule_text(text, "rules/calendar.yaml")
    assert [r.id for r in model.calendar] == list(RULES)
    assert len(RULES) >= 12


def test_the_shipped_refractoriness_file_loads_with_the_protocol_options() -> None:
    """The options come from the protocol's eligibility section (types, defaults, whys), not a second list."""
    options = options_from_model(EligibilityOptions, "protocol/*.yaml, eligibility")
    assert options["invasion_spread_reading"].values == ("presence", "appearance")
    assert options["invasion_spread_reading"].default == "appearance"  # issue 8: JSH "appearance" by default
    assert (options["response_window_min_days"].kind, options["response_window_min_days"].default) == ("integer", 28)
    assert "criteria_rules" not in options  # a rule-file name is no option a condition reads
    data = yaml.safe_load((RULE_DIR / "jsh-lcsgj-2014.yaml").read_text())
    model = load_rule_text(yaml.safe_dump(data, sort_keys=False), "rules/jsh-lcsgj-2014.yaml", options=options)
    assert len(model.criteria) == 5
    data["criteria"][2]["when"] = {
        "tace.tumour_markers_rising.consecutive_sessions": {"gte": {"option": "tumour_marker_sessions"}}
    }
    with pytest.raises(RuleFileError, match="did you mean tumour_markers_sessions_required"):
        load_rule_text(yaml.safe_dump(data, sort_keys=False), "rules/jsh-lcsgj-2014.yaml", options=options)
