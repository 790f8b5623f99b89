"""Figures of what the articles claim, fit to publish, and the tables behind them.

Every figure is built in two steps:

1. a *chart* (``troops_chart``, ``attacks_chart``, ``events_chart``) selects and
   sorts exactly the rows the figure plots, and says in plain words what it
   leaves out (claims without a date, other actors...);
2. a *figure builder* draws the chart, as a matplotlib ``Figure`` (PNG, SVG) or
   a plotly figure (offline HTML with hover text).

``save_figure`` writes the formats asked for plus a CSV twin holding the
plotted rows, atomically and byte-reproducibly: fixed PNG/SVG metadata, a fixed
SVG hash salt, fixed plotly element ids, sorted tables.

Arabic text: matplotlib >= 3.11 shapes Arabic and orders it right-to-left by
itself, so strings go in as they are (the old arabic_reshaper + bidi trick now
reverses them).  The font is DejaVu Sans, upright only: its oblique face has no
Arabic glyphs.  Plotly leaves ordering to the browser, where an Arabic string
that mixes in Latin letters or digits needs a right-to-left isolate (U+2067 ...
U+2069) to keep its order.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import math
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import pandas as pd

from . import io as tw_io

__all__ = [
    "Chart",
    "SavedFigure",
    "FORMATS",
    "QUALIFIERS",
    "STYLE",
    "figure_style",
    "period_bounds",
    "outlet_label",
    "outlet_colours",
    "value_label",
    "human_date",
    "mpl_isolate_ltr",
    "isolate_rtl",
    "troops_chart",
    "attacks_chart",
    "events_chart",
    "troops_figure",
    "troops_interactive",
    "attacks_figure",
    "attacks_interactive",
    "events_figure",
    "events_interactive",
    "save_figure",
]

FORMATS = ("png", "svg", "html")
DPI = 150
FONT = "DejaVu Sans"

# Fixed rcParams for every figure: the same inputs give the same bytes on any
# machine, and Arabic is drawn with a face that has the glyphs.
STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.style": "normal",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "savefig.dpi": DPI,
    "svg.fonttype": "path",  # text as outlines: the SVG needs no font to look the same
    "svg.hashsalt": "troopwatch",  # fixed ids for clip paths and glyphs
    "path.simplify": True,
}

# Okabe-Ito: distinguishable with colour-blindness; grey is kept for "outlet not stated".
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
UNKNOWN_OUTLET = "outlet not stated"
UNKNOWN_COLOUR = "#8c8c8c"

# How each qualifier is drawn: marker, hollow or filled, and its legend wording.
QUALIFIERS = {
    "exact": {"label": "exact number", "marker": "o", "filled": True, "plotly": "circle"},
    "approx": {"label": "approximate (about, nearly)", "marker": "o", "filled": False, "plotly": "circle-open"},
    "at_least": {"label": "at least / more than", "marker": "^", "filled": True, "plotly": "triangle-up"},
    "at_most": {"label": "at most / fewer than", "marker": "v", "filled": True, "plotly": "triangle-down"},
    "range": {"label": "range, low to high", "marker": "_", "filled": True, "plotly": "line-ew-open"},
    "vague": {"label": "vague, e.g. \"hundreds\"", "marker": "", "filled": False, "plotly": "line-ew-open"},
}
BAR_QUALIFIERS = {"range", "vague"}

TROOP_GROUPS = {
    "US": "US troops",
    "coalition": "Other foreign troops (coalition, other countries)",
    "other_country": "Other foreign troops (coalition, other countries)",
}
TWIN_COLUMNS = ["outlet", "article", "date", "value", "low", "high", "qualifier", "sentence"]

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_OR_DIGIT = re.compile("[A-Za-z0-9\u0660-\u0669\u06f0-\u06f9]")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


# ---------------------------------------------------------------- small helpers

@contextlib.contextmanager
def figure_style() -> Iterator[None]:
    """The fixed matplotlib settings, for building and for saving a figure."""
    import matplotlib

    with matplotlib.rc_context(STYLE):
        yield


def period_bounds(iso: str) -> tuple[dt.date, dt.date]:
    """First and last day of an ISO date, month or year ('2021-03-23', '2021-03', '2021')."""
    match = _ISO.match(str(iso).strip()) if iso is not None else None
    if not match:
        raise ValueError(f"{iso!r} is not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY)")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError as exc:
        raise ValueError(f"{iso!r} is not a valid date ({exc})") from None
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if day is None:
        first = dt.date(year, month, 1)
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    day_ = dt.date(year, month, day)
    return day_, day_


def _midpoint(first: dt.date, last: dt.date) -> dt.date:
    return first + (last - first) // 2


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _mask(series: pd.Series, test) -> pd.Series:
    """A boolean mask (also for an empty series, where ``map`` gives an object column)."""
    return pd.Series([bool(test(v)) for v in series], index=series.index, dtype=bool)


def _overlaps(iso: str, start: str | None, end: str | None) -> bool:
    first, last = period_bounds(iso)
    if start and last < period_bounds(start)[0]:
        return False
    if end and first > period_bounds(end)[1]:
        return False
    return True


def outlet_label(outlet) -> str:
    return UNKNOWN_OUTLET if _missing(outlet) or not str(outlet).strip() else str(outlet).strip()


def outlet_colours(outlets: Iterable) -> dict[str, str]:
    """A fixed colour per outlet (sorted names), grey for articles whose outlet is not stated.

    Build it from the whole article table so an outlet keeps its colour across figures.
    """
    names = sorted({outlet_label(o) for o in outlets} - {UNKNOWN_OUTLET})
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    colours[UNKNOWN_OUTLET] = UNKNOWN_COLOUR
    return colours


def _number(value) -> str:
    if _missing(value):
        return "?"
    value = float(value)
    return f"{int(value):,}" if value.is_integer() else f"{value:,.1f}"


def value_label(row) -> str:
    """The number as a reader should see it: '2,500', '~2,500', '≥150', '1,000–2,000'."""
    qualifier = row.get("qualifier")
    value, low, high = row.get("value"), row.get("low"), row.get("high")
    if qualifier in BAR_QUALIFIERS and not (_missing(low) or _missing(high)):
        text = f"{_number(low)}–{_number(high)}"
        return f"{text} (vague)" if qualifier == "vague" else text
    shown = value if not _missing(value) else (low if not _missing(low) else high)
    prefix = {"approx": "~", "at_least": "≥", "at_most": "≤"}.get(qualifier, "")
    return f"{prefix}{_number(shown)}"


def _plotted_value(row) -> float | None:
    value, low, high = row.get("value"), row.get("low"), row.get("high")
    if not _missing(value):
        return float(value)
    if not _missing(low) and not _missing(high):
        return (float(low) + float(high)) / 2
    for v in (low, high):
        if not _missing(v):
            return float(v)
    return None


def isolate_rtl(text: str) -> str:
    """Wrap Arabic text that mixes in Latin letters or digits in RLI ... PDI (for plotly/HTML)."""
    text = str(text)
    if _ARABIC.search(text) and _LATIN_OR_DIGIT.search(text):
        return f"\u2067{text}\u2069"
    return text


def _html(text) -> str:
    """A user-supplied string (outlet, article id, label) for plotly, which renders a subset of HTML
    in legends, hover boxes and titles: escaped, so it shows as text and never as a tag or link."""
    return "" if _missing(text) else html.escape(str(text), quote=False)


def _hover_text(text, width: int = 70) -> str:
    """HTML-escaped, wrapped for a hover box, each line isolated on its own."""
    if _missing(text):
        return ""
    lines = textwrap.wrap(" ".join(str(text).split()), width=width) or [""]
    return "<br>".join(isolate_rtl(html.escape(line, quote=False)) for line in lines)


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def human_date(iso: str) -> str:
    """'2023-10' -> 'Oct 2023', '2021-03-23' -> '23 Mar 2021', '2020' -> '2020'."""
    first, last = period_bounds(iso)
    if first == last:
        return f"{first.day} {_MONTHS[first.month - 1]} {first.year}"
    if first.month == last.month:
        return f"{_MONTHS[first.month - 1]} {first.year}"
    return str(first.year)


def mpl_isolate_ltr(text: str) -> str:
    """Keep a left-to-right run (a date, a number with dashes) in order inside an Arabic label in matplotlib."""
    return f"\u2066{text}\u2069"


def _shorten(text, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


# ---------------------------------------------------------------- charts (data)

@dataclass
class Chart:
    """What one figure shows: the plotted rows (the CSV twin) and what was left out."""

    name: str
    rows: pd.DataFrame
    left_out: list[str] = field(default_factory=list)
    colours: dict[str, str] = field(default_factory=dict)
    articles: int = 0
    corpus: str = "the corpus"
    start: str | None = None
    end: str | None = None
    caveat: str = "Numbers are claims as reported, not verified counts."

    def source_line(self) -> str:
        return (f"Source: troopwatch, from {_plural(self.articles, 'Arabic news article')} "
                f"({self.corpus}). {self.caveat}")

    def note_line(self) -> str:
        return " ".join(self.left_out)


def _outlets_by_article(articles: pd.DataFrame) -> dict[str, str]:
    return {str(a): outlet_label(o) for a, o in zip(articles["id"], articles["outlet"])}


def _with_dates(rows: pd.DataFrame, date_column: str) -> pd.DataFrame:
    bounds = [period_bounds(d) for d in rows[date_column]]
    rows = rows.copy()
    rows["date_first"] = [b[0] for b in bounds]
    rows["date_last"] = [b[1] for b in bounds]
    return rows


def _select_claims(
    claims: pd.DataFrame,
    articles: pd.DataFrame,
    kind: str,
    start: str | None,
    end: str | None,
) -> tuple[pd.DataFrame, list[str]]:
    """Claims of one kind from the selected articles, with a dated, plottable number."""
    left_out: list[str] = []
    selected = claims[claims["kind"] == kind]
    selected = selected[selected["article"].astype(str).isin(set(articles["id"].astype(str)))]
    undated = _mask(selected["refers_to"], _missing)
    if undated.any():
        left_out.append(f"Not shown: {_plural(int(undated.sum()), 'claim')} with no date it refers to.")
    selected = selected[~undated]
    if start or end:
        inside = _mask(selected["refers_to"], lambda d: _overlaps(d, start, end))
        if (~inside).any():
            left_out.append(f"Not shown: {_plural(int((~inside).sum()), 'claim')} outside the period.")
        selected = selected[inside]
    no_number = pd.Series([_plotted_value(row) is None for _, row in selected.iterrows()],
                          index=selected.index, dtype=bool)
    if no_number.any():
        left_out.append(f"Not shown: {_plural(int(no_number.sum()), 'claim')} with no number to plot.")
        selected = selected[~no_number]
    return selected, left_out


def _twin(selected: pd.DataFrame, outlets: dict[str, str], extra: Sequence[str]) -> pd.DataFrame:
    rows = pd.DataFrame({
        "outlet": [outlets.get(str(a), UNKNOWN_OUTLET) for a in selected["article"]],
        "article": selected["article"].astype(str).to_numpy(),
        "date": selected["refers_to"].astype(str).to_numpy(),
        "value": pd.to_numeric(selected["value"], errors="coerce").to_numpy(),
        "low": pd.to_numeric(selected["low"], errors="coerce").to_numpy(),
        "high": pd.to_numeric(selected["high"], errors="coerce").to_numpy(),
        "qualifier": selected["qualifier"].astype(str).to_numpy(),
        "sentence": selected["sentence"].astype(str).to_numpy(),
    })
    for column in extra:
        rows[column] = selected[column].to_numpy() if column in selected else None
    return rows


def _article_count(articles: pd.DataFrame) -> int:
    return int(articles["id"].nunique())


def troops_chart(
    claims: pd.DataFrame,
    articles: pd.DataFrame,
    start: str | None = None,
    end: str | None = None,
    corpus: str = "the corpus",
) -> Chart:
    """Troop-number claims about US and other foreign forces, one row per plotted claim."""
    selected, left_out = _select_claims(claims, articles, "troops", start, end)
    foreign = selected["actor"].isin(list(TROOP_GROUPS))
    if (~foreign).any():
        left_out.append(
            f"Not shown: {_plural(int((~foreign).sum()), 'claim')} about Iraqi, militia or unattributed forces."
        )
    selected = selected[foreign]
    rows = _twin(selected, _outlets_by_article(articles), ["actor", "refers_to_precision", "mention", "start"])
    rows = rows.rename(columns={"refers_to_precision": "date_precision"})
    rows["panel"] = rows["actor"].map(TROOP_GROUPS)
    rows = rows.sort_values(["panel", "date", "outlet", "article", "start"], kind="stable")
    rows = rows.drop(columns=["start"]).reset_index(drop=True)
    return Chart("troops_over_time", rows, left_out, outlet_colours(articles["outlet"]),
                 _article_count(articles), corpus, start, end)


def attacks_chart(
    claims: pd.DataFrame,
    articles: pd.DataFrame,
    start: str | None = None,
    end: str | None = None,
    corpus: str = "the corpus",
) -> Chart:
    """Attack-count claims as reported, with the window a cumulative count covers."""
    selected, left_out = _select_claims(claims, articles, "attacks", start, end)
    rows = _twin(selected, _outlets_by_article(articles), ["window_start", "actor", "refers_to_precision", "mention",
                                                           "start"])
    rows = rows.rename(columns={"refers_to_precision": "date_precision"})
    # object dtype, so a missing window stays None: a list of None and strings would become a
    # string column (pandas >= 3), where None turns into NaN, which is truthy
    rows["window_start"] = pd.Series([None if _missing(w) else str(w) for w in rows["window_start"]],
                                     index=rows.index, dtype=object)
    rows = rows.sort_values(["date", "outlet", "article", "start"], kind="stable")
    rows = rows.drop(columns=["start"]).reset_index(drop=True)
    return Chart("attacks_over_time", rows, left_out, outlet_colours(articles["outlet"]),
                 _article_count(articles), corpus, start, end)


def events_chart(
    events: pd.DataFrame,
    articles: pd.DataFrame,
    start: str | None = None,
    end: str | None = None,
    corpus: str = "the corpus",
) -> Chart:
    """Dated events, one row per event mention, in date order."""
    left_out: list[str] = []
    selected = events[events["article"].astype(str).isin(set(articles["id"].astype(str)))]
    undated = _mask(selected["date"], _missing)
    if undated.any():
        left_out.append(f"Not shown: {_plural(int(undated.sum()), 'event')} with no date.")
    selected = selected[~undated]
    if start or end:
        inside = _mask(selected["date"], lambda d: _overlaps(d, start, end))
        if (~inside).any():
            left_out.append(f"Not shown: {_plural(int((~inside).sum()), 'event')} outside the period.")
        selected = selected[inside]
    outlets = _outlets_by_article(articles)
    rows = pd.DataFrame({
        "outlet": [outlets.get(str(a), UNKNOWN_OUTLET) for a in selected["article"]],
        "article": selected["article"].astype(str).to_numpy(),
        "date": selected["date"].astype(str).to_numpy(),
        "date_precision": selected["precision"].to_numpy(),
        "event": selected["event"].astype(str).to_numpy(),
        "sentence": selected["sentence"].astype(str).to_numpy(),
        "start": selected["start"].to_numpy(),
    })
    rows = _with_dates(rows, "date") if len(rows) else rows.assign(date_first=[], date_last=[])
    rows = rows.sort_values(["date_first", "date_last", "article", "start"], kind="stable")
    rows = rows.drop(columns=["date_first", "date_last", "start"]).reset_index(drop=True)
    return Chart("events_timeline", rows, left_out, outlet_colours(articles["outlet"]),
                 _article_count(articles), corpus, start, end,
                 caveat="Events and dates as the articles give them, not checked against other sources.")


# ---------------------------------------------------------------- matplotlib

def _new_figure(width: float, height: float):
    from matplotlib.figure import Figure

    # A bare Figure, not pyplot: a notebook does not show it twice, and nothing global is kept.
    return Figure(figsize=(width, height), dpi=DPI)


def _frame(fig, title: str, subtitle: str, chart: Chart, bottom: float) -> None:
    fig.text(0.02, 0.975, title, ha="left", va="top", fontsize=14, fontweight="bold")
    fig.text(0.02, 0.935, subtitle, ha="left", va="top", fontsize=10, color="#444444")
    footer = chart.source_line()
    if chart.note_line():
        footer += "\n" + chart.note_line()
    fig.text(0.02, bottom, footer, ha="left", va="bottom", fontsize=8, color="#555555", wrap=True)


def _date_axis(ax, chart: Chart, firsts: Sequence[dt.date], lasts: Sequence[dt.date]) -> None:
    import matplotlib.dates as mdates

    if chart.start or chart.end or firsts:
        lo = period_bounds(chart.start)[0] if chart.start else min(firsts)
        hi = period_bounds(chart.end)[1] if chart.end else max(lasts)
        pad = max((hi - lo) * 0.06, dt.timedelta(days=90))  # a lone claim still sits in a readable span
        ax.set_xlim(lo - (pad if not chart.start else dt.timedelta(0)), hi + (pad if not chart.end else dt.timedelta(0)))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    lo, hi = (mdates.num2date(v).date() for v in ax.get_xlim())
    # every tick names its year: a reader never has to work out which year "Nov" is in
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y" if (hi - lo).days > 3 * 365 else "%b %Y"))


def _thousands(ax) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))


def _draw_claims(ax, rows: pd.DataFrame, colours: dict[str, str]) -> None:
    """One mark per claim at its date; bars for ranges and vague amounts; a line across an imprecise date."""
    for _, row in rows.iterrows():
        colour = colours.get(row["outlet"], UNKNOWN_COLOUR)
        first, last = period_bounds(row["date"])
        x = _midpoint(first, last)
        y = _plotted_value(row)
        style = QUALIFIERS.get(row["qualifier"], QUALIFIERS["exact"])
        if first != last:  # date known to the month or year only
            ax.plot([first, last], [y, y], color=colour, linewidth=1, alpha=0.45, solid_capstyle="butt", zorder=2)
        if row["qualifier"] in BAR_QUALIFIERS and not (_missing(row["low"]) or _missing(row["high"])):
            ax.plot([x, x], [row["low"], row["high"]], color=colour, linewidth=2.2,
                    linestyle="--" if row["qualifier"] == "vague" else "-", zorder=3)
            if row["qualifier"] == "range":
                ax.plot([x, x], [row["low"], row["high"]], linestyle="none", marker="_", markersize=12,
                        markeredgewidth=2.2, color=colour, zorder=3)
        else:
            ax.plot([x], [y], linestyle="none", marker=style["marker"], markersize=8, markeredgewidth=1.6,
                    markeredgecolor=colour, markerfacecolor=colour if style["filled"] else "white", zorder=4)
        ax.annotate(value_label(row), (x, y if row["qualifier"] not in BAR_QUALIFIERS or _missing(row["high"])
                                       else row["high"]),
                    xytext=(6, 4), textcoords="offset points", fontsize=8, color="#333333", zorder=5)


def _legend(fig, rows: pd.DataFrame, colours: dict[str, str], top: float, qualifiers: bool = True,
            left: float = 0.745) -> None:
    """One legend right of the plot: outlets by colour, then how each number is put, by marker."""
    from matplotlib.lines import Line2D

    def header():
        return Line2D([], [], linestyle="none")

    handles, labels, bold = [header()], ["Outlet"], [0]
    for outlet in sorted(set(rows["outlet"]), key=lambda o: (o == UNKNOWN_OUTLET, o)):
        handles.append(Line2D([], [], color=colours.get(outlet, UNKNOWN_COLOUR), linewidth=6))
        labels.append(outlet)
    present = [q for q in QUALIFIERS if qualifiers and q in set(rows["qualifier"])]
    if present:
        handles += [header(), header()]
        labels += ["", "How the number is put"]
        bold.append(len(labels) - 1)
    for q in present:
        style = QUALIFIERS[q]
        if q in BAR_QUALIFIERS:
            handles.append(Line2D([], [], color="#333333", linewidth=2, linestyle="--" if q == "vague" else "-"))
        else:
            handles.append(Line2D([], [], linestyle="none", marker=style["marker"], markersize=8,
                                  markeredgecolor="#333333", markeredgewidth=1.6,
                                  markerfacecolor="#333333" if style["filled"] else "white"))
        labels.append(style["label"])
    legend = fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(left, top), fontsize=9,
                        handlelength=2.2, alignment="left")
    for i in bold:
        legend.get_texts()[i].set_fontweight("bold")


def _empty(ax, text: str = "No claims of this kind in the selected articles") -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#777777", fontsize=10)
    ax.set_yticks([])


def troops_figure(chart: Chart):
    """Troop numbers over time: US and other foreign troops in two panels sharing the date axis."""
    with figure_style():
        fig = _new_figure(12, 7.5)
        panels = list(dict.fromkeys(TROOP_GROUPS.values()))
        axes = fig.subplots(len(panels), 1, sharex=True)
        fig.subplots_adjust(left=0.08, right=0.72, top=0.86, bottom=0.17, hspace=0.28)
        rows = chart.rows
        for ax, panel in zip(axes, panels):
            subset = rows[rows["panel"] == panel]
            ax.set_title(panel)
            if subset.empty:
                _empty(ax)
                continue
            _draw_claims(ax, subset, chart.colours)
            top = max(v for v in (subset[["value", "low", "high"]].max(axis=1)) if not _missing(v))
            ax.set_ylim(0, top * 1.25)
            _thousands(ax)
            ax.set_ylabel("Troops (as reported)")
        dated = [period_bounds(d) for d in rows["date"]]
        _date_axis(axes[-1], chart, [d[0] for d in dated], [d[1] for d in dated])
        axes[-1].set_xlabel("Date the claim refers to (a horizontal line spans a month or year when no day is given)")
        _frame(fig, "How many foreign troops are in Iraq? What the articles claim",
               f"{_plural(len(rows), 'troop-number claim')}, each placed at the date it refers to; "
               "colour shows the outlet, the marker how the number is put", chart, 0.015)
        _legend(fig, rows, chart.colours, 0.86)
    return fig


def attacks_figure(chart: Chart):
    """Attack counts as reported; a cumulative count's window ('since October 2023') drawn as a span."""
    with figure_style():
        fig = _new_figure(12, 6.5)
        ax = fig.subplots()
        fig.subplots_adjust(left=0.08, right=0.72, top=0.84, bottom=0.2)
        rows = chart.rows
        ax.set_title("Attacks counted in each claim")
        firsts, lasts = [], []
        labelled: set = set()
        if rows.empty:
            _empty(ax)
        else:
            for _, row in rows.iterrows():
                first, last = period_bounds(row["date"])
                firsts.append(first)
                lasts.append(last)
                if not _missing(row["window_start"]):
                    w_first, _ = period_bounds(row["window_start"])
                    firsts.append(w_first)
                    y = _plotted_value(row)
                    colour = chart.colours.get(row["outlet"], UNKNOWN_COLOUR)
                    ax.fill_between([w_first, _midpoint(first, last)], [y * 0.97] * 2, [y * 1.03] * 2,
                                    color=colour, alpha=0.25, linewidth=0, zorder=1)
                    if (row["window_start"], y) not in labelled:  # one label per window drawn
                        labelled.add((row["window_start"], y))
                        ax.annotate(f"since {human_date(row['window_start'])}", (w_first, y), xytext=(2, -13),
                                    textcoords="offset points", fontsize=8, color="#555555")
            _draw_claims(ax, rows, chart.colours)
            top = max(v for v in rows[["value", "low", "high"]].max(axis=1) if not _missing(v))
            ax.set_ylim(0, top * 1.3)
            _thousands(ax)
            ax.set_ylabel("Attacks (count as reported)")
        _date_axis(ax, chart, firsts, lasts)
        ax.set_xlabel("Date the count refers to; a shaded band spans the period a cumulative count covers")
        _frame(fig, "Attacks on US forces, as the articles count them",
               f"{_plural(len(rows), 'attack-count claim')}; cumulative counts are shown as reported, "
               "not as attacks per month", chart, 0.015)
        _legend(fig, rows, chart.colours, 0.84)
    return fig


