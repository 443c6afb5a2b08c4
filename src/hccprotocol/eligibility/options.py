"""The eligibility section of a protocol: named options where the paper is silent or ambiguous.

Why options: Lin et al. 2023 cite JSH-LCSGJ 2014 for TACE refractoriness but do
not say how a reader turns "1-3 months", "consecutive" or "continuous elevation"
into a decision. Each choice is a named option with the default below, listed
explicitly in ``protocol/*.yaml`` and printed with every assessment, so a site
can change it knowingly and a reviewer sees which reading produced an answer.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["EligibilityOptions"]


class EligibilityOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    criteria_rules: str = Field(
        "lin-2023-eligibility",
        description="Rule file (rules/ id or path) with the inclusion/exclusion criteria. "
        "Default: the paper's 6 inclusion and 9 exclusion criteria.",
    )
    refractoriness_rules: str = Field(
        "jsh-lcsgj-2014",
        description="Rule file defining TACE failure/refractoriness. Default: JSH-LCSGJ 2014, the definition "
        "the paper uses; another definition (e.g. JSH 2021) is added as a new file beside it.",
    )
    response_window: Literal["calendar_months", "days"] = Field(
        "calendar_months",
        description="How JSH's 'response-evaluation CT/MRI at 1-3 months' after a TACE session is read. Default "
        "'calendar_months': from the TACE date by the calendar (1 month after 1 March is 1 April; 3 months after "
        "1 December is 1 March; a day the month lacks clamps to its last day, so 1 month after 31 January is 28 or "
        "29 February), both ends inclusive (response_window_min_months / _max_months). 'days': a fixed count of "
        "days (response_window_min_days / _max_days), e.g. 28-92 days.",
    )
    response_window_min_months: int = Field(
        1, ge=0, le=12, description="Earliest response imaging that counts, in calendar months (inclusive). Default 1."
    )
    response_window_max_months: int = Field(
        3, ge=0, le=12, description="Latest response imaging that counts, in calendar months (inclusive). Default 3."
    )
    response_window_min_days: int = Field(
        28,
        ge=0,
        le=366,
        description="With response_window 'days': earliest response imaging that counts, in days (inclusive). "
        "28: '1 month' read as 4 weeks.",
    )
    response_window_max_days: int = Field(
        92,
        ge=0,
        le=366,
        description="With response_window 'days': latest response imaging that counts, in days (inclusive). "
        "92: three calendar months can span 92 days (e.g. July-September).",
    )
    non_counting_session_breaks_run: bool = Field(
        True,
        description="Whether a session KNOWN not to count (non-selective TACE, or response imaging outside the "
        "window) breaks a run of consecutive sessions (true) or is skipped (false). Default true: 'consecutive' "
        "read literally; a non-counting session between two insufficient responses means they were not "
        "consecutive. A session with MISSING data (selective, imaging_date, viable_tumour_pct, tumour counts or "
        "markers not recorded) is not a non-counting session under either setting: it is unknown (it may or may "
        "not count, and show the finding or not), so the certain run ('run') treats it as breaking the run and "
        "the possible run ('possible_run') as extending it; a criterion that depends on it is unknown, never met "
        "and never not met.",
    )
    change_before_later_session: Literal["agents_or_feeding_artery", "not_required"] = Field(
        "agents_or_feeding_artery",
        description="JSH 2014 criteria 1 (i) and 1 (ii): two or more consecutive insufficient responses (or "
        "progressions) 'even after changing the chemotherapeutic drugs and/or reanalysis of the feeding artery'. "
        "Default 'agents_or_feeding_artery': a later session extends a run only if agents_changed or "
        "feeding_artery_reanalysed is true for it (both false: it starts a new run; not recorded: unknown). "
        "'not_required': the looser reading, 'even after' as futility rather than a precondition. Applies to the "
        "run findings of the rule file (repeat_needs_change), not to tumour markers, vascular invasion or spread.",
    )
    tumour_markers_sessions_required: int = Field(
        1,
        ge=1,
        le=10,
        description="Consecutive sessions with markers_rising_after that make criterion (3). Default 1: JSH's "
        "'continuous elevation right after TACE' is judged after a single TACE (any TACE, selective or not).",
    )
    invasion_spread_reading: Literal["presence", "appearance"] = Field(
        "appearance",
        description="Criteria (4)/(5). Default 'appearance' (JSH 2014: 'appearance of vascular invasion', "
        "'appearance of extrahepatic spread'): new_vascular_invasion / new_extrahepatic_spread recorded after a "
        "TACE session (any TACE), and present at assessment. 'presence' (the paper's wording, 'presence of "
        "vascular invasion'): present at assessment after any TACE, even if it was there before TACE. Why "
        "appearance by default: it is the safer reading; a patient whose invasion predates TACE has not shown "
        "refractoriness by it. Under either reading a record that contradicts itself (a session recording a new "
        "finding, or a PVTT type, that the tumour record says is absent) makes the criterion unknown.",
    )

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        if isinstance(data, dict) and "agents_changed_required" in data:
            raise ValueError(
                "agents_changed_required was replaced by change_before_later_session "
                "('agents_or_feeding_artery', the default, or 'not_required')"
            )
        return data

    @model_validator(mode="after")
    def _window_in_order(self) -> EligibilityOptions:
        if self.response_window_min_days > self.response_window_max_days:
            raise ValueError("response_window_min_days must not exceed response_window_max_days")
        if self.response_window_min_months > self.response_window_max_months:
            raise ValueError("response_window_min_months must not exceed response_window_max_months")
        return self

    def values(self) -> dict[str, Any]:
        """Option name -> value, as rule conditions refer to them (``$option``/``$case``)."""
        return self.model_dump(mode="json")
