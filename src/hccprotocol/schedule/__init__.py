"""Per-patient treatment calendars (issue 5): options, the date engine, site calendars, adapters.

Import what you need from the submodules: ``options`` (the protocol's
``schedule:`` section), ``engine`` (``build_schedule`` -> DataFrame),
``labs`` (pre-cycle checks), ``site_calendar``, ``timeline`` (the engine's
interface to dosing and the course), ``adapters`` (from the dosing, course and
eligibility packages), ``plan`` (``make_plan``: validation, eligibility gate,
output document), ``command`` (the ``plan`` CLI command), ``clock``
(injectable "today") and ``rules`` (rule ids, statements, sources). This package ``__init__`` imports
nothing so that ``hccprotocol.protocol`` can import ``schedule.options``
without a cycle.
"""
