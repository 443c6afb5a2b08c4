"""The patient record: what the team knows about one patient, with units in every name.

Why: every decision (measures, eligibility, doses, calendars) reads this one
model, so it is strict. Only ``id`` is required. A clinical field that is
absent (or explicitly ``null``) is *unknown*: it is listed in the output's
``missing`` array and every measure or criterion that needs it becomes
``null`` / ``unknown``. It is never defaulted. A field that is present with a
wrong type, an unknown enum value or an implausible value is an error
(``errors.PatientValidationError``), and an unknown key is an error too.

Fields marked ``annotation`` in their schema (``x-unknown-if-absent: false``)
are not gaps when absent: a BCLC stage the team did not record is derived, an
absent adverse-event list means none was recorded.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from hccprotocol import limits

UNKNOWN_IF_ABSENT = "x-unknown-if-absent"


def _plausible(key: str) -> AfterValidator:
    def check(value: float) -> float:
        problem = limits.check(key, value)
        if problem is not None:
            raise PydanticCustomError("implausible_value", problem)
        return value

    return AfterValidator(check)


def _unit(key: str, description: str) -> Any:
    """Field metadata naming the unit and plausible range of a quantity."""
    limit = limits.LIMITS[key]
    return Field(description=f"{description} [{limit.unit}; plausible {limit.low:g}-{limit.high:g}]")


def annotation(description: str) -> Any:
    """An optional field whose absence is not a gap (not listed in ``missing``)."""
    return Field(default=None, description=description, json_schema_extra={UNKNOWN_IF_ABSENT: False})


class Record(BaseModel):
    """Base for every part of the record: immutable, strict, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


WeightKg = Annotated[float, _plausible("weight_kg"), _unit("weight_kg", "Actual body weight")]
HeightCm = Annotated[float, _plausible("height_cm"), _unit("height_cm", "Height")]
AgeYears = Annotated[int, _plausible("age_years"), _unit("age_years", "Age")]
BilirubinUmolL = Annotated[
    float, _plausible("total_bilirubin_umol_l"), _unit("total_bilirubin_umol_l", "Total bilirubin")
]
AlbuminGL = Annotated[float, _plausible("albumin_g_l"), _unit("albumin_g_l", "Serum albumin")]
Inr = Annotated[float, _plausible("inr"), _unit("inr", "International normalised ratio")]
TumourCount = Annotated[int, _plausible("tumour_count"), _unit("tumour_count", "Number of intrahepatic tumours")]
DiameterCm = Annotated[
    float, _plausible("largest_diameter_cm"), _unit("largest_diameter_cm", "Largest tumour diameter")
]
AfpNgMl = Annotated[float, _plausible("afp_ng_ml"), _unit("afp_ng_ml", "Serum alpha-fetoprotein")]
ImagedTumourCount = Annotated[
    int, _plausible("intrahepatic_tumour_count"), _unit("intrahepatic_tumour_count", "Intrahepatic tumour count")
]
ViableTumourPct = Annotated[
    float,
    _plausible("viable_tumour_pct"),
    _unit("viable_tumour_pct", "Viable tumour as a percentage of the treated lesions"),
]
AncE9L = Annotated[float, _plausible("anc_10e9_l"), _unit("anc_10e9_l", "Absolute neutrophil count")]
PlateletsE9L = Annotated[float, _plausible("platelets_10e9_l"), _unit("platelets_10e9_l", "Platelet count")]
HemoglobinGL = Annotated[float, _plausible("hemoglobin_g_l"), _unit("hemoglobin_g_l", "Haemoglobin")]
AltUL = Annotated[float, _plausible("alt_u_l"), _unit("alt_u_l", "Alanine aminotransferase")]
AstUL = Annotated[float, _plausible("ast_u_l"), _unit("ast_u_l", "Aspartate aminotransferase")]
CreatinineUmolL = Annotated[float, _plausible("creatinine_umol_l"), _unit("creatinine_umol_l", "Serum creatinine")]
UrineProteinG24h = Annotated[float, _plausible("urine_protein_g_24h"), _unit("urine_protein_g_24h", "Urine protein")]

