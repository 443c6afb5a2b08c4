"""The HTML calendar renders in a real headless browser (Debian's chromium) and prints to PDF.

Skips with a reason when ``/usr/bin/chromium`` is absent (install: ``apt-get
install -y chromium``; browser downloads by test tools do not work here).
The screenshot is kept under the pytest temporary directory for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from hccprotocol.render.html import render_plan_html
from tests.unit.schedule_support import patient, plan

CHROMIUM = Path("/usr/bin/chromium")

# Locally the check is skipped without a browser; in CI (.ci/run installs chromium) a missing browser fails.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="headless browser check needs Debian's chromium at /usr/bin/chromium (not installed)",
)

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _run(tmp_path: Path, html: str, *extra: str) -> subprocess.CompletedProcess[str]:
    page = tmp_path / "plan.html"
    page.write_text(html, encoding="utf-8")
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_screenshot_is_a_non_trivial_png(tmp_path: Path) -> None:
    html = render_plan_html(plan(patient(pd1_agent="camrelizumab"), eligible=None, force=True))
    shot = tmp_path / "plan.png"
    result = _run(tmp_path, html, f"--screenshot={shot}", "--window-size=1400,2400", "--hide-scrollbars")
    assert shot.exists(), result.stderr[-2000:]
    data = shot.read_bytes()
    assert _png_size(data) == (1400, 2400)
    # a blank page compresses to a few kilobytes; the calendar with coloured chips is far larger
    assert len(data) > 60_000
    keep = Path(__file__).resolve().parents[2] / ".pytest_cache" / "plan-screenshot.png"
    keep.parent.mkdir(exist_ok=True)
    shutil.copyfile(shot, keep)


def test_prints_to_pdf(tmp_path: Path) -> None:
    html = render_plan_html(plan(cycles=6))
    pdf = tmp_path / "plan.pdf"
    result = _run(tmp_path, html, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf.exists(), result.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 3  # months, rows, options, trail


def test_forced_banner_never_covers_a_row_in_print(tmp_path: Path) -> None:
    """Print to PDF a long forced calendar and look at it: the banner is a row of each table's header.

    The check in the browser: chromium prints it (several pages), and the page has no element positioned
    over the content (the print banner used to be position: fixed). The screenshot of the top of the page
    is kept for a person to look at (.pytest_cache/plan-forced-top.png).
    """
    html = render_plan_html(plan(patient(pd1_agent="camrelizumab"), eligible=None, force=True, cycles=8))
    pdf = tmp_path / "forced.pdf"
    result = _run(tmp_path, html, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf.exists(), result.stderr[-2000:]
    assert pdf.read_bytes().count(b"/Type /Page") - pdf.read_bytes().count(b"/Type /Pages") >= 4
    assert "position: fixed" not in html and "position: sticky" not in html
    shot = tmp_path / "forced.png"
    _run(tmp_path, html, f"--screenshot={shot}", "--window-size=1400,1200", "--hide-scrollbars")
    assert shot.exists()
    keep = Path(__file__).resolve().parents[2] / ".pytest_cache" / "plan-forced-top.png"
    keep.parent.mkdir(exist_ok=True)
    shutil.copyfile(shot, keep)
