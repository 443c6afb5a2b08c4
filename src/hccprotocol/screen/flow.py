"""The patient-selection flow of a screen, drawn as the paper's Figure 1 (Mermaid, SVG, HTML).

Why these boxes: Lin et al. 2023 Figure 1 goes screened -> excluded (a count
per reason) -> included, per arm. A registry screen adds two outcomes the
retrospective study did not have: *invalid record* (a row that failed a
plausibility or type check: reported by row and field, never screened) and
*undetermined* (nothing excludes, but some criterion is unknown: never counted
as included). Each excluded patient is counted once, under the first
excluding criterion in rule-file order, so the boxes add up:
screened = invalid + excluded + undetermined + included, and excluded = the
sum of its reasons.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hccprotocol.screen.criteria import Criteria

__all__ = ["ArmFlow", "Flow", "arm_flow", "render_html", "render_mermaid", "render_svg"]


@dataclass(frozen=True)
class ArmFlow:
    arm_id: str
    title: str
    screened: int
    invalid: int
    excluded: int
    excluded_first: tuple[tuple[str, str, int], ...]
    """(criterion id, title, patients) for each criterion that is the first to exclude someone."""
    undetermined: int
    included: int

    def __post_init__(self) -> None:
        if self.screened != self.invalid + self.excluded + self.undetermined + self.included:
            raise ValueError("flow counts do not add up")
        if self.excluded != sum(n for _, _, n in self.excluded_first):
            raise ValueError("excluded does not equal the sum of its reasons")


@dataclass(frozen=True)
class Flow:
    arms: tuple[ArmFlow, ...]

    @property
    def screened(self) -> int:
        return self.arms[0].screened if self.arms else 0


def arm_flow(decisions: pd.DataFrame, invalid: int, crit: Criteria, arm_id: str, title: str) -> ArmFlow:
    eligible = decisions["eligible"].astype("boolean")
    included = int(eligible.eq(True).fillna(False).sum())
    excluded_mask = eligible.eq(False).fillna(False).to_numpy(dtype=bool)
    undetermined = int(eligible.isna().sum())
    counts = _first_reason_counts(decisions["excluded_by"], excluded_mask)
    reasons = tuple((cid, crit.titles[cid], counts[cid]) for cid in crit.criteria_ids if cid in counts)
    return ArmFlow(arm_id=arm_id, title=title, screened=len(decisions) + invalid, invalid=invalid,
                   excluded=int(np.count_nonzero(excluded_mask)), excluded_first=reasons,
                   undetermined=undetermined, included=included)


def _first_reason_counts(excluded_by: pd.Series[Any], rows: np.ndarray[Any, Any]) -> dict[str, int]:
    """Patients of ``rows`` per first name in their ``;``-separated ``excluded_by``.

    Why per distinct value: the column holds few combinations (a categorical, as the screen writes it), so
    each is split once and its rows counted by code; splitting a million strings took seconds."""
    codes, values = pd.factorize(excluded_by)  # a categorical's own codes; -1 where missing
    per_value = np.bincount(codes[rows & (codes >= 0)], minlength=len(values))
    counts: dict[str, int] = {}
    for value, count in zip(values, per_value.tolist(), strict=True):
        if count:
            first = str(value).split(";", 1)[0]
            counts[first] = counts.get(first, 0) + count
    return counts


def _q(text: str) -> str:
    return text.replace('"', "'")


def render_mermaid(flow: Flow) -> str:
    """Mermaid flowchart text (``flowchart TD``)."""
    lines = ["flowchart TD", f'  screened["Patients screened (n = {flow.screened})"]']
    for k, arm in enumerate(flow.arms):
        a = f"a{k}"
        lines.append(f'  screened --> {a}_invalid["Invalid records (n = {arm.invalid})"]')
        lines.append(f'  screened --> {a}_excluded["Excluded for {_q(arm.title)} (n = {arm.excluded})"]')
        for j, (cid, title, n) in enumerate(arm.excluded_first):
            lines.append(f'  {a}_excluded --> {a}_r{j}["{_q(title)} [{cid}] (n = {n})"]')
        lines.append(f'  screened --> {a}_undetermined["Undetermined: a criterion unknown (n = {arm.undetermined})"]')
        lines.append(f'  screened --> {a}_included["Included in {_q(arm.title)} (n = {arm.included})"]')
    return "\n".join(lines) + "\n"


_BOX_W, _BOX_H, _GAP = 420, 44, 16


def _box(x: int, y: int, text: str, cls: str) -> str:
    return (f'<g class="box {cls}"><rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="4" '
            f'fill="#ffffff" stroke="#333333"/><text x="{x + 10}" y="{y + 27}" font-family="sans-serif" '
            f'font-size="13">{html.escape(text)}</text></g>')


def _line(x1: int, y1: int, x2: int, y2: int) -> str:
    return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333333" marker-end="url(#arrow)"/>'


def render_svg(flow: Flow) -> str:
    """A standalone SVG: screened at the top; per arm a trunk line with the invalid, excluded (its reasons on
    a branch below it), undetermined and included boxes."""
    parts: list[str] = []
    top, column = 20, _BOX_W + 120
    width = max(1, len(flow.arms)) * column + _GAP
    parts.append(_box(_GAP, top, f"Patients screened (n = {flow.screened})", "screened"))
    bottom = top + _BOX_H
    for k, arm in enumerate(flow.arms):
        x = _GAP + k * column
        trunk = x + 12
        y = top + _BOX_H + 2 * _GAP
        parts.append(f'<text x="{x}" y="{y + 4}" font-family="sans-serif" font-size="13" font-weight="bold">'
                     f'{html.escape(arm.arm_id)}</text>')
        parts.append(f'<text x="{x}" y="{y + 20}" font-family="sans-serif" font-size="11">'
                     f'{html.escape(arm.title)}</text>')
        y += 2 * _GAP + 12
        boxes = [("invalid", f"Invalid records (n = {arm.invalid})", 0),
                 ("excluded", f"Excluded (n = {arm.excluded})", 0)]
        boxes += [("reason", f"{title} (n = {n})", 1) for _, title, n in arm.excluded_first]
        boxes += [("undetermined", f"Undetermined: a criterion unknown (n = {arm.undetermined})", 0),
                  ("included", f"Included (n = {arm.included})", 0)]
        last_main = y
        branch_top = None
        for cls, text, level in boxes:
            left = x + 30 + 30 * level
            mid = y + _BOX_H // 2
            if level == 0:
                parts.append(_line(trunk, mid, left, mid))
                last_main = mid
            else:
                branch = x + 60
                parts.append(f'<line x1="{branch}" y1="{branch_top}" x2="{branch}" y2="{mid}" stroke="#333333"/>')
                parts.append(_line(branch, mid, left, mid))
            if cls == "excluded":
                branch_top = y + _BOX_H
            parts.append(_box(left, y, text, cls))
            y += _BOX_H + _GAP // 2
        parts.append(f'<line x1="{trunk}" y1="{top + _BOX_H}" x2="{trunk}" y2="{last_main}" stroke="#333333"/>')
        bottom = max(bottom, y)
    height = bottom + _GAP
    defs = ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
            'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#333333"/></marker></defs>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">{defs}<rect width="100%" height="100%" fill="#ffffff"/>'
            + "".join(parts) + "</svg>\n")


def render_html(flow: Flow, arms_rules: Sequence[str] = ()) -> str:
    """A page with the SVG and the same counts as a table (for screen readers and copying)."""
    rows = []
    for arm in flow.arms:
        cells = [("Screened", flow.screened), ("Invalid records", arm.invalid), ("Excluded", arm.excluded)]
        cells += [(f"  {title} [{cid}]", n) for cid, title, n in arm.excluded_first]
        cells += [("Undetermined", arm.undetermined), ("Included", arm.included)]
        body = "".join(f"<tr><td>{html.escape(k)}</td><td class='n'>{v}</td></tr>" for k, v in cells)
        rows.append(f"<h2>{html.escape(arm.title)} [{html.escape(arm.arm_id)}]</h2><table>{body}</table>")
    notes = "".join(f"<p>{html.escape(n)}</p>" for n in arms_rules)
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Patient selection flow</title>"
            "<style>body{font-family:sans-serif;margin:2em}td.n{text-align:right;padding-left:2em}</style>"
            f"</head><body><h1>Patient selection flow</h1>{render_svg(flow)}{''.join(rows)}{notes}</body></html>\n")