Sex = Literal["male", "female"]
Ecog = Annotated[int, Field(ge=0, le=4, description="ECOG performance status 0-4 (Oken 1982)")]
BclcStage = Literal["0", "A", "B", "C", "D"]
Ascites = Literal["none", "mild", "moderate_severe"]
Encephalopathy = Literal["none", "grade_1_2", "grade_3_4"]
Pd1Agent = Literal["camrelizumab", "sintilimab"]


class Diagnosis(Record):
    hcc_confirmed: bool | None = Field(None, description="HCC confirmed (histology or imaging criteria)")
    resectable: bool | None = Field(None, description="Judged resectable by the team")


class Tumour(Record):
    count: TumourCount | None = None
    largest_diameter_cm: DiameterCm | None = None
    vascular_invasion: bool | None = Field(
        None, description="Macrovascular invasion, e.g. portal vein tumour thrombosis"
    )
    extrahepatic_spread: bool | None = Field(None, description="Extrahepatic metastasis")
    afp_ng_ml: AfpNgMl | None = None
    pvtt_cheng_type: Literal["I0", "I", "II", "III", "IV"] | None = annotation(
        "Cheng's portal vein tumour thrombosis classification (recorded by the paper at baseline)"
    )


class Liver(Record):
    total_bilirubin_umol_l: BilirubinUmolL | None = None
    albumin_g_l: AlbuminGL | None = None
    inr: Inr | None = None
    ascites: Ascites | None = Field(None, description="Ascites: none, mild (slight), moderate_severe")
    encephalopathy: Encephalopathy | None = Field(
        None, description="Hepatic encephalopathy: none, grade_1_2, grade_3_4 (West Haven)"
    )


class TaceSession(Record):
    """One TACE session and the response-evaluation imaging that followed it."""

    date: dt.date | None = Field(None, description="Date of the TACE session")
    selective: bool | None = Field(None, description="Adequately performed selective TACE")
    agents_changed: bool | None = Field(
        None, description="Chemotherapeutic agents changed since the previous TACE session (agents only)"
    )
    feeding_artery_reanalysed: bool | None = Field(
        None, description="Feeding artery reanalysed (re-evaluated angiographically) before this session"
    )
    intrahepatic_tumour_count_before: ImagedTumourCount | None = None
    imaging_date: dt.date | None = Field(None, description="Date of the response-evaluation CT/MRI")
    viable_tumour_pct: ViableTumourPct | None = None
    intrahepatic_tumour_count: ImagedTumourCount | None = None
    markers_rising_after: bool | None = Field(
        None, description="Tumour markers kept rising right after this TACE despite a slight transient fall"
    )
    new_vascular_invasion: bool | None = Field(None, description="Vascular invasion appeared since this TACE")
    new_extrahepatic_spread: bool | None = Field(None, description="Extrahepatic spread appeared since this TACE")

    @field_validator("date", "imaging_date")
    @classmethod
    def _not_in_the_future(cls, value: dt.date | None) -> dt.date | None:
        """A TACE or an imaging dated after today has not happened: a data-entry error, never a finding."""
        latest = latest_today()
        if value is not None and value > latest:
            raise PydanticCustomError(
                "date_in_the_future",
                "{date} is after today ({today}): a TACE session or its imaging cannot be recorded before it happens",
                {"date": value.isoformat(), "today": latest.isoformat()},
            )
        return value

    @field_validator("intrahepatic_tumour_count")
    @classmethod
    def _no_viable_tumour_without_a_tumour(cls, value: int | None, info: ValidationInfo) -> int | None:
        """0 intrahepatic tumours at imaging leaves nothing to be viable: a viable percentage above 0 contradicts it."""
        viable = info.data.get("viable_tumour_pct")
        if value == 0 and viable is not None and viable > 0:
            raise PydanticCustomError(
                "viable_tumour_without_tumour",
                "0 intrahepatic tumours at imaging, but viable_tumour_pct is {viable} (above 0): with no tumour "
                "nothing is viable; correct intrahepatic_tumour_count or viable_tumour_pct",
                {"viable": viable},
            )
        return value

    @model_validator(mode="after")
    def _imaging_after_tace(self) -> TaceSession:
        if self.date is not None and self.imaging_date is not None and self.imaging_date < self.date:
            raise PydanticCustomError(
                "imaging_before_tace",
                "imaging_date {imaging} is before the TACE date {tace}; response imaging follows the session",
                {"imaging": self.imaging_date.isoformat(), "tace": self.date.isoformat()},
            )
        return self