def _event_groups(rows: pd.DataFrame) -> list[tuple[str, str, list[int]]]:
    """(event, date, row positions) per distinct event, in the rows' (date) order."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, (event, date) in enumerate(zip(rows["event"], rows["date"])):
        groups.setdefault((str(event), str(date)), []).append(i)
    return [(event, date, members) for (event, date), members in groups.items()]


def _event_label(event: str, date: str, members: list[int], rows: pd.DataFrame, width: int, ltr) -> str:
    articles = rows["article"].iloc[members].nunique()
    count = f" · {articles} articles" if articles > 1 else ""
    return f"{_shorten(event, width)}  {ltr(human_date(date) + count)}"


def events_figure(chart: Chart, label_width: int = 48):
    """A timeline of dated events: one row per distinct event, a mark per article mentioning it."""
    rows = chart.rows
    groups = _event_groups(rows) if not rows.empty else []
    n = max(len(groups), 1)
    height = min(3.2 + 0.3 * n, 40)
    with figure_style():
        fig = _new_figure(12, height)
        ax = fig.subplots()
        inch = 1 / height
        fig.subplots_adjust(left=0.42, right=0.8, top=1 - 1.25 * inch, bottom=1.3 * inch)
        ax.grid(axis="x", color="#e5e5e5")
        ax.grid(axis="y", visible=False)
        firsts, lasts = [], []
        if rows.empty:
            _empty(ax, "No dated events in the selected articles")
        else:
            labels = []
            for i, (event, date, members) in enumerate(groups):
                first, last = period_bounds(date)
                firsts.append(first)
                lasts.append(last)
                if first != last:
                    ax.plot([first, last], [i, i], color="#bbbbbb", linewidth=6, alpha=0.5, solid_capstyle="butt")
                step = min(0.2, 0.7 / len(members))  # mentions of one event side by side, not on top of each other
                for k, position in enumerate(members):
                    colour = chart.colours.get(rows["outlet"].iloc[position], UNKNOWN_COLOUR)
                    ax.plot([_midpoint(first, last)], [i + (k - (len(members) - 1) / 2) * step], linestyle="none",
                            marker="o", markersize=6, color=colour, markeredgecolor="white", markeredgewidth=0.6)
                labels.append(_event_label(event, date, members, rows, label_width, mpl_isolate_ltr))
            ax.set_yticks(range(len(groups)), labels, fontsize=8.5)
            ax.set_ylim(len(groups) - 0.5, -0.5)
            ax.tick_params(axis="y", length=0)
        _date_axis(ax, chart, firsts, lasts)
        ax.set_xlabel("Date of the event (a grey bar spans the month or year when no day is given)")
        fig.text(0.02, 1 - 0.25 * inch, "What happened when: events the articles date", ha="left", va="top",
                 fontsize=14, fontweight="bold")
        fig.text(0.02, 1 - 0.6 * inch,
                 f"{_plural(len(groups), 'event')} in {_plural(len(rows), 'mention')}, earliest first; one dot per "
                 "mention, coloured by outlet", ha="left", va="top", fontsize=10, color="#444444")
        footer = chart.source_line() + (("\n" + chart.note_line()) if chart.note_line() else "")
        fig.text(0.02, 0.15 * inch, footer, ha="left", va="bottom", fontsize=8, color="#555555")
        if not rows.empty:
            _legend(fig, rows, chart.colours, 1 - 1.25 * inch, qualifiers=False, left=0.815)
    return fig


# ---------------------------------------------------------------- plotly

def _plotly_layout(fig, title: str, chart: Chart, height: int,
                   legend_title: str = "Outlet · how the number is put") -> None:
    note = html.escape(chart.source_line(), quote=False)
    if chart.note_line():
        note += "<br>" + html.escape(chart.note_line(), quote=False)
    fig.update_layout(
        template="simple_white",
        title={"text": _html(title), "x": 0.01, "xanchor": "left"},
        font={"family": f"{FONT}, Arial, sans-serif", "size": 13},
        height=height,
        margin={"l": 70, "r": 30, "t": 80, "b": 150},
        hoverlabel={"align": "right", "font": {"family": f"{FONT}, Arial, sans-serif"}},
        legend={"title": {"text": _html(legend_title)}},
        annotations=list(fig.layout.annotations) + [{
            # a fixed distance in pixels below the plot, under the x-axis title whatever the figure's height
            "text": note, "xref": "paper", "yref": "paper", "x": 0, "y": 0, "yshift": -75, "xanchor": "left",
            "yanchor": "top", "showarrow": False, "align": "left", "font": {"size": 11, "color": "#555555"},
        }],
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)


def _claim_traces(rows: pd.DataFrame, colours: dict[str, str], row_index: int | None = None) -> list:
    import plotly.graph_objects as go

    traces = []
    for (outlet, qualifier), group in rows.groupby(["outlet", "qualifier"], sort=True):
        colour = colours.get(outlet, UNKNOWN_COLOUR)
        xs, ys, custom = [], [], []
        bar_x, bar_y = [], []
        for _, row in group.iterrows():
            first, last = period_bounds(row["date"])
            x = _midpoint(first, last).isoformat()
            xs.append(x)
            ys.append(_plotted_value(row))
            custom.append([
                isolate_rtl(_html(outlet)), _html(row["article"]), _html(row["date"]),
                _html(QUALIFIERS.get(qualifier, {}).get("label", qualifier)), _html(value_label(row)),
                _hover_text(row["sentence"]),
            ])
            if qualifier in BAR_QUALIFIERS and not (_missing(row["low"]) or _missing(row["high"])):
                bar_x += [x, x, None]
                bar_y += [float(row["low"]), float(row["high"]), None]
        style = QUALIFIERS.get(qualifier, QUALIFIERS["exact"])
        name = f"{isolate_rtl(_html(outlet))} · {_html(style['label'])}"
        if bar_x:
            traces.append(go.Scatter(
                x=bar_x, y=bar_y, mode="lines", line={"color": colour, "width": 3,
                                                      "dash": "dash" if qualifier == "vague" else "solid"},
                hoverinfo="skip", legendgroup=name, showlegend=False,
            ))
        traces.append(go.Scatter(
            x=xs, y=ys, mode="markers", name=name, legendgroup=name,
            marker={"symbol": style["plotly"], "size": 11, "color": colour, "line": {"width": 2, "color": colour}},
            customdata=custom,
            hovertemplate=("<b>%{customdata[4]}</b> (%{customdata[3]})<br>%{customdata[0]} · article "
                           "%{customdata[1]} · refers to %{customdata[2]}<br><br>%{customdata[5]}<extra></extra>"),
        ))
    return traces


def troops_interactive(chart: Chart):
    """The troop-numbers figure for the browser: hover shows outlet, qualifier and the evidence sentence."""
    from plotly.subplots import make_subplots

    panels = list(dict.fromkeys(TROOP_GROUPS.values()))
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=True, subplot_titles=panels, vertical_spacing=0.12)
    for i, panel in enumerate(panels, start=1):
        subset = chart.rows[chart.rows["panel"] == panel]
        for trace in _claim_traces(subset, chart.colours):
            fig.add_trace(trace, row=i, col=1)
        fig.update_yaxes(title_text="Troops (as reported)", rangemode="tozero", tickformat=",d", row=i, col=1)
    fig.update_xaxes(title_text="Date the claim refers to", row=len(panels), col=1)
    _plotly_layout(fig, "How many foreign troops are in Iraq? What the articles claim", chart, 720)
    return fig


def attacks_interactive(chart: Chart):
    """The attack-count figure for the browser, with each cumulative count's window as a band."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for _, row in chart.rows.iterrows():
        if _missing(row["window_start"]):
            continue
        first, last = period_bounds(row["date"])
        y = _plotted_value(row)
        fig.add_trace(go.Scatter(
            x=[period_bounds(row["window_start"])[0].isoformat(), _midpoint(first, last).isoformat()], y=[y, y],
            mode="lines", line={"color": chart.colours.get(row["outlet"], UNKNOWN_COLOUR), "width": 12},
            opacity=0.3, hoverinfo="skip", showlegend=False,
        ))
    for trace in _claim_traces(chart.rows, chart.colours):
        fig.add_trace(trace)
    fig.update_yaxes(title_text="Attacks (count as reported)", rangemode="tozero", tickformat=",d")
    fig.update_xaxes(title_text="Date the count refers to; a band spans the period a cumulative count covers")
    _plotly_layout(fig, "Attacks on US forces, as the articles count them", chart, 560)
    return fig


