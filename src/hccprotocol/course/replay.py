"""The replay: record entries in date order -> one fact per drug -> transition table -> state change.

Why a small state per drug (not nested ifs): the only memory the rules need is
the drug's status, its step down the reduction ladder, the events holding it
(each with the level it resumes at), a clinician hold, a laboratory delay and
the categories already seen. Everything clinical is decided by the tables in
``rules/dose-modification-*.yaml``; this module only builds facts and applies
the chosen action, with invariants the property tests check:

* the level index never goes below 0 (never above the start level / protocol maximum);
* a discontinued drug has no facts built for it (it never restarts);
* a PD-1 ladder is empty (validated in the protocol), so it can only be held or discontinued.

Same-date order: start, resolutions, persistence thresholds, onsets, resolutions of events that began that
same day (an event resolved on its onset date is still applied, then released), laboratory results (pre-cycle
limits, then urine protein), clinician decisions (a decision acts on the state of its day).

Besides the record's adverse events, the replay reads events derived from dated lab values
(:mod:`hccprotocol.course.lab_grading`: a lab-only grade 4 neutropenia or grade 3-4 thrombocytopenia) and urine
protein before lenvatinib's first dose (withheld from its start). A reduction counts as an occurrence that a
restore never gives back (``Track.occurrences``), and a restore is refused on the day a reduced dose takes effect.

Dates: the HAIC drugs start on the course start (cycle day 1); lenvatinib and the PD-1 inhibitor on
cycle day ``schedule.systemic_start.default_day`` (the calendar may move it within its window). With
``as_of`` nothing dated after it is replayed; a persistence threshold an ongoing event would cross
later is reported as a warning with its date, never as an event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from hccprotocol.course import lab_grading, precycle
from hccprotocol.course.model import AgentState, AgentTrack, Course, CourseAction, CourseEvent, DrugStatus, Snapshot
from hccprotocol.course.record import HAIC_PROCEDURE, CourseInputError, agent_start, check_record, resolve_agent
from hccprotocol.course.tables import (
    Table,
    Transition,
    categories,
    course_rules,
    model_facts,
    option_values,
    select,
    table_for,
)
from hccprotocol.dosing import calc
from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.model.course_rules import LabEvent
from hccprotocol.model.semantics import evaluate
from hccprotocol.patient import AdverseEvent, Patient
from hccprotocol.protocol import Agent, Protocol
from hccprotocol.regimen import policy_option

__all__ = ["baseline_notes", "baseline_statuses", "replay"]

Kind = Literal["start", "ae_resolved", "ae_persisting", "ae_onset", "lab", "lab_protein", "clinician"]
_ORDER: dict[Kind, int] = {
    "start": 0,
    "ae_resolved": 1,
    "ae_persisting": 2,
    "ae_onset": 3,
    "lab": 4,
    "lab_protein": 5,
    "clinician": 6,
}
PROTEINURIA_BLOCKER = -1
"""Key of the hold set by a urine protein result (``labs[]``) in ``Track.blockers`` (adverse events use their index)."""


@dataclass(frozen=True)
class Item:
    date: dt.date
    kind: Kind
    index: int = -1
    agent: str = ""
    persist: str = ""
    days_option: str = ""
    """For ``ae_persisting``: the modification option that gave the days (rules/dose-modification-course.yaml)."""
    same_day: bool = False
    """An ``ae_resolved`` on the event's own onset date: replayed right after that onset (issue 9 item 7)."""
    before_start: bool = False
    """A ``lab_protein`` result dated up to lenvatinib's start: taken before the first dose."""

    def key(self) -> tuple[dt.date, float, int, str]:
        order = _ORDER["ae_onset"] + 0.5 if self.same_day else _ORDER[self.kind]
        return (self.date, order, self.index, self.agent)


