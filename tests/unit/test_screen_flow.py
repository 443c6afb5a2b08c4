"""The selection flow: structure of the paper's Figure 1, counts that add up, rendered in headless Chromium."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from hccprotocol.patient import latest_today
from hccprotocol.protocol import load_protocol
from hccprotocol.screen.criteria import load_criteria
from hccprotocol.screen.flow import ArmFlow, Flow, arm_flow, render_html, render_mermaid, render_svg
from hccprotocol.screen.run import screen_frames
from tests.unit.screen_support import cohort_tables

CHROMIUM = Path("/usr/bin/chromium")
ARMS = ("haic-lenvatinib-pd1", "haic-lenvatinib")


def _flow(n: int = 400) -> tuple[Flow, list[pd.DataFrame]]:
    patients, sessions = cohort_tables(n)
    patients.loc[0, "liver_inr"] = "40"  # implausible: an invalid record
    arms, tables = [], []
    for arm_id in ARMS:
        arm = load_protocol(arm_id)
        result = screen_frames(patients, sessions, arm, latest_today())
        arms.append(arm_flow(result.decisions, result.invalid, result.criteria, arm.id, arm.title))
        tables.append(result.decisions)
    return Flow(arms=tuple(arms)), tables


def test_counts_add_up_and_match_the_decisions() -> None:
    flow, tables = _flow()
    for arm, decisions in zip(flow.arms, tables, strict=True):
        assert arm.screened == 400 and arm.invalid == 1
        # counted independently from the decisions table
        eligible = decisions["eligible"]
        assert arm.included == int((eligible == True).sum())  # noqa: E712
        assert arm.undetermined == int(eligible.isna().sum())
        assert arm.excluded == int((eligible == False).sum())  # noqa: E712
        assert arm.screened == arm.invalid + arm.excluded + arm.undetermined + arm.included
        assert sum(n for _, _, n in arm.excluded_first) == arm.excluded
        assert arm.excluded > 0 and arm.included > 0 and arm.undetermined > 0
    # the doublet arm has no PD-1 contraindication criterion effect: never fewer included than the triple arm
    assert flow.arms[1].included >= flow.arms[0].included


def test_inconsistent_counts_refused() -> None:
    with pytest.raises(ValueError, match="add up"):
        ArmFlow("x", "x", screened=10, invalid=0, excluded=3, excluded_first=(("a", "A", 3),), undetermined=0,
                included=6)


def test_mermaid_structure_is_figure_1() -> None:
    flow, _ = _flow(100)
    text = render_mermaid(flow)
    assert text.startswith("flowchart TD\n")
    assert 'screened["Patients screened (n = 100)"]' in text
    for k in range(2):
        for box in ("invalid", "excluded", "undetermined", "included"):
            assert f"screened --> a{k}_{box}[" in text
        assert f"a{k}_excluded --> a{k}_r0[" in text  # reasons hang under the excluded box


@pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"), reason="needs /usr/bin/chromium")
def test_svg_and_html_render_in_headless_chromium(tmp_path: Path) -> None:
    flow, _ = _flow(100)
    for name, text in (("flow.svg", render_svg(flow)), ("flow.html", render_html(flow))):
        page = tmp_path / name
        page.write_text(text, encoding="utf-8")
        shot = tmp_path / f"{name}.png"
        profile = tmp_path / f"profile-{name}"
        done = subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}",
             f"--screenshot={shot}", "--window-size=1100,1400", page.as_uri()],
            capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(data) > 5000  # not a blank page: boxes and text were drawn
    dom = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p-dom'}",
         "--dump-dom", (tmp_path / "flow.html").as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert "Patients screened (n = 100)" in dom.stdout


@pytest.mark.parametrize("dtype", ["category", "str"])
def test_each_excluded_patient_counts_under_its_first_reason(dtype: str) -> None:
    """Counted by hand: rows excluded by "a;b", "b", "a", "c;a" and "a;b" give a 3, b 1, c 1; an undetermined or
    included row's ``excluded_by`` is never counted (as the screen writes it, a categorical, or as text)."""
    crit = load_protocol("haic-lenvatinib")
    criteria = load_criteria(crit)
    a, b, c = criteria.criteria_ids[:3]
    decisions = pd.DataFrame({
        "eligible": pd.array([False, False, True, False, None, False, False], dtype="boolean"),
        "excluded_by": pd.Series([f"{a};{b}", b, "", a, "", f"{c};{a}", f"{a};{b}"], dtype=dtype),
    })
    arm = arm_flow(decisions, 0, criteria, crit.id, crit.title)
    assert [(cid, n) for cid, _, n in arm.excluded_first] == [(a, 3), (b, 1), (c, 1)]
    assert (arm.excluded, arm.included, arm.undetermined) == (5, 1, 1)