TODAY_ENV = "HCCPROTOCOL_TODAY"


def latest_today() -> dt.date:
    """The latest date it can be anywhere (UTC+14), or ``HCCPROTOCOL_TODAY`` (YYYY-MM-DD) when set.

    Why the latest: the record carries no time zone, and a session dated today at a site east of
    this machine must not be refused; anything later has not happened anywhere yet.
    """
    fixed = os.environ.get(TODAY_ENV)
    if fixed:
        return dt.date.fromisoformat(fixed)
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).date()


class History(Record):
    severe_autoimmune_disease: bool | None = None
    prior_systemic_therapy: bool | None = None
    prior_immunotherapy: bool | None = None
    other_tki: bool | None = Field(None, description="Receiving another tyrosine kinase inhibitor")
    refuses_treatment: bool | None = None
    other_subsequent_treatment: bool | None = None


class Contraindications(Record):
    haic: bool | None = None
    lenvatinib: bool | None = None
    pd1: bool | None = None


class AdverseEvent(Record):
    """An adverse event graded with CTCAE v5.0."""

    onset_date: dt.date = Field(description="Date the event began (or reached this grade)")
    term: str = Field(min_length=1, description="CTCAE v5.0 term, e.g. 'Hepatic infection'")
    grade: int = Field(ge=1, le=5, description="CTCAE v5.0 grade 1-5")
    attributed_to: tuple[str, ...] = Field(
        description="Ids the event is attributed to (at least one), e.g. ['lenvatinib']"
    )
    immune_related: bool = Field(False, description="Immune-related adverse event")
    resolved_date: dt.date | None = Field(None, description="Date it fell to grade <= 1; null while ongoing")
    life_threatening: bool | None = Field(
        None,
        description="The clinician's judgement of a grade 4 event: false = judged not life-threatening (the lenvatinib "
        "label's grade 4 laboratory exception may then apply); true or absent = the grade 4 rule applies",
    )

    @field_validator("attributed_to")
    @classmethod
    def _attributed_to_someone(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Why: an event attributed to nothing can never hold a drug; an empty list would silently
        # leave every drug dosed. "Unrelated" still has to be said: attribute it to the drug(s) it was
        # judged against, or to haic_procedure for the procedure itself.
        if not value:
            raise PydanticCustomError(
                "attributed_to_empty",
                "attributed_to is empty: name at least one id (oxaliplatin, leucovorin, fluorouracil, lenvatinib, "
                "the PD-1 agent or pd1, or haic_procedure); an event attributed to nothing would hold no drug",
            )
        return value

    @model_validator(mode="after")
    def _resolved_after_onset(self) -> AdverseEvent:
        if self.resolved_date is not None and self.resolved_date < self.onset_date:
            raise PydanticCustomError(
                "resolved_before_onset",
                "resolved_date {resolved} is before onset_date {onset}",
                {"resolved": self.resolved_date.isoformat(), "onset": self.onset_date.isoformat()},
            )
        if self.life_threatening and self.grade < 4:
            # Why: CTCAE v5.0 grade 3 is "not immediately life-threatening"; a life-threatening event is grade 4
            # (or 5). The contradiction must be corrected by a person, not resolved by guessing either value.
            raise PydanticCustomError(
                "life_threatening_grade",
                "life_threatening is true but grade is {grade}: CTCAE v5.0 grades a life-threatening event 4 "
                "(grade 3 is 'not immediately life-threatening'); correct the grade or the judgement",
                {"grade": self.grade},
            )
        return self


class DoseChange(Record):
    """A clinician's decision applied on a date; the course checks it against the policy."""

    date: dt.date
    agent: str = Field(min_length=1)
    action: Literal["restore", "hold", "resume", "discontinue"]
    reason: str | None = None


class LabResult(Record):
    """Dated laboratory results for pre-cycle checks; absent values are unknown, never 'normal'."""

    date: dt.date
    anc_10e9_l: AncE9L | None = None
    platelets_10e9_l: PlateletsE9L | None = None
    hemoglobin_g_l: HemoglobinGL | None = None
    total_bilirubin_umol_l: BilirubinUmolL | None = None
    albumin_g_l: AlbuminGL | None = None
    alt_u_l: AltUL | None = None
    ast_u_l: AstUL | None = None
    creatinine_umol_l: CreatinineUmolL | None = None
    inr: Inr | None = None
    urine_protein_g_24h: UrineProteinG24h | None = None


class Patient(Record):
    """One patient's record. Only ``id`` is required; see the module docstring for unknowns."""

    id: str = Field(min_length=1, description="Pseudonymous patient identifier (no names, no MRNs in logs)")
    sex: Sex | None = None
    age_years: AgeYears | None = None
    weight_kg: WeightKg | None = None
    height_cm: HeightCm | None = None
    ecog: Ecog | None = None
    diagnosis: Diagnosis | None = None
    tumour: Tumour | None = None
    liver: Liver | None = None
    bclc_stage: BclcStage | None = annotation("BCLC stage as recorded by the team; checked against the derived stage")
    tace_history: tuple[TaceSession, ...] | None = Field(
        None, description="TACE sessions in date order; [] means no TACE, absent means unknown"
    )
    history: History | None = None
    contraindications: Contraindications | None = None
    pd1_agent: Pd1Agent | None = annotation("PD-1 inhibitor for the triple arm; absent means the choice is open")
    treatment_start: dt.date | None = annotation("Date of the first HAIC; absent before treatment starts")
    baseline_weight_kg: WeightKg | None = annotation("Body weight at treatment start (fixes the lenvatinib tier)")
    adverse_events: tuple[AdverseEvent, ...] | None = annotation(
        "Adverse events (CTCAE v5.0); absent means none recorded"
    )
    dose_changes: tuple[DoseChange, ...] | None = annotation("Clinician dose decisions applied on a date")
    labs: tuple[LabResult, ...] | None = annotation("Dated laboratory results")

    @field_validator("tace_history")
    @classmethod
    def _tace_sessions_are_distinct_and_ordered(
        cls, sessions: tuple[TaceSession, ...] | None
    ) -> tuple[TaceSession, ...] | None:
        """One procedure per date, in date order; a session's response imaging precedes the next TACE.

        Why: a duplicated row (a common copy-paste error) would otherwise count as two consecutive
        insufficient responses, and imaging taken after the next TACE is not the response evaluation of
        the earlier session (JSH-LCSGJ 2014: CT/MRI 1-3 months after that TACE).
        """
        known = [(i, s) for i, s in enumerate(sessions or ()) if s.date is not None]
        for (i, earlier), (j, later) in itertools.pairwise(known):
            assert earlier.date is not None and later.date is not None
            if later.date <= earlier.date:
                raise PydanticCustomError(
                    "tace_not_in_order",
                    "tace_history[{j}].date {later} is not after tace_history[{i}].date {earlier}: list TACE "
                    "sessions once each, in date order (index paths in the output refer to this order)",
                    {"i": i, "j": j, "earlier": earlier.date.isoformat(), "later": later.date.isoformat()},
                )
        for (i, session), (j, following) in itertools.pairwise(enumerate(sessions or ())):
            imaging, next_date = session.imaging_date, following.date
            if imaging is not None and next_date is not None and imaging > next_date:
                raise PydanticCustomError(
                    "imaging_after_next_tace",
                    "tace_history[{i}].imaging_date {imaging} is after the next TACE (tace_history[{j}].date "
                    "{next}); it cannot be the response evaluation of session {i}",
                    {"i": i, "j": j, "imaging": imaging.isoformat(), "next": next_date.isoformat()},
                )
        return sessions