@dataclass
class Track:
    agent: Agent
    name: str
    table: Table
    policy: str
    start: str
    start_why: str
    ladder: tuple[str, ...]
    start_date: dt.date
    started: bool = False
    step: int = 0
    occurrences: int = 0
    """Reductions so far. A restore lowers ``step`` but never this: a recurrence is the next occurrence."""
    reduced_on: dt.date | None = None
    clinician_release: set[int] = field(default_factory=set)
    """Blockers whose hold needs a recorded clinician resume besides their resolution (``release: clinician``)."""
    discontinued: bool = False
    blockers: dict[int, str] = field(default_factory=dict)
    pending_reduce: bool = False
    pause_word: Literal["interrupted", "held"] = "held"
    clinician_hold: bool = False
    lab_delayed: bool = False
    previous_holds: int = 0
    seen: set[str] = field(default_factory=set)
    reduce_rule: Transition | None = None
    protein_lab: int | None = None
    start_hold: tuple[Transition, str] | None = None
    """A hold decided before the drug started (urine protein before the first dose): emitted with the start."""
    paused_on: dt.date | None = None
    """The last day a hold/interrupt was applied: that day's administration is withheld even when the drug
    resumes the same day (a same-day resolution or ``release: same_day``), see ``_Replay.state_as_of``."""

    @property
    def level(self) -> str:
        return self.start if self.step == 0 else self.ladder[self.step - 1]

    @property
    def can_reduce(self) -> bool:
        return self.occurrences < len(self.ladder)

    @property
    def next_level(self) -> str:
        """The level of the next occurrence (the label counts occurrences: a restored level does not reset it)."""
        return self.ladder[self.occurrences]

    @property
    def resume_level(self) -> str | None:
        """The level the drug resumes at when nothing holds it any more (None: no lower level, it is discontinued)."""
        if not self.pending_reduce:
            return self.level
        return self.next_level if self.can_reduce else None

    @property
    def paused(self) -> bool:
        return bool(self.blockers) or self.clinician_hold

    @property
    def status(self) -> DrugStatus:
        if self.discontinued:
            return "discontinued"
        if self.paused:
            return self.pause_word
        return "delayed" if self.lab_delayed else "active"


