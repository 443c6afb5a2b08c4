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
    response_window_min_days: int = Field(
        28,
        ge=0,
        le=366,
        description="Earliest response-evaluation imaging after a TACE session that counts, in days (inclusive). "
        "Default 28: '1-3 months' read as 4 weeks to 13 weeks + 1 day, generous at both ends.",
    )
    response_window_max_days: int = Field(
        92,
        ge=0,
        le=366,
        description="Latest response-evaluation imaging that counts, in days (inclusive). Default 92: three "
        "calendar months can span 92 days (e.g. July-September).",
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
        "and never not met. This departs from the issue's list, which names missing data as a session that does "
        "not count, on purpose: it can only yield unknown (never eligible) and never excludes a patient "
        "definitively because a value was not recorded.",
    )
    agents_changed_required: bool = Field(
        False,
        description="Whether a session extends a run only if the agents were changed or the feeding artery "
        "reanalysed before it (otherwise it starts a new run). Applies to BOTH JSH 2014 criterion 1 (i) "
        "(insufficient responses) and 1 (ii) (intrahepatic progressions): JSH's 'even after changing the "
        "chemotherapeutic drugs and/or reanalysis of the feeding artery' qualifies both; not to the tumour "
        "markers, vascular invasion or extrahepatic spread. Default false: 'even after' describes futility "
        "rather than a precondition, and the paper records no agent changes.",
    )
    tumour_markers_sessions_required: int = Field(
        1,
        ge=1,
        le=10,
        description="Consecutive sessions with markers_rising_after that make criterion (3). Default 1: JSH's "
        "'continuous elevation right after TACE' is judged after a single TACE.",
    )
    invasion_spread_reading: Literal["presence", "appearance"] = Field(
        "presence",
        description="Criteria (4)/(5): 'presence' of vascular invasion/extrahepatic spread at assessment (the "
        "paper's wording, default) or their 'appearance' after TACE (JSH 2014 wording: new_vascular_invasion / "
        "new_extrahepatic_spread recorded on an adequately performed selective TACE session, and present at "
        "assessment; an appearance after a non-selective session does not count). Under either reading a "
        "session recording a new finding that the tumour record says is absent makes the criterion unknown.",
    )

    @model_validator(mode="after")
    def _window_in_order(self) -> EligibilityOptions:
        if self.response_window_min_days > self.response_window_max_days:
            raise ValueError("response_window_min_days must not exceed response_window_max_days")
        return self

    def values(self) -> dict[str, Any]:
        """Option name -> value, as rule conditions refer to them (``$option``/``$case``)."""
        return self.model_dump(mode="json")