def events_interactive(chart: Chart, label_width: int = 48):
    """The events timeline for the browser: one row per event; hover shows each mention's sentence."""
    import plotly.graph_objects as go

    fig = go.Figure()
    rows = chart.rows
    groups = _event_groups(rows) if not rows.empty else []
    label_of: dict[int, str] = {}
    for event, date, members in groups:
        label = html.escape(_event_label(event, date, members, rows, label_width, lambda t: t), quote=False)
        for position in members:
            label_of[position] = isolate_rtl(label)
    for outlet in sorted(set(rows["outlet"]), key=lambda o: (o == UNKNOWN_OUTLET, o)):
        positions = [i for i, o in enumerate(rows["outlet"]) if o == outlet]
        fig.add_trace(go.Scatter(
            x=[_midpoint(*period_bounds(rows["date"].iloc[i])).isoformat() for i in positions],
            y=[label_of[i] for i in positions], mode="markers", name=isolate_rtl(_html(outlet)),
            marker={"size": 10, "color": chart.colours.get(outlet, UNKNOWN_COLOUR), "opacity": 0.85},
            customdata=[[isolate_rtl(_html(outlet)), _html(rows["article"].iloc[i]), _html(rows["date"].iloc[i]),
                         _hover_text(rows["sentence"].iloc[i])] for i in positions],
            hovertemplate="%{customdata[0]} · article %{customdata[1]} · %{customdata[2]}<br><br>"
                          "%{customdata[3]}<extra></extra>",
        ))
    order = list(dict.fromkeys(label_of[i] for i in range(len(rows))))
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed", title_text="")
    fig.update_xaxes(title_text="Date of the event (day, month or year, as the article gives it)")
    _plotly_layout(fig, "What happened when: events the articles date", chart, max(420, 160 + 26 * len(order)),
                   legend_title="Outlet")
    return fig


