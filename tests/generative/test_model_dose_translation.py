"""Migration evidence for dose modification: every transition of the old tables, translated by
``hccprotocol.model.legacy``, loads through the model and fires exactly when the old one does; the
shipped tables (now written in the model's language) are that translation, row for row.

The old-syntax files (tests/fixtures/legacy-dose-modification/, the rules/dose-modification-*.yaml
of protocol 1.1.0 before the migration, kept unchanged as the reference) are read, their
conditions translated, and the result loaded with the model's loader (declared facts of a
course event, the CTCAE categories of rules/dose-modification-categories.yaml, the protocol's
modification options): every path, value kind and reachability check passes. Then, for random
course-event facts, the old condition on durable_rules (as the course engine asserts them today:
flags present only when true, options copied into the fact) fires exactly when the translated
condition is true under the reference evaluator, and so is the shipped table's condition; every
other field of each row (event, agents, policies, from, action, then, release, warning, priority,
reason, source) is the old row's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccprotocol.course.tables import tables
from hccprotocol.engines.reference import evaluate
from hccprotocol.model import RuleFile, load_rule_text
from hccprotocol.model.legacy import translate_condition
from hccprotocol.model.options import OptionSpec
from hccprotocol.rules_engine import get_engine

pytestmark = pytest.mark.agreement

RULES = Path(__file__).parent.parent.parent / "rules"
LEGACY = Path(__file__).parent.parent / "fixtures" / "legacy-dose-modification"
FILES = ("dose-modification-folfox.yaml", "dose-modification-lenvatinib.yaml", "dose-modification-pd1.yaml")
CATEGORIES = tuple(yaml.safe_load((RULES / "dose-modification-categories.yaml").read_text())["categories"])

# The old engine copied these options into each fact; in the model they are options read as facts.
OPTION_FACTS = {
    "hypersensitivity": ("folfox_hypersensitivity", ("any_grade", "grade3_or_anaphylaxis")),
    "lab_grade4": ("lenvatinib_lab_grade4", ("manage_as_grade3", "discontinue")),
    "proteinuria_resume": ("lenvatinib_proteinuria_resume", ("below_2_g", "at_or_below_2_g")),
    "rpls": ("lenvatinib_rpls", ("discontinue", "withhold_then_reduce")),
    "proteinuria_event": ("lenvatinib_proteinuria_event", ("grade2_withholds", "labs_decide")),
    "infusion_reaction": ("pd1_infusion_reaction", ("interrupt_and_premedicate", "hold_until_resolved")),
    "hepatitis_transaminases": ("pd1_hepatitis_transaminases", ("discontinue", "hold")),
}
OPTIONS = {
    name: OptionSpec(
        name=name,
        kind="enum",
        values=values,
        default=values[0],
        why="shipped default",
        source="protocol/ modification section",
    )
    for name, values in OPTION_FACTS.values()
}
# Asserted by the old engine only when true (absent otherwise): always known booleans in the model.
FLAGS = frozenset(
    {"attributed", "regimen_attributed", "procedure_attributed", "blocking", "proteinuria_blocking"}
    | {"before_first_dose", "reduced_today", "stated_not_life_threatening", "lab_derived"}
    | {f"in_{c}" for c in CATEGORIES}
    | {f"first_{c}" for c in CATEGORIES}
)


def _translated(name: str) -> tuple[dict[str, Any], RuleFile]:
    old = yaml.safe_load((LEGACY / name).read_text())
    transitions = []
    for t in old["transitions"]:
        new = {
            "id": t["id"],
            "title": t["reason"][0].upper() + t["reason"][1:],
            "statement": t["reason"],
            "source": t["source"],
            "event": t["event"],
            "when": translate_condition(
                t["when"], renames={k: f"option.{v[0]}" for k, v in OPTION_FACTS.items()}, flag=FLAGS.__contains__
            ),
            "action": t["action"],
            "priority": t["priority"],
        }
        for key in ("agents", "policies", "from", "then"):
            if key in t:
                new[key] = t[key]
        transitions.append(new)
    text = yaml.safe_dump(
        {
            "id": old["id"],
            "version": "2.0.0",
            "kind": "dose_modification",
            "title": old["title"],
            "source": f"translated from rules/{name}",
            "transitions": transitions,
        },
        sort_keys=False,
    )
    model = load_rule_text(text, f"translated/{name}", options=OPTIONS, categories=CATEGORIES)
    return old, model


TRANSLATED = {name: _translated(name) for name in FILES}
SHIPPED = {t.id: t for t in tables()}


@pytest.mark.parametrize("name", FILES)
def test_the_shipped_table_is_the_old_one_row_for_row(name: str) -> None:
    old, _ = TRANSLATED[name]
    table = SHIPPED[old["id"]]
    assert table.agents == tuple(old["agents"]) and table.policy_option == old["policy_option"]
    assert [t.id for t in table.transitions] == [t["id"] for t in old["transitions"]]
    for row, new in zip(old["transitions"], table.transitions, strict=True):
        assert (new.event, new.action, new.priority, new.reason, new.source) == (
            row["event"], row["action"], row["priority"], row["reason"], row["source"]
        ), row["id"]  # fmt: skip
        assert new.agents == tuple(row.get("agents", ())) and new.policies == tuple(row.get("policies", ()))
        assert new.from_ == tuple(row.get("from", ("active", "interrupted", "held", "delayed")))
        assert (new.then, new.release, new.warning) == (
            row.get("then"), row.get("release", "resolution"), row.get("warning")
        ), row["id"]  # fmt: skip


@pytest.mark.parametrize("name", FILES)
def test_every_shipped_transition_loads_through_the_model(name: str) -> None:
    old, model = TRANSLATED[name]
    assert [t.id for t in model.transitions] == [t["id"] for t in old["transitions"]]
    assert all(t.version == "2.0.0" and t.line > 0 for t in model.transitions)


TERMS = [
    "Peripheral sensory neuropathy",
    "Anaphylaxis",
    "Allergic reaction",
    "Neutrophil count decreased",
    "Proteinuria",
    "Hepatic failure",
    "Diarrhea",
    "Hypothyroidism",
    "Fatigue",
    "Reversible posterior leukoencephalopathy syndrome",
    "Infusion related reaction",
    "Alanine aminotransferase increased",
]
EVENTS = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(
            ["ae_onset", "ae_persisting", "ae_resolved", "lab_protein", "clinician", "companion_discontinued"]
        ),
        "agent": st.sampled_from(["oxaliplatin", "leucovorin", "fluorouracil", "lenvatinib", "pd1"]),
        "status": st.sampled_from(["active", "delayed", "interrupted", "held"]),
        "can_reduce": st.booleans(),
        "below_start": st.booleans(),
        "blockers_remaining": st.integers(0, 2),
        "clinician_hold": st.booleans(),
        "previous_holds": st.integers(0, 2),
        "ongoing_max_grade": st.integers(0, 4),
        "grade": st.one_of(st.none(), st.integers(1, 5)),
        "term": st.one_of(st.none(), st.sampled_from(TERMS)),
        "immune_related": st.one_of(st.none(), st.booleans()),
        "persist": st.one_of(st.none(), st.sampled_from(["neuropathy", "toxicity"])),
        "companion": st.one_of(st.none(), st.sampled_from(["fluorouracil", "oxaliplatin"])),
        "action": st.one_of(st.none(), st.sampled_from(["restore", "hold", "resume", "discontinue"])),
        "urine_protein_g_24h": st.one_of(st.none(), st.sampled_from([1.0, 1.99, 2.0, 2.01, 3.5])),
        **{flag: st.booleans() for flag in sorted(FLAGS)},
    }
)
CHOICES = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in OPTION_FACTS.values()})


def _old_fact(event: dict[str, Any], options: dict[str, str]) -> dict[str, Any]:
    fact = {k: v for k, v in event.items() if v is not None and not (k in FLAGS and v is False)}
    for old_key, (option, _) in OPTION_FACTS.items():
        fact[old_key] = options[option]
    return fact


def _register_old(name: str) -> str:
    old, _ = TRANSLATED[name]
    ruleset = f"old-{name}"
    get_engine().register(ruleset, {t["id"]: {"all": [{"m": t["when"]}]} for t in old["transitions"]})
    return ruleset


OLD_RULESETS = {name: _register_old(name) for name in FILES}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=EVENTS, options=CHOICES)
def test_translated_transitions_fire_exactly_when_the_old_ones_do(
    event: dict[str, Any], options: dict[str, str]
) -> None:
    for name in FILES:
        _, model = TRANSLATED[name]
        fired_old = {f.rule_id for f in get_engine().evaluate(OLD_RULESETS[name], [_old_fact(event, options)])}
        facts = {k: v for k, v in event.items() if v is not None}
        fired_new = {t.id for t in model.transitions if evaluate(t.when, facts, options) is True}
        assert fired_new == fired_old, name
        shipped = SHIPPED[model.id].transitions
        assert {t.id for t in shipped if evaluate(t.when, facts, options) is True} == fired_old, name