class _Replay:
    def __init__(self, patient: Patient, protocol: Protocol, start: dt.date, as_of: dt.date | None) -> None:
        self.patient = patient
        self.protocol = protocol
        self.start = start
        self.as_of = as_of
        self.events: list[CourseEvent] = []
        self.snapshots: list[Snapshot] = []
        self.bsa = calc.bsa_for_dosing(patient, protocol)
        self.aes: list[AdverseEvent] = list(patient.adverse_events or ())
        self.recorded = len(self.aes)
        """Indexes below this are record entries (adverse_events[i]); the rest are derived from labs."""
        self.paths: list[str] = [f"adverse_events[{i}]" for i in range(self.recorded)]
        self.attributed: list[set[str]] = [
            {
                resolve_agent(raw, patient, protocol, path=f"adverse_events[{i}].attributed_to", allow_procedure=True)
                for raw in ae.attributed_to
            }
            for i, ae in enumerate(self.aes)
        ]
        self.cats = [categories().of(ae.term) for ae in self.aes]
        self.options = option_values(protocol.modification)
        """The protocol's modification options the tables read as ``option.<name>``."""
        self.lab_rules: dict[str, LabEvent] = {
            agent_id: rule
            for rule in course_rules().lab_events
            for agent_id in rule.agents
            if agent_id in {a.id for a in protocol.agents}
        }
        """Agent -> its laboratory event (rules/dose-modification-course.yaml lab_events)."""
        self.tracks: dict[str, Track] = {}
        for agent in protocol.agents:
            table = table_for(agent.id)
            policy = str(getattr(protocol.modification, policy_option(agent.id)))
            level, why = calc.start_level(agent, patient, start)
            name = (patient.pd1_agent or "pd1") if agent.id == "pd1" else agent.id
            ladder = agent.reductions.get(policy, {}).get(level, ())
            begins = agent_start(protocol, agent.id, start)
            self.tracks[agent.id] = Track(agent, name, table, policy, level, why, tuple(ladder), begins)
        self.limits = precycle.limits(protocol)
        self.max_age = precycle.max_age_days(protocol)
        self.future: list[Item] = []
        self.notes: list[str] = []
        self.baseline = False
        """True for the pre-treatment reading (no course start yet: dates of the course are not known)."""
        self._check_options()
        self._derive_from_labs()

    def _check_options(self) -> None:
        """PD-1-only options must be set on the PD-1 arm: a missing choice is never defaulted silently."""
        if "pd1" in self.tracks:
            for key in ("pd1_infusion_reaction", "pd1_hepatitis_transaminases"):
                if getattr(self.protocol.modification, key) is None:
                    raise ProtocolDefinitionError(
                        f"protocol {self.protocol.id}: modification.{key} is required on an arm with a PD-1 inhibitor"
                    )

    def _derive_from_labs(self) -> None:
        """Adverse events implied by dated lab values (rules/ctcae-lab-grading.yaml), appended after the record's."""
        starts = {agent_id: t.start_date for agent_id, t in self.tracks.items()}
        derived, notes = lab_grading.derive_events(self.patient.labs or (), starts, self._covered)
        self.notes.extend(notes)
        for d in derived:
            self.aes.append(d.event)
            self.paths.append(
                f"{d.path} {d.value:g} (CTCAE v5.0 {d.event.term} grade {d.event.grade} by "
                f"rules/ctcae-lab-grading.yaml, {d.trigger.id})"
            )
            self.attributed.append(set(d.event.attributed_to))
            self.cats.append(categories().of(d.event.term))

    def _covered(self, term: str, agents: frozenset[str], onset: dt.date, end: dt.date | None) -> int | None:
        """A recorded event of this term for one of ``agents`` overlapping [onset, end]: the record decides."""
        for i in range(self.recorded):
            ae = self.aes[i]
            if ae.term != term or not (self.attributed[i] & agents):
                continue
            if (end is None or ae.onset_date <= end) and (ae.resolved_date is None or ae.resolved_date >= onset):
                return i
        return None

    # -- timeline -----------------------------------------------------------
    def items(self) -> list[Item]:
        out: list[Item] = [
            Item(track.start_date, "start", pos, agent_id) for pos, (agent_id, track) in enumerate(self.tracks.items())
        ]
        for i, ae in enumerate(self.aes):
            out.append(Item(ae.onset_date, "ae_onset", i))
            if ae.resolved_date is not None:
                out.append(Item(ae.resolved_date, "ae_resolved", i, same_day=ae.resolved_date == ae.onset_date))
            self._clocks(out, ae, i)
        for i, change in enumerate(self.patient.dose_changes or ()):
            out.append(Item(change.date, "clinician", i))
        for i, lab in enumerate(self.patient.labs or ()):
            out.append(Item(max(lab.date, self.start), "lab", i))
            for agent_id, rule in self.lab_rules.items():
                if getattr(lab, rule.field) is None:
                    continue
                # A result dated up to the agent's first dosing day is taken before the first dose (issue 9 item 10).
                before = lab.date <= self.tracks[agent_id].start_date
                when = max(lab.date, self.start) if before else lab.date
                out.append(Item(when, rule.event, i, agent_id, before_start=before))
        out.sort(key=Item.key)
        self.future = [it for it in out if self.as_of is not None and it.date > self.as_of]
        return [it for it in out if self.as_of is None or it.date <= self.as_of]

    def _clocks(self, out: list[Item], ae: AdverseEvent, i: int) -> None:
        """The persistence clocks of rules/dose-modification-course.yaml this event starts, per agent."""
        for clock in course_rules().persistence:
            for agent_id in clock.agents:
                track = self.tracks.get(agent_id)
                if track is None:
                    continue
                if clock.when is not None:
                    facts = model_facts(self._ae_fact(track, "ae_onset", i, ae.onset_date))
                    if evaluate(clock.when, facts, self.options) is not True:
                        continue
                days = getattr(self.protocol.modification, clock.days_option)
                if days is None:
                    raise ProtocolDefinitionError(
                        f"protocol {self.protocol.id}: modification.{clock.days_option} is required on an arm with "
                        f"{agent_id} (rule {clock.id})"
                    )
                self._persist(out, ae, i, agent_id, int(days), clock.persist, clock.days_option)

    @staticmethod
    def _persist(out: list[Item], ae: AdverseEvent, i: int, agent: str, days: int, kind: str, option: str) -> None:
        when = ae.onset_date + dt.timedelta(days=days)
        if ae.resolved_date is None or ae.resolved_date > when:
            out.append(Item(when, "ae_persisting", i, agent, kind, option))

    # -- facts --------------------------------------------------------------
    def _base(self, track: Track, kind: str, on: dt.date) -> dict[str, Any]:
        return {
            "kind": kind,
            "agent": track.agent.id,
            "policy": track.policy,
            "status": track.status,
            "can_reduce": track.can_reduce,
            "below_start": track.step > 0,
            "blockers_remaining": len(track.blockers),
            "clinician_hold": track.clinician_hold,
            "previous_holds": track.previous_holds,
            "ongoing_max_grade": self._ongoing_max_grade(track, on),
            "reduced_today": True if track.reduced_on == on else None,
        }

    def _ae_fact(self, track: Track, kind: str, i: int, on: dt.date) -> dict[str, Any]:
        ae = self.aes[i]
        ids = self.attributed[i]
        attributed = track.agent.id in ids
        fact = self._base(track, kind, on)
        fact.update(
            {
                "grade": ae.grade,
                "term": ae.term,
                "immune_related": ae.immune_related,
                "attributed": True if attributed else None,
                "regimen_attributed": True if ids & set(track.table.agents) else None,
                "procedure_attributed": True if HAIC_PROCEDURE in ids else None,
                "blocking": True if i in track.blockers else None,
                "stated_not_life_threatening": True if ae.life_threatening is False else None,
                "lab_derived": True if i >= self.recorded else None,
            }
        )
        for cat in self.cats[i]:
            fact[f"in_{cat}"] = True
            if attributed and cat not in track.seen:
                fact[f"first_{cat}"] = True
        return fact

    def _ongoing_max_grade(self, track: Track, on: dt.date) -> int:
        grades = [
            ae.grade
            for i, ae in enumerate(self.aes)
            if track.agent.id in self.attributed[i]
            and ae.onset_date <= on
            and (ae.resolved_date is None or ae.resolved_date > on)
        ]
        return max(grades, default=0)

    # -- output helpers -----------------------------------------------------
    def _mg(self, track: Track, level: str | None) -> float | None:
        if level is None:
            return None
        return calc.level_mg(track.agent.level(level), self.bsa, self.protocol.dosing.per_m2_rounding_mg).dose_mg

    def _frequency(self, track: Track, level: str) -> str:
        return calc.level_frequency(track.agent, track.agent.level(level), self.protocol)

    def _emit(
        self,
        track: Track,
        on: dt.date,
        action: CourseAction,
        *,
        from_level: str | None,
        to_level: str | None,
        reason: str,
        rule: str,
        source: str,
    ) -> None:
        self.events.append(
            CourseEvent(
                date=on,
                agent=track.name,
                action=action,
                from_mg=self._mg(track, from_level),
                to_mg=self._mg(track, to_level),
                from_level=from_level,
                to_level=to_level,
                frequency=self._frequency(track, to_level) if to_level is not None else None,
                reason=reason,
                rule=rule,
                source=source,
            )
        )
        self.snapshots.append(Snapshot(date=on, state=self.state(track)))

    def state(self, track: Track) -> AgentState:
        dosed = track.status == "active"
        return AgentState(
            agent=track.name,
            status=track.status,
            dose_mg=self._mg(track, track.level) if dosed else None,
            dose_level=None if track.discontinued else track.level,
            frequency=self._frequency(track, track.level) if dosed else None,
        )

    # -- application --------------------------------------------------------
    def apply(self, track: Track, tr: Transition, on: dt.date, why: str, blocker: int | None) -> None:
        dosed_level = track.level if track.status == "active" and track.started else None
        reason = f"{tr.reason} [{why}]"
        common = {"rule": tr.id, "source": tr.source}
        if tr.warning is not None:
            note = f"{track.name}: {tr.warning} [{why}; rule {tr.id}]"
            if note not in self.notes:
                self.notes.append(note)
        if tr.action == "discontinue":
            self._discontinue(track, on, from_level=dosed_level, reason=reason, tr=tr)
        elif tr.action in ("hold", "interrupt"):
            was_paused = track.paused
            track.paused_on = on
            if blocker is None:
                track.clinician_hold = True
            else:
                track.blockers[blocker] = tr.then or "same"
                track.previous_holds += 1
            if tr.then == "reduce" and not track.pending_reduce:
                track.pending_reduce = True
                track.reduce_rule = tr
            if not was_paused:
                track.pause_word = "interrupted" if tr.action == "interrupt" else "held"
                action: CourseAction = "interrupt" if tr.action == "interrupt" else "hold"
                then = "one level lower" if tr.then == "reduce" else "at the same level"
                until = {
                    "resolution": "",
                    "clinician": " once resolved AND a clinician records a resume (dose_changes)",
                    "same_day": " (that administration only)",
                }[tr.release]
                self._emit(
                    track,
                    on,
                    action,
                    from_level=dosed_level,
                    to_level=None,
                    reason=f"{reason}; resumes {then}{until}",
                    **common,
                )
            if tr.release == "clinician":
                track.clinician_hold = True
                track.clinician_release.add(-2 if blocker is None else blocker)
            elif tr.release == "same_day" and blocker is not None:
                track.blockers.pop(blocker, None)
                if not track.paused:
                    self._emit(
                        track,
                        on,
                        "resume",
                        from_level=None,
                        to_level=track.level,
                        reason=f"{tr.reason}: the drug resumes at the same dose with its next administration [{why}]",
                        **common,
                    )
        elif tr.action == "reduce":
            self._step_down(track, on, "reduce", from_level=dosed_level, reason=reason, tr=tr)
        elif tr.action == "resume":
            if blocker is None:
                track.clinician_hold = False
                track.clinician_release.clear()
            if track.paused:
                return
            if track.pending_reduce:
                track.pending_reduce = False
                decided_by = track.reduce_rule or tr
                track.reduce_rule = None
                self._step_down(track, on, "resume", from_level=None, reason=reason, tr=tr, decided_by=decided_by)
                return
            self._emit(
                track, on, "resume", from_level=None, to_level=track.level, reason=self._note(track, reason), **common
            )
        elif tr.action == "restore":
            before = track.level
            track.step -= 1
            self._emit(track, on, "restore", from_level=before, to_level=track.level, reason=reason, **common)

    def _step_down(
        self,
        track: Track,
        on: dt.date,
        action: CourseAction,
        *,
        from_level: str | None,
        reason: str,
        tr: Transition,
        decided_by: Transition | None = None,
    ) -> None:
        """One level down the ladder; with no lower level, a discontinuation carrying the rule that asked for it.

        ``decided_by`` is the transition that required the reduction (a hold/interrupt with ``then: reduce``)
        when the step happens on resumption: the trail names that rule, not the resume rule.
        """
        if not track.can_reduce:
            rule = decided_by or tr
            self._discontinue(
                track,
                on,
                from_level=from_level,
                reason=f"{rule.reason}, but there is no lower dose level in the {track.policy} ladder: "
                f"discontinued [{reason}]",
                tr=rule,
            )
            return
        before = track.level
        track.occurrences += 1
        track.step = track.occurrences
        track.reduced_on = on
        self._emit(
            track,
            on,
            action,
            from_level=from_level if action == "resume" else before,
            to_level=track.level,
            reason=self._note(track, f"{reason}; one level lower ({before} -> {track.level})"),
            rule=tr.id,
            source=tr.source,
        )

    def _discontinue(self, track: Track, on: dt.date, *, from_level: str | None, reason: str, tr: Transition) -> None:
        track.discontinued = True
        self._emit(track, on, "discontinue", from_level=from_level, to_level=None, reason=reason, rule=tr.id,
                   source=tr.source)  # fmt: skip
        self._companions(track, on)

    def _companions(self, stopped: Track, on: dt.date) -> None:
        """Drugs that follow another's discontinuation (e.g. leucovorin with 5-FU): a fact to every other drug."""
        for track in self.tracks.values():
            if track is stopped or track.discontinued:
                continue
            fact = self._base(track, "companion_discontinued", on)
            fact["companion"] = stopped.agent.id
            chosen = select(track.table, fact, self.options)
            if chosen is not None:
                self.apply(track, chosen, on, f"{stopped.name} discontinued on {on}", None)

    @staticmethod
    def _note(track: Track, reason: str) -> str:
        return reason + ("; the HAIC is still delayed by the pre-cycle laboratory limits" if track.lab_delayed else "")

    # -- handlers -----------------------------------------------------------
    def run(self) -> Course:
        for item in self.items():
            getattr(self, f"_on_{item.kind}")(item)
        self._future_thresholds()
        return self.course()

    def _on_start(self, item: Item) -> None:
        track = self.tracks[item.agent]
        if track.discontinued:
            return  # e.g. a grade 5 event before its start day: it never starts
        track.started = True
        level = track.agent.level(track.start)
        reason = f"course start at the start level ({track.start_why})"
        if track.start_date != self.start:
            day = self.protocol.schedule.systemic_start.default_day
            reason = (
                f"start on cycle day {day} (schedule.systemic_start.default_day) at the start level "
                f"({track.start_why}); the exact day follows the calendar (window days "
                f"{self.protocol.schedule.systemic_start.window_first_day}-"
                f"{self.protocol.schedule.systemic_start.window_last_day}, site closures)"
            )
        self._emit(
            track,
            item.date,
            "start",
            from_level=None,
            to_level=track.start,
            reason=reason,
            rule="course.start",
            source=level.source,
        )
        if track.start_hold is not None and track.paused:
            tr, why = track.start_hold
            track.start_hold = None
            self._emit(track, item.date, "hold", from_level=None, to_level=None,
                       reason=f"{tr.reason} [{why}]", rule=tr.id, source=tr.source)  # fmt: skip

    def _on_ae_onset(self, item: Item) -> None:
        ae = self.aes[item.index]
        for track in self.tracks.values():
            if track.discontinued:
                continue
            fact = self._ae_fact(track, "ae_onset", item.index, item.date)
            chosen = select(track.table, fact, self.options)
            if track.agent.id in self.attributed[item.index] and ae.grade >= 3:
                track.seen.update(self.cats[item.index])
            if chosen is not None:
                why = f"{self.paths[item.index]}: {ae.term} grade {ae.grade} from {ae.onset_date}"
                self.apply(track, chosen, item.date, why, item.index)

    def _on_ae_persisting(self, item: Item) -> None:
        track = self.tracks[item.agent]
        if track.discontinued:
            return
        fact = self._ae_fact(track, "ae_persisting", item.index, item.date)
        fact["persist"] = item.persist
        chosen = select(track.table, fact, self.options)
        if chosen is not None:
            ae = self.aes[item.index]
            days = (item.date - ae.onset_date).days
            why = f"{self.paths[item.index]}: {ae.term} grade {ae.grade} ongoing {days} days since {ae.onset_date}"
            self.apply(track, chosen, item.date, why, item.index)

    def _on_ae_resolved(self, item: Item) -> None:
        ae = self.aes[item.index]
        for track in self.tracks.values():
            if track.discontinued or item.index not in track.blockers:
                continue
            status_before = track.status
            del track.blockers[item.index]
            fact = self._ae_fact(track, "ae_resolved", item.index, item.date)
            fact["status"] = status_before
            chosen = select(track.table, fact, self.options)
            if chosen is not None:
                level = "grade <= 1" if item.index < self.recorded else "the trigger's resolution grade (later labs[])"
                why = f"{self.paths[item.index]}: {ae.term} resolved to {level} on {ae.resolved_date}"
                self.apply(track, chosen, item.date, why, item.index)

    def _on_clinician(self, item: Item) -> None:
        change = (self.patient.dose_changes or ())[item.index]
        path = f"dose_changes[{item.index}]"
        agent_id = resolve_agent(change.agent, self.patient, self.protocol, path=f"{path}.agent", allow_procedure=False)
        track = self.tracks[agent_id]
        fact = self._base(track, "clinician", item.date)
        fact["action"] = change.action
        chosen = None if track.discontinued else select(track.table, fact, self.options)
        if chosen is None:
            raise CourseInputError(
                f"{path}: {change.action} of {track.name} on {change.date} is not permitted by policy "
                f"{track.policy!r} (status {track.status}, level {track.level}, start level {track.start}"
                + (", PD-1 is never dose-reduced" if agent_id == "pd1" and change.action == "restore" else "")
                + ")"
            )
        why = f"{path}: {change.action} on {change.date}" + (f" ({change.reason})" if change.reason else "")
        self.apply(track, chosen, item.date, why, None)

    def _on_lab(self, item: Item) -> None:
        lab = (self.patient.labs or ())[item.index]
        if lab.date < self.start or not self.limits:
            return
        values = precycle.values_on(self.patient.labs, lab.date, self.max_age)
        check = precycle.check_labs(self.limits, values)
        haic = [t for t in self.tracks.values() if t.agent.route == "intra-arterial" and not t.discontinued]
        path = f"labs[{item.index}] {lab.date}"
        if check.failing:
            first = check.failing[0][0]
            detail = "; ".join(f"{lim.field} {value:g} fails {lim.describe()}" for lim, value in check.failing)
            for track in haic:
                if track.lab_delayed:
                    continue
                dosed = track.level if track.status == "active" else None
                track.lab_delayed = True
                self._emit(
                    track,
                    item.date,
                    "delay",
                    from_level=dosed,
                    to_level=None,
                    reason=f"pre-cycle laboratory limits not met [{path}: {detail}]",
                    rule=first.id,
                    source=first.source,
                )
        elif check.met:
            for track in haic:
                if not track.lab_delayed:
                    continue
                track.lab_delayed = False
                if track.paused:
                    continue
                self._emit(
                    track,
                    item.date,
                    "resume",
                    from_level=None,
                    to_level=track.level,
                    reason=f"pre-cycle laboratory limits met [{path}]",
                    rule="precycle.met",
                    source="; ".join(sorted({lim.source for lim in self.limits})),
                )

    def _lab_rule(self, track: Track) -> LabEvent:
        # an agent without a laboratory event of its own is never given a lab item; tests build facts for every
        # agent, so they read the first rule's vocabulary
        return self.lab_rules.get(track.agent.id) or course_rules().lab_events[0]

    def _protein_fact(self, track: Track, on: dt.date, value: float) -> dict[str, Any]:
        rule = self._lab_rule(track)
        fact = self._base(track, rule.event, on)
        fact[rule.field] = value
        if PROTEINURIA_BLOCKER in track.blockers:
            fact[rule.blocking_fact] = True
        if rule.category not in track.seen:
            fact[f"first_{rule.category}"] = True
        return fact

    def _on_lab_protein(self, item: Item) -> None:
        track = self.tracks[item.agent]
        rule = self._lab_rule(track)
        lab = (self.patient.labs or ())[item.index]
        value = getattr(lab, rule.field)
        if track.discontinued or value is None:
            return
        fact = self._protein_fact(track, item.date, value)
        if item.before_start:
            fact["before_first_dose"] = True
            fact.pop(f"first_{rule.category}", None)  # not a toxicity of the drug: the "first occurrence" is unused
        chosen = select(track.table, fact, self.options)
        if chosen is None:
            return
        why = f"labs[{item.index}] {lab.date}: {rule.field} {value:g}"
        if item.before_start and not track.started:
            self._before_start_protein(track, chosen, item.index, why)
            return
        if chosen.action == "resume":
            del track.blockers[PROTEINURIA_BLOCKER]
            track.protein_lab = None
        elif chosen.action in ("hold", "interrupt"):
            if not item.before_start:
                track.seen.add(rule.category)
            track.protein_lab = item.index
        self.apply(track, chosen, item.date, why, PROTEINURIA_BLOCKER)

    def _before_start_protein(self, track: Track, chosen: Transition, index: int, why: str) -> None:
        """Before the first dosing day the drug is not dosed yet: the hold is state (shown by ``dose``) and a note;
        its event is emitted with the start (so the calendar sees start, then hold, on the first dosing day)."""
        if chosen.action in ("hold", "interrupt"):
            track.blockers[PROTEINURIA_BLOCKER] = chosen.then or "same"
            track.pause_word = "held"
            track.protein_lab = index
            track.start_hold = (chosen, why)
            when = "its first dose" if self.baseline else f"its start on {track.start_date}"
            self.notes.append(
                f"{track.name}: withheld from {when} ({chosen.id}) [{why}]: urine protein "
                "reaches the label's withhold threshold before the first dose; it starts at its start level once a "
                "result is below the resumption threshold (modification.lenvatinib_proteinuria_resume)"
            )
        elif chosen.action == "resume":
            track.blockers.pop(PROTEINURIA_BLOCKER, None)
            track.protein_lab = None
            track.start_hold = None
            self.notes.append(f"{track.name}: urine protein below the resumption threshold before its start [{why}]")

    def _future_thresholds(self) -> None:
        """Persistence thresholds after ``as_of`` that an event ongoing on ``as_of`` would cross: warnings."""
        if self.as_of is not None and self.as_of < self.start:
            self.notes.append(f"the course starts on {self.start}, after {self.as_of}: nothing is replayed yet")
        for item in self.future:
            if item.kind != "ae_persisting":
                continue
            track = self.tracks[item.agent]
            ae = self.aes[item.index]
            if track.discontinued or ae.onset_date > (self.as_of or ae.onset_date):
                continue
            fact = self._ae_fact(track, "ae_persisting", item.index, item.date)
            fact["persist"] = item.persist
            chosen = select(track.table, fact, self.options)
            if chosen is None:
                continue
            option = item.days_option
            days = (item.date - ae.onset_date).days
            self.notes.append(
                f"{track.name}: {self.paths[item.index]} ({ae.term} grade {ae.grade}, ongoing since "
                f"{ae.onset_date}) reaches modification.{option} ({days} days) on {item.date}: {chosen.action} "
                f"then (rule {chosen.id}) unless it has resolved to grade <= 1 by that day"
            )

    # -- result -------------------------------------------------------------
    def state_as_of(self, track: Track) -> AgentState:
        """The drug's state on ``as_of``: not dosed that day when a hold/interrupt was applied on it.

        Why: an event that starts on a dosing day and resolves the same day (or a ``release: same_day`` hold)
        is replayed as hold, then resume, on that date (issue 9 item 7). The record does not say whether the
        resolution came before that day's administration, so the safe reading is that the administration of
        that day is withheld (ASCO 2021 irAE: grade 2 -> hold until grade <= 1); the resumed state applies from
        the next day. The schedule's ``CourseTimeline.state_on`` reads the same events the same way.
        """
        state = self.state(track)
        if self.as_of is None or track.paused_on != self.as_of or track.status != "active":
            return state
        return state.model_copy(update={"status": track.pause_word, "dose_mg": None, "frequency": None})

    def course(self) -> Course:
        tracks = []
        for track in self.tracks.values():
            permitted = self._restore_permitted(track)
            tracks.append(
                AgentTrack(
                    protocol_agent=track.agent.id,
                    state=self.state_as_of(track),
                    start_level=track.start,
                    restore_permitted=permitted,
                    restore_to_level=(track.start if track.step == 1 else track.ladder[track.step - 2])
                    if permitted
                    else None,
                    blocking=tuple(self._blocking(track, i) for i in sorted(track.blockers)),
                    resume_level=track.resume_level if track.paused and not track.discontinued else None,
                    resume_reduced=track.pending_reduce and track.paused and not track.discontinued,
                )
            )
        return Course(
            protocol=self.protocol.id,
            protocol_version=self.protocol.version,
            start=self.start,
            as_of=self.as_of,
            events=tuple(self.events),
            current=tuple(t.state for t in tracks),
            tracks=tuple(tracks),
            snapshots=tuple(self.snapshots),
            warnings=tuple(self.notes)
            + tuple(self._clinician_release_notes())
            + tuple(
                f"{t.state.agent}: a restore to {t.restore_to_level} is permitted by the policy (investigator's "
                "discretion); it is applied only when recorded in dose_changes"
                for t in tracks
                if t.restore_permitted
            ),
        )

    def _clinician_release_notes(self) -> list[str]:
        """Holds a guideline releases only by a clinician's decision (``release: clinician``) still in force."""
        out = []
        for track in self.tracks.values():
            if track.discontinued or not track.clinician_release or not track.clinician_hold:
                continue
            entries = ", ".join(self._blocking(track, k) if k >= 0 or k == PROTEINURIA_BLOCKER else "dose_changes"
                                for k in sorted(track.clinician_release))  # fmt: skip
            out.append(
                f"{track.name}: held after {entries}; the guideline resumes it only by a clinician's decision: record "
                "a dose_changes resume once it has resolved"
            )
        return out

    def _blocking(self, track: Track, key: int) -> str:
        if key == PROTEINURIA_BLOCKER:
            return f"labs[{track.protein_lab}].{self._lab_rule(track).field}"
        return self.paths[key].split(" ", 1)[0]

    def _restore_permitted(self, track: Track) -> bool:
        if track.discontinued or track.step == 0:
            return False
        # Without as_of: the first day after the last change (a restore is never accepted on the day the reduced
        # dose resumes, issue 9 item 8).
        on = self.as_of or max((e.date for e in self.events), default=self.start) + dt.timedelta(days=1)
        fact = self._base(track, "clinician", on)
        fact["action"] = "restore"
        chosen = select(track.table, fact, self.options)
        return chosen is not None and chosen.action == "restore"


