"""The only module that talks to durable_rules; it makes the library's traps unreachable.

Why a wrapper: durable_rules 2.0.28 gives silently wrong answers or crashes
when used naively (see shared/reference/library-notes.md §1). This module
closes each trap:

* **Events are consumed by the first matching rule** -> everything is asserted
  as a *fact*, so every matching rule fires.
* **1024 sessions per ruleset, overflow is fatal** -> every evaluation uses a
  fresh session id and deletes it in ``finally``; evaluations are serialised,
  so at most one session per ruleset is ever live. A ``MemoryError`` marks the
  engine broken: every later call raises :class:`RuleEngineError` instead of
  risking a segfault.
* **Exceptions inside actions are swallowed into the state** -> actions are
  wrapped; any exception, and any ``exception`` key in the state, is raised as
  :class:`RuleEngineError` from :meth:`RuleEngine.evaluate`.
* **Not thread-safe; background threads call into C** -> a host subclass that
  never starts the dispatcher/timer threads, and one re-entrant lock around
  every call into the library.
* **Definitions are mutated on registration; names cannot be re-registered**
  -> definitions are deep-copied; re-registering an identical definition is a
  no-op and a different one under the same name is an error.
* **On Python 3.12+ every action emits a DeprecationWarning** (``utcfromtimestamp``);
  where warnings are errors no action would run -> that one warning is ignored
  around calls into the library, and only there.
* **NaN / None match ``== None``; numpy ints and Decimals are rejected** ->
  facts are sanitised: ``None`` and NaN keys are dropped (a missing attribute
  never matches), numpy scalars and Decimals become Python numbers.
* **The C parser cannot read exponent notation without a decimal point**
  (``1e-05``, ``1e+16``: "error code: 204"; found here). Python's ``json``
  writes such floats for every value below 1e-4 or from 1e16 on, so a valid
  viable-tumour percentage of 0.00001 failed the assessment and, because the
  failed session was then deleted although it had never been created, left
  the engine unusable -> facts are serialised here (:func:`to_json`) with
  every float in positional notation, exactly (the shortest repr's digits,
  never rounded), and asserted as that text; a rule definition holding such a
  float is refused at registration with the value named. A session is deleted
  only if a fact was actually taken in.

Two more traps, found here and not in library-notes.md (both reproduced on 2.0.28):

* **The first session of a ruleset, deleted after a fact no rule matched,
  crashes the C engine** (invalid free) -> ``register`` runs one matching
  warm-up session, then deletes it, before any real evaluation.
* **A condition (or an ``$or`` branch) made only of ``$nex`` tests fires
  without end on one fact** (millions of firings, the call never returns and
  would hold the lock for good) -> ``register`` refuses such conditions.
  Also: an ``$or`` whose branches both hold fires once per branch, so callers
  read firings as a set.

Rules are bound to actions by name: a rule's ``run`` is the rule id, and the
engine records each firing as ``(rule_id, fact)``. Callers never see durable.
"""

from __future__ import annotations

import copy
import decimal
import itertools
import json
import math
import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from durable import engine as _durable

from hccprotocol.errors import RuleEngineError

__all__ = ["Firing", "RuleEngine", "get_engine"]


@dataclass(frozen=True)
class Firing:
    """One rule that fired, with the fact it matched."""

    rule_id: str
    fact: dict[str, Any]


class _QuietHost(_durable.Host):  # type: ignore[misc]
    """A durable host that never starts background threads and resolves actions by name."""

    def __init__(self, engine: RuleEngine) -> None:
        self._engine = engine
        super().__init__()

    def _run(self) -> None:
        """Start no dispatcher or timer threads (they call into C concurrently and can segfault)."""

    def get_action(self, action_name: str) -> Any:
        return self._engine._action(action_name)

    def assert_fact_text(self, ruleset_name: str, fact: Mapping[str, Any], text: str) -> Any:
        """``Host.assert_fact`` with the fact given as JSON text (written by :func:`to_json`).

        Why: ``Ruleset.assert_fact`` serialises with ``json.dumps``, whose exponent notation the C
        parser rejects. This is the library's own code path (``_handle_function`` -> ``_handle_result``)
        with only the serialisation replaced (durable_rules 2.0.28 is pinned; it has no public hook).
        """
        rules = self.get_ruleset(ruleset_name)

        def take(_: Any) -> Any:
            return rules._handle_result(_durable.durable_rules_engine.assert_fact(rules._handle, text), dict(fact))

        return self._handle_function(rules, take, fact, None)


