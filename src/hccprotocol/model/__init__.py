"""The protocol model: validated, deeply immutable, and free of any engine.

Why engine-free: the durable_rules engine, the pandas cohort engine, the review
report and the registry all read this one model. Importing it loads pydantic and
PyYAML only, never durable_rules, pandas or jinja2 (a test keeps it so).
"""

from hccprotocol.model.conditions import All, Any_, Compare, Condition, Const, In, Known, Not, OptionRef
from hccprotocol.model.errors import RuleFileError
from hccprotocol.model.facts import CountRange, Fact, FactCatalogue, check_fact_values, standard_catalogue
from hccprotocol.model.frozen import FrozenMap
from hccprotocol.model.loader import load_rule_file, load_rule_text
from hccprotocol.model.options import OptionSpec
from hccprotocol.model.registry import RegistryEntry, registry
from hccprotocol.model.rules import (
    Agent,
    CalendarRule,
    Criterion,
    DoseLevel,
    Explain,
    NotEvaluated,
    Rule,
    RuleFile,
    SessionFinding,
    Transition,
)

__all__ = [
    "Agent",
    "All",
    "Any_",
    "CalendarRule",
    "Compare",
    "Condition",
    "Const",
    "CountRange",
    "Criterion",
    "DoseLevel",
    "Explain",
    "Fact",
    "FactCatalogue",
    "FrozenMap",
    "In",
    "Known",
    "Not",
    "NotEvaluated",
    "OptionRef",
    "OptionSpec",
    "RegistryEntry",
    "Rule",
    "RuleFile",
    "RuleFileError",
    "SessionFinding",
    "Transition",
    "check_fact_values",
    "load_rule_file",
    "load_rule_text",
    "registry",
    "standard_catalogue",
]