# ---------------------------------------------------------------- saving

@dataclass
class SavedFigure:
    """What ``save_figure`` wrote; shows the PNG inline in a notebook and lists the files as text."""

    name: str
    paths: list[str]
    rows: int
    png: bytes | None = None

    def __repr__(self) -> str:
        return f"{self.name}: {_plural(self.rows, 'row')} plotted -> {', '.join(self.paths)}"

    def _repr_png_(self) -> bytes | None:
        return self.png


def _png_bytes(fig, title: str, source: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white",
                metadata={"Software": None, "Title": title, "Source": source})
    return buf.getvalue()


def _svg_bytes(fig, title: str, source: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", facecolor="white",
                metadata={"Date": None, "Creator": "troopwatch", "Title": title, "Source": source})
    return buf.getvalue()


def _html_bytes(figure, name: str) -> bytes:
    text = figure.to_html(
        include_plotlyjs="directory", full_html=True, div_id=name,
        config={"displaylogo": False, "responsive": True},
    )
    return text.replace("<head>", f"<head>\n    <title>{html.escape(name)}</title>", 1).encode("utf-8")


def _write_plotly_js(folder: Path) -> Path:
    from plotly.offline import get_plotlyjs

    return tw_io.write_text(folder / "plotly.min.js", get_plotlyjs())


