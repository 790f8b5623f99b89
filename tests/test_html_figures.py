"""The committed interactive figures render in a real browser: headless Chromium takes a screenshot of
each figures/*.html as a reader opening it from a fresh clone would (plotly.min.js beside them, no
network), and the page is not blank and logs no console error.

Skipped, with the reason, where Chromium is not installed (`make setup` installs Debian's chromium
when apt is available).
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "figures"
PAGES = sorted(FIGURES.glob("*.html"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
# no sandbox as root, no GPU, no background traffic (a closed network refuses it)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=3000"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make setup installs it with apt)")


def render(page: Path, tmp_path: Path, height: int = 900) -> tuple[Path, list[str]]:
    shot = tmp_path / f"{page.stem}.png"
    result = subprocess.run([CHROMIUM, *FLAGS, f"--window-size=1200,{height}", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
                             page.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return shot, console


def ink(shot: Path, top: int = 0, bottom: int | None = None) -> tuple[float, int]:
    """Share of pixels that are not white, and the number of distinct colours (rows top to bottom)."""
    import numpy as np
    from matplotlib import image

    pixels = image.imread(shot)[top:bottom:2, ::2, :3]
    flat = (pixels.reshape(-1, 3) * 255).astype(np.int64)
    not_white = float((flat.min(axis=1) < 245).mean())
    return not_white, len(np.unique(flat[:, 0] * 65536 + flat[:, 1] * 256 + flat[:, 2]))


def test_every_figure_has_an_html_page():
    names = {p.stem for p in PAGES}
    assert {"troops_over_time", "attacks_over_time", "casualties_over_time", "events_timeline",
            "conflicting_claims"} <= names
    # the shared plotly.js is committed, so a fresh clone's pages are not blank
    assert (FIGURES / "plotly.min.js").stat().st_size > 1_000_000
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", "figures/plotly.min.js"], cwd=ROOT,
                             capture_output=True, text=True)
    ignored = subprocess.run(["git", "check-ignore", "-q", "figures/plotly.min.js"], cwd=ROOT)
    assert tracked.returncode == 0 or ignored.returncode == 1


HEIGHT = 900


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """One Chromium run for every page: each figure in its own frame, one above the other."""
    tmp = tmp_path_factory.mktemp("html")
    frames = "".join(f'<iframe src="{p.resolve().as_uri()}" style="display:block;border:0;width:1200px;'
                     f'height:{HEIGHT}px"></iframe>' for p in PAGES)
    board = tmp / "board.html"
    board.write_text(f"<!DOCTYPE html><html><body style='margin:0'>{frames}</body></html>", encoding="utf-8")
    return render(board, tmp, height=HEIGHT * len(PAGES))


@pytest.mark.parametrize("index", range(len(PAGES)), ids=[p.stem for p in PAGES])
def test_html_figure_renders_without_console_errors(rendered, index):
    shot, console = rendered
    page = PAGES[index]
    assert shot.is_file(), "chromium wrote no screenshot"
    errors = [line for line in console if ("error" in line.lower() or "uncaught" in line.lower())
              and page.name in line]
    assert not errors, f"{page.name}: console errors: {errors}"
    assert not [line for line in console if "plotly.min.js" in line], console
    share, colours = ink(shot, index * HEIGHT, (index + 1) * HEIGHT)
    assert share > 0.003 and colours > 20, f"{page.name} looks blank ({share:.1%} ink, {colours} colours)"


def test_a_page_without_plotly_is_caught(tmp_path):
    """The checks can fail: a figure page whose plotly.min.js is missing is blank and logs an error."""
    page = tmp_path / "figure.html"
    page.write_text((FIGURES / "attacks_over_time.html").read_text(encoding="utf-8"), encoding="utf-8")
    shot, console = render(page, tmp_path)
    share, _ = ink(shot)
    assert any("plotly" in line.lower() or "error" in line.lower() for line in console) or share < 0.01