def _baseline(patient: Patient, protocol: Protocol, on: dt.date) -> _Replay:
    """The pre-treatment reading of the record up to ``on``: urine protein before lenvatinib's first dose."""
    run = _Replay(patient, protocol, on, on)
    run.baseline = True
    for agent_id, rule in run.lab_rules.items():
        for i, lab in enumerate(patient.labs or ()):
            if getattr(lab, rule.field) is not None and lab.date <= on:
                run._on_lab_protein(Item(lab.date, rule.event, i, agent_id, before_start=True))
    return run


def baseline_notes(patient: Patient, protocol: Protocol, on: dt.date) -> tuple[str, ...]:
    """Notes on results dated up to ``on`` before any course is replayed (``dose`` before the treatment start).

    Why: a urine protein result at the lenvatinib withhold threshold must be seen before the first dose,
    although no course exists yet to act on it. Read through the same rule table as during the course.
    """
    return tuple(_baseline(patient, protocol, on).notes)


def baseline_statuses(patient: Patient, protocol: Protocol, on: dt.date) -> dict[str, DrugStatus]:
    """Protocol agent id -> status before the treatment start, for drugs that are not ``active`` (``held``).

    Why: ``dose`` for a date before treatment_start must not show lenvatinib ``active`` when urine protein
    before the first dose is >= 2 g/24 h (issue 9 item 10); the same table rows decide as in the course.
    """
    run = _baseline(patient, protocol, on)
    return {agent_id: t.status for agent_id, t in run.tracks.items() if t.status != "active"}


def replay(patient: Patient, protocol: Protocol, *, start: dt.date | None, as_of: dt.date | None) -> Course:
    begin = start or patient.treatment_start
    if begin is None:
        raise CourseInputError("the course needs a start date: pass --start DATE or record treatment_start")
    check_record(patient, protocol, begin)
    return _Replay(patient, protocol, begin, as_of).run()