def _title_of(fig) -> str:
    texts = [t.get_text() for t in getattr(fig, "texts", [])]
    return texts[0] if texts else ""


def save_figure(
    name: str,
    rows: pd.DataFrame,
    figures_dir: str | Path = "figures",
    *,
    figure=None,
    interactive=None,
    formats: Iterable[str] = FORMATS,
    source: str = "troopwatch",
) -> SavedFigure:
    """Write ``name``.png/.svg (matplotlib ``figure``), ``name``.html (plotly ``interactive``) and ``name``.csv.

    ``rows`` is the table behind the figure (exactly the plotted rows), written as
    the CSV twin whatever the formats.  HTML files share one ``plotly.min.js`` in
    ``figures_dir``, so they open offline.  Files are replaced atomically and
    only when their bytes change.
    """
    formats = [f.strip().lower() for f in formats if f and f.strip()]
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown figure format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ValueError(f"figure name {name!r}: use letters, digits, '_', '-' or '.' only")
    folder = Path(figures_dir)
    paths: list[str] = []
    png = None
    if figure is not None:
        with figure_style():
            title = _title_of(figure)
            png = _png_bytes(figure, title, source)
            if "png" in formats:
                paths.append(tw_io.write_bytes(folder / f"{name}.png", png).as_posix())
            if "svg" in formats:
                paths.append(tw_io.write_bytes(folder / f"{name}.svg", _svg_bytes(figure, title, source)).as_posix())
        try:  # figures made with pyplot would otherwise stay open (and show twice in a notebook)
            import matplotlib.pyplot as plt

            plt.close(figure)
        except Exception:  # pragma: no cover - closing is a courtesy
            pass
    if interactive is not None and "html" in formats:
        _write_plotly_js(folder)
        paths.append(tw_io.write_bytes(folder / f"{name}.html", _html_bytes(interactive, name)).as_posix())
    paths.append(tw_io.write_csv(rows, folder / f"{name}.csv").as_posix())
    return SavedFigure(name, paths, len(rows), png)