class RuleEngine:
    """Thread-safe, leak-proof evaluation of JSON rulesets over a list of facts."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._host = _QuietHost(self)
        self._definitions: dict[str, str] = {}
        self._sids = itertools.count(1)
        self._firings: dict[str, list[Firing]] = {}
        self._errors: dict[str, list[str]] = {}
        self._broken: str | None = None
        self._fault: str | None = None

    # -- registration -------------------------------------------------------
    def register(self, name: str, rules: Mapping[str, Mapping[str, Any]]) -> None:
        """Register ruleset ``name``: ``{rule_id: {"all": [...]}}``. Each rule's action is its id."""
        canonical = json.dumps(rules, sort_keys=True)
        with self._lock:
            self._check_usable()
            existing = self._definitions.get(name)
            if existing is not None:
                if existing != canonical:
                    raise RuleEngineError(f"ruleset {name!r} is already registered with a different definition")
                return
            definition = {rule_id: dict(rule) for rule_id, rule in copy.deepcopy(dict(rules)).items()}
            for rule_id, rule in definition.items():
                if "run" in rule:
                    raise RuleEngineError(f"rule {rule_id!r}: 'run' is assigned by the engine, not by the rule")
                _check_positive_tests(rule_id, rule)
                _check_readable_numbers(rule_id, rule)
                rule["run"] = f"{name}\x1f{rule_id}"
            definition[_WARM_UP] = {"all": [{"m": {_WARM_UP_KEY: 1}}], "run": f"{name}\x1f{_WARM_UP}"}
            try:
                self._host.register_rulesets({name: definition})
                self._warm_up(name)
            except Exception as exc:
                raise RuleEngineError(f"durable_rules rejected ruleset {name!r}: {exc}") from exc
            self._definitions[name] = canonical

    def _warm_up(self, name: str) -> None:
        """Run one matching session first: durable_rules 2.0.28 crashes (invalid free in C) when the first
        session of a ruleset is deleted after a fact no rule matched. One matched-and-deleted session
        before any real evaluation avoids it (3,000 unmatched sessions afterwards ran clean)."""
        sid = "warm-up"
        self._firings[sid] = []
        self._errors[sid] = []
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "datetime.datetime.utcfromtimestamp", DeprecationWarning)
            try:
                self._host.assert_fact(name, {_WARM_UP_KEY: 1, "sid": sid})
                self._host.delete_state(name, sid)
            finally:
                self._firings.pop(sid, None)
                self._errors.pop(sid, None)

    def is_registered(self, name: str) -> bool:
        with self._lock:
            return name in self._definitions

    # -- evaluation ---------------------------------------------------------
    def evaluate(self, name: str, facts: Sequence[Mapping[str, Any]]) -> list[Firing]:
        """Assert ``facts`` in a fresh session of ruleset ``name`` and return every firing, in order."""
        with self._lock, warnings.catch_warnings():
            warnings.filterwarnings("ignore", "datetime.datetime.utcfromtimestamp", DeprecationWarning)
            self._check_usable()
            if name not in self._definitions:
                raise RuleEngineError(f"ruleset {name!r} is not registered")
            sid = str(next(self._sids))
            self._firings[sid] = []
            self._errors[sid] = []
            created = False
            try:
                for fact in facts:
                    clean = sanitise(fact)
                    clean["sid"] = sid
                    text = to_json(clean)
                    try:
                        self._host.assert_fact_text(name, clean, text)
                        created = True
                    except MemoryError:
                        self._broken = "durable_rules session table overflowed"
                        raise RuleEngineError(self._broken) from None
                    except _durable.MessageNotHandledException:
                        created = True  # no rule matches this fact: nothing fires, which is an answer
                    except _durable.MessageObservedException:
                        created = True
                        raise RuleEngineError(f"duplicate fact asserted in ruleset {name!r}: {clean}") from None
                    except _durable.durable_rules_engine.error as exc:
                        # The fact was not taken in (e.g. unreadable text): the session exists only if an
                        # earlier fact created it; the engine stays usable.
                        raise RuleEngineError(
                            f"durable_rules could not read a fact of ruleset {name!r} ({exc}); the result was discarded"
                        ) from None
                state = self._host.get_state(name, sid) if created else {}
                if isinstance(state, dict) and "exception" in state:
                    self._errors[sid].append(str(state["exception"]))
                if self._errors[sid]:
                    raise RuleEngineError(
                        f"a rule action failed in ruleset {name!r}; the result was discarded: {self._errors[sid][0]}"
                    )
                return list(self._firings[sid])
            finally:
                self._firings.pop(sid, None)
                self._errors.pop(sid, None)
                if created and self._broken is None:
                    try:
                        self._host.delete_state(name, sid)
                    except Exception as exc:
                        self._broken = f"durable_rules could not delete session state: {exc}"

    # -- internals ----------------------------------------------------------
    def _check_usable(self) -> None:
        if self._broken is not None:
            raise RuleEngineError(f"the rule engine is unusable ({self._broken}); restart the process")

    def _action(self, action_name: str) -> Any:
        _, _, rule_id = action_name.partition("\x1f")

        def act(c: Any) -> None:
            if self._fault == rule_id:
                raise RuntimeError(f"injected failure in {rule_id}")
            sid = str(c.s.sid) if c.s is not None else "?"
            try:
                matched = c.m
                fact = dict(matched._d) if matched is not None else {}
                fact.pop("sid", None)
                self._firings[sid].append(Firing(rule_id=rule_id, fact=fact))
            except Exception as exc:  # never let durable swallow it
                self._errors.setdefault(sid, []).append(f"{rule_id}: {type(exc).__name__}: {exc}")

        return act

    def inject_action_failure(self, rule_id: str | None) -> None:
        """Make the action of ``rule_id`` raise, outside any guard, as a library-level failure would.

        For tests only: proves that an exception durable_rules swallows into the
        session state still reaches the caller. ``None`` clears the fault.
        """
        with self._lock:
            self._fault = rule_id


def _check_positive_tests(rule_id: str, rule: Mapping[str, Any]) -> None:
    """Refuse a condition with an alternative made only of ``$nex`` tests.

    durable_rules 2.0.28 fires such a rule endlessly on one fact (verified: millions of firings, the
    call never returns, and here it would hold the engine lock for good).
    """
    for part in [*rule.get("all", ()), *rule.get("any", ())]:
        for cond in part.values() if isinstance(part, Mapping) else ():
            if isinstance(cond, Mapping) and not all(_alternatives_positive(cond)):
                raise RuleEngineError(
                    f"rule {rule_id!r}: an alternative of its condition has only $nex tests, which durable_rules "
                    "fires without end; add a positive test (e.g. $ex on another field)"
                )


def _alternatives_positive(cond: Mapping[str, Any]) -> list[bool]:
    """For each alternative of the condition's disjunctive form: does it contain a non-$nex test?"""
    if len(cond) != 1:
        return [True]
    ((key, arg),) = cond.items()
    if key == "$or" and isinstance(arg, list):
        return [ok for sub in arg for ok in _alternatives_positive(sub)]
    if key == "$and" and isinstance(arg, list):
        parts = [_alternatives_positive(sub) for sub in arg]
        return [not all(False in part for part in parts)]
    return [key != "$nex"]


def sanitise(fact: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-safe copy: None/NaN dropped, numpy scalars and Decimals turned into Python numbers."""
    out: dict[str, Any] = {}
    for key, value in fact.items():
        clean = _clean(value)
        if clean is not _DROP:
            out[key] = clean
    return out


_DROP = object()


def _clean(value: Any) -> Any:
    if value is None:
        return _DROP
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _DROP if math.isnan(value) else value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return sanitise(value)
    if isinstance(value, list | tuple):
        return [c for c in (_clean(v) for v in value) if c is not _DROP]
    item = getattr(value, "item", None)  # numpy scalar
    if callable(item):
        return _clean(item())
    raise RuleEngineError(f"value {value!r} of type {type(value).__name__} cannot be given to the rule engine")


def to_json(value: Any) -> str:
    """JSON text of a sanitised fact in which every float is written in positional notation, exactly.

    ``repr`` gives the shortest digits that read back as the same float; only its exponent form is
    rewritten (``1e-05`` -> ``0.00001``, ``1e+16`` -> ``10000000000000000.0``), so the C parser reads
    back exactly the value given (checked for the extremes of every plausible range in the tests).
    """
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise RuleEngineError(f"integer {value} is outside the range durable_rules reads (64-bit)")
        return str(value)
    if isinstance(value, float):
        return positional(value)
    if isinstance(value, Mapping):
        items = (f"{json.dumps(str(k), ensure_ascii=False)}: {to_json(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    raise RuleEngineError(f"value {value!r} of type {type(value).__name__} cannot be given to the rule engine")


_INT64 = (-(2**63), 2**63 - 1)


def positional(x: float) -> str:
    """A finite float as JSON in positional notation, with the digits of ``repr`` (never rounded)."""
    if not math.isfinite(x):
        raise RuleEngineError(f"value {x!r} is not a finite number and cannot be given to the rule engine")
    text = repr(x)
    if "e" in text or "E" in text:
        text = format(decimal.Decimal(text), "f")
    if "." not in text:
        text += ".0"
    return text


def _check_readable_numbers(rule_id: str, rule: Any) -> None:
    """Refuse a float durable_rules' C parser cannot read back from its definition (exponent notation)."""
    if isinstance(rule, float):
        if "e" in repr(rule) or "E" in repr(rule) or not math.isfinite(rule):
            raise RuleEngineError(
                f"rule {rule_id!r}: the value {rule!r} cannot be read by durable_rules (exponent notation); "
                "write thresholds between 0.0001 and 1e16 in magnitude (or 0)"
            )
    elif isinstance(rule, Mapping):
        for value in rule.values():
            _check_readable_numbers(rule_id, value)
    elif isinstance(rule, list | tuple):
        for value in rule:
            _check_readable_numbers(rule_id, value)


_WARM_UP = "\x1fwarm-up"
_WARM_UP_KEY = "hccprotocol_warm_up__"

_ENGINE: RuleEngine | None = None
_ENGINE_LOCK = threading.Lock()


def get_engine() -> RuleEngine:
    """The process-wide engine (one durable host per process: each host leaks threads otherwise)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = RuleEngine()
        return _ENGINE
