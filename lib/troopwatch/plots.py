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
UNKNOWN_OUTLET = "unknown"
BYLINE_MARK = "(author)"  # appended to an outlet read from a byline ("... يكتب", "بقلم ...")
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


_ARABIC_RUN = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]+"
                         "(?:[\\s\u0640\u060c]+[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]+)*")
_LATIN = re.compile("[A-Za-z]")


def isolate_rtl(text: str) -> str:
    """Wrap Arabic text that mixes in Latin letters or digits in RLI ... PDI (for plotly/HTML)."""
    text = str(text)
    if _ARABIC.search(text) and _LATIN_OR_DIGIT.search(text):
        return f"\u2067{text}\u2069"
    return text


def bidi(text) -> str:
    """A label in the right order whatever its scripts, in a left-to-right figure.

    Mostly Arabic (an Arabic sentence with a number or a Latin name): the whole is one
    right-to-left isolate.  Mostly Latin with Arabic inside ('withdrawal (السحب) 12 Apr
    2020', 'الترا عراق (Ultra Iraq)'): each Arabic run is its own first-strong isolate,
    so a date or number after it is not pulled into the Arabic run.
    """
    text = str(text)
    arabic = len(_ARABIC.findall(text))
    if not arabic:
        return text
    latin = len(_LATIN.findall(text))
    if latin == 0 or arabic > latin * 2 and not re.search(r"[A-Za-z]{3,}\s+[A-Za-z]{3,}", text):
        return isolate_rtl(text)
    return _ARABIC_RUN.sub(lambda m: f"\u2068{m.group(0)}\u2069", text)


def _html_label(text) -> str:
    """A user string for plotly: HTML-escaped, its scripts isolated."""
    return bidi(html.escape("" if _missing(text) else str(text), quote=False))


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
    """At most ``width`` characters, cut at a word boundary (never mid-word) with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut and not text[width - 1].isspace():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-(") + "…"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


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
    kind: str = ""
    title: str = ""
    unit: str = "claim"
    panels: list[str] = field(default_factory=list)
    reference: dict[str, pd.DataFrame] = field(default_factory=dict)

    def source_line(self) -> str:
        return (f"Source: troopwatch, from {_plural(self.articles, 'news article')} "
                f"({self.corpus}). {self.caveat}")

    def note_line(self) -> str:
        return " ".join(self.left_out)


_DOMAIN = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?([^/?#:\s]+)", re.IGNORECASE)


def url_domain(url) -> str | None:
    """'https://www.example.com/a?b' -> 'example.com'; None when there is no usable host."""
    if _missing(url) or not str(url).strip():
        return None
    match = _DOMAIN.match(str(url).strip())
    host = match.group(1).lower() if match else ""
    return host if "." in host else None


def resolve_outlets(articles: pd.DataFrame, framing: pd.DataFrame | None = None) -> dict[str, str]:
    """Each article's outlet: the sidecar, else its URL's domain, else the credit line or byline
    (``framing.outlet``, read by attribution.article_outlet; a byline's writer is marked
    "(author)", as a person is not a publication), else 'unknown'."""
    from_text = {}
    if framing is not None and len(framing) and {"article", "outlet"} <= set(framing.columns):
        bases = framing["outlet_basis"] if "outlet_basis" in framing.columns else [None] * len(framing)
        for a, o, basis in zip(framing["article"], framing["outlet"], bases):
            if _missing(o) or not str(o).strip():
                continue
            # a byline names a writer, not a publication: say so wherever the group is shown
            from_text[str(a)] = f"{str(o).strip()} {BYLINE_MARK}" if basis == "byline" else str(o).strip()
    urls = articles["url"] if "url" in articles.columns else [None] * len(articles)
    out = {}
    for article, outlet, url in zip(articles["id"], articles["outlet"], urls):
        article = str(article)
        if not _missing(outlet) and str(outlet).strip():
            out[article] = str(outlet).strip()
        elif url_domain(url):
            out[article] = url_domain(url)
        elif article in from_text:
            out[article] = str(from_text[article]).strip()
        else:
            out[article] = UNKNOWN_OUTLET
    return out


def with_outlets(articles: pd.DataFrame, framing: pd.DataFrame | None = None) -> pd.DataFrame:
    """The article table with ``outlet`` resolved (sidecar, URL domain, credit line); the sidecar's value
    stays in ``outlet_sidecar``."""
    resolved = resolve_outlets(articles, framing)
    out = articles.copy()
    out.attrs = dict(articles.attrs)
    out["outlet_sidecar"] = articles["outlet"]
    out["outlet"] = [resolved[str(a)] for a in articles["id"]]
    return out


def _outlets_by_article(articles: pd.DataFrame) -> dict[str, str]:
    return {str(a): outlet_label(o) for a, o in zip(articles["id"], articles["outlet"])}


def _with_dates(rows: pd.DataFrame, date_column: str) -> pd.DataFrame:
    bounds = [period_bounds(d) for d in rows[date_column]]
    rows = rows.copy()
    rows["date_first"] = [b[0] for b in bounds]
    rows["date_last"] = [b[1] for b in bounds]
    return rows


def _window_bounds(text) -> tuple[dt.date, dt.date] | None:
    """'2023-10-07/2024-08-31' (or one ISO date) -> its first and last day; None if unreadable."""
    if _missing(text) or not str(text).strip():
        return None
    parts = str(text).strip().split("/")
    try:
        first = period_bounds(parts[0])[0]
        last = period_bounds(parts[-1])[1]
    except ValueError:
        return None
    return (first, last) if first <= last else None


def claim_placement(row) -> tuple[str, dt.date, dt.date, bool] | None:
    """Where a claim goes on the date axis: (date as shown, first day, last day, uncertain).

    The date the claim refers to, to the day (certain) or the month or year (uncertain);
    else a cumulative count's window ('since October' up to the end of the publication
    window); else the publication window of its article.  None only when nothing dates it.
    """
    get = row.get if hasattr(row, "get") else (lambda k, d=None: d)
    refers_to = get("refers_to")
    if not _missing(refers_to) and str(refers_to).strip():
        try:
            first, last = period_bounds(str(refers_to))
            return str(refers_to), first, last, first != last
        except ValueError:
            pass
    window = _window_bounds(get("refers_to_window"))
    since = get("window_start")
    if not _missing(since) and str(since).strip():
        try:
            first = period_bounds(str(since))[0]
            last = window[1] if window else period_bounds(str(since))[1]
            if last >= first:
                return f"{first.isoformat()}/{last.isoformat()}", first, last, True
        except ValueError:
            pass
    if window:
        return f"{window[0].isoformat()}/{window[1].isoformat()}", window[0], window[1], True
    return None


_PLACEMENT_COLUMNS = ("refers_to", "refers_to_window", "window_start")


def _placements_of(claims: pd.DataFrame) -> list:
    """``claim_placement`` of every row, worked out once per distinct (date, window, since) they state."""
    columns = [claims[c].tolist() if c in claims else [None] * len(claims) for c in _PLACEMENT_COLUMNS]
    known: dict = {}
    out = []
    for key in zip(*columns):
        try:
            placed = known[key]
        except KeyError:
            placed = known[key] = claim_placement(dict(zip(_PLACEMENT_COLUMNS, key)))
        except TypeError:  # an unhashable value: placed on its own
            placed = claim_placement(dict(zip(_PLACEMENT_COLUMNS, key)))
        out.append(placed)
    return out


def _numbers(rows: pd.DataFrame) -> pd.DataFrame:
    """The value, low and high columns as numbers (NaN where missing or not a number)."""
    return pd.DataFrame({c: pd.to_numeric(rows[c], errors="coerce").astype(float) if c in rows else float("nan")
                         for c in ("value", "low", "high")}, index=rows.index)


def _select_claims(
    claims: pd.DataFrame,
    articles: pd.DataFrame,
    kind: str,
    start: str | None,
    end: str | None,
) -> tuple[pd.DataFrame, list[str]]:
    """Claims of one kind from the selected articles, placed on the date axis, with a plottable number."""
    left_out: list[str] = []
    selected = claims[claims["kind"] == kind]
    selected = selected[selected["article"].astype(str).isin(set(articles["id"].astype(str)))].copy()
    placed = _placements_of(selected)
    unplaced = pd.Series([p is None for p in placed], index=selected.index, dtype=bool)
    if unplaced.any():
        left_out.append(f"Not shown: {_plural(int(unplaced.sum()), 'claim')} with no date it refers to "
                        "and no publication window to place it in.")
    selected["_placed"] = placed
    selected = selected[~unplaced]
    if start or end:
        lo = period_bounds(start)[0] if start else None
        hi = period_bounds(end)[1] if end else None
        inside = _mask(selected["_placed"], lambda p: not ((lo and p[2] < lo) or (hi and p[1] > hi)))
        if (~inside).any():
            left_out.append(f"Not shown: {_plural(int((~inside).sum()), 'claim')} outside the period.")
        selected = selected[inside]
    no_number = _numbers(selected).isna().all(axis=1)
    if no_number.any():
        left_out.append(f"Not shown: {_plural(int(no_number.sum()), 'claim')} with no number to plot.")
        selected = selected[~no_number]
    return selected, left_out


def _twin(selected: pd.DataFrame, outlets: dict[str, str], extra: Sequence[str]) -> pd.DataFrame:
    placed = list(selected["_placed"]) if "_placed" in selected else [None] * len(selected)
    rows = pd.DataFrame({
        "outlet": [outlets.get(str(a), UNKNOWN_OUTLET) for a in selected["article"]],
        "article": selected["article"].astype(str).to_numpy(),
        "date": [p[0] if p else str(d) for p, d in zip(placed, selected["refers_to"])],
        "value": pd.to_numeric(selected["value"], errors="coerce").to_numpy(),
        "low": pd.to_numeric(selected["low"], errors="coerce").to_numpy(),
        "high": pd.to_numeric(selected["high"], errors="coerce").to_numpy(),
        "qualifier": selected["qualifier"].astype(str).to_numpy(),
        "sentence": selected["sentence"].astype(str).to_numpy(),
    })
    for column in extra:
        rows[column] = selected[column].to_numpy() if column in selected else None
    rows["date_first"] = [p[1].isoformat() if p else None for p in placed]
    rows["date_last"] = [p[2].isoformat() if p else None for p in placed]
    rows["date_uncertain"] = [bool(p[3]) if p else False for p in placed]
    return rows


def _article_count(articles: pd.DataFrame) -> int:
    return int(articles["id"].nunique())


# How each rule of claims.yml is split into panels and titled; a new kind with rule 'count' gets the default.
ACTOR_PANELS = {
    "US": "US forces",
    "coalition": "Other foreign forces",
    "other_country": "Other foreign forces",
    "iraqi": "Iraqi forces",
    "militia": "Armed groups",
}
OTHER_PANEL = "Others or not stated"
RULE_TITLES = {
    "presence": "How many foreign troops are in Iraq? What the articles claim",
    "event": "Attacks on US forces, as the articles count them",
    "casualty": "Killed and wounded, as the articles count them, by whose forces",
}
RULE_UNITS = {"presence": "troop-number claim", "event": "attack-count claim", "casualty": "casualty claim"}
RULE_AXES = {"presence": "Troops (as reported)", "event": "Attacks (count as reported)",
             "casualty": "People killed or wounded (as reported)"}


def _kind_spec(kind: str) -> dict:
    try:
        from .claims import claim_kinds

        return dict(claim_kinds().get(kind) or {})
    except Exception:  # a lexicon problem is reported by the extraction, not by a figure
        return {}


def kind_title(kind: str, spec: dict | None = None) -> str:
    spec = spec if spec is not None else _kind_spec(kind)
    if spec.get("rule") in RULE_TITLES:
        return RULE_TITLES[spec["rule"]]
    label = spec.get("label") or {}
    en = label.get("en", kind.replace("_", " ").capitalize())
    return f"{en} ({label['ar']}): what the articles claim" if label.get("ar") else f"{en}: what the articles claim"


def claims_chart(
    claims: pd.DataFrame,
    articles: pd.DataFrame,
    kind: str,
    start: str | None = None,
    end: str | None = None,
    corpus: str = "the corpus",
    spec: dict | None = None,
    reference: pd.DataFrame | None = None,
) -> Chart:
    """The claims of one kind of claims.yml, one row per claim, in panels by whose forces they count.

    Troop numbers (rule presence) keep to US and other foreign forces, attack counts
    (rule event) are one panel, any other kind is split by actor.
    """
    spec = spec if spec is not None else _kind_spec(kind)
    rule = spec.get("rule", "count")
    name = str(spec.get("figure") or f"{kind}_over_time")
    selected, left_out = _select_claims(claims, articles, kind, start, end)
    if rule == "presence":
        foreign = selected["actor"].isin(list(TROOP_GROUPS))
        if (~foreign).any():
            left_out.append(
                f"Not shown: {_plural(int((~foreign).sum()), 'claim')} about Iraqi, militia or unattributed forces."
            )
        selected = selected[foreign]
    rows = _twin(selected, _outlets_by_article(articles),
                 ["actor", "refers_to_precision", "window_start", "mention", "start"])
    rows = rows.rename(columns={"refers_to_precision": "date_precision"})
    # object dtype, so a missing window stays None: a list of None and strings would become a
    # string column (pandas >= 3), where None turns into NaN, which is truthy
    rows["window_start"] = pd.Series([None if _missing(w) else str(w) for w in rows["window_start"]],
                                     index=rows.index, dtype=object)
    if rule == "presence":
        rows["panel"] = rows["actor"].map(TROOP_GROUPS)
        panels = list(dict.fromkeys(TROOP_GROUPS.values()))
    elif rule == "event":
        rows["panel"] = "All attacks counted"
        panels = ["All attacks counted"]
    else:
        rows["panel"] = [ACTOR_PANELS.get(a, OTHER_PANEL) if not _missing(a) else OTHER_PANEL for a in rows["actor"]]
        order = list(dict.fromkeys(ACTOR_PANELS.values())) + [OTHER_PANEL]
        panels = [p for p in order if p in set(rows["panel"])] or ["All actors"]
    rows = rows.sort_values(["panel", "date", "outlet", "article", "start"], kind="stable")
    rows = rows.drop(columns=["start"]).reset_index(drop=True)
    refs = {}
    if rule == "presence":
        ref = reference if reference is not None else reference_series()
        if ref is not None and len(ref):
            refs["US troops"] = ref
    unit = RULE_UNITS.get(rule, f"{(spec.get('label') or {}).get('en', kind).lower()} claim")
    return Chart(name, rows, left_out, outlet_colours(articles["outlet"]), _article_count(articles), corpus,
                 start, end, kind=kind, title=kind_title(kind, spec), unit=unit, panels=panels, reference=refs)


def kind_charts(claims: pd.DataFrame, articles: pd.DataFrame, start: str | None = None, end: str | None = None,
                corpus: str = "the corpus") -> list[Chart]:
    """One chart per kind of claim declared in data/lexicons/claims.yml, in its order."""
    from .claims import claim_kinds

    return [claims_chart(claims, articles, kind, start, end, corpus, spec) for kind, spec in claim_kinds().items()]


def troops_chart(claims, articles, start=None, end=None, corpus="the corpus") -> Chart:
    """Troop-number claims about US and other foreign forces, one row per plotted claim."""
    return claims_chart(claims, articles, "troops", start, end, corpus)


def attacks_chart(claims, articles, start=None, end=None, corpus="the corpus") -> Chart:
    """Attack-count claims as reported, with the window a cumulative count covers."""
    return claims_chart(claims, articles, "attacks", start, end, corpus)


def casualties_chart(claims, articles, start=None, end=None, corpus="the corpus") -> Chart:
    """Casualty claims (killed and wounded), in panels by whose forces."""
    return claims_chart(claims, articles, "casualties", start, end, corpus)


# ---------------------------------------------------------------- the record

REFERENCE_COLUMNS = ["date", "troops", "source", "source_date", "document", "note"]


def reference_path() -> Path:
    return Path(__file__).resolve().parents[2] / "data" / "reference" / "us_troops_iraq.csv"


def reference_series(path: str | Path | None = None) -> pd.DataFrame | None:
    """The cited official US troop levels in Iraq (data/reference/us_troops_iraq.csv); None if absent.

    ``troops`` empty means the series has no figure from that date on (the step line breaks).
    """
    path = Path(path) if path is not None else reference_path()
    if not path.is_file():
        return None
    ref = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = set(REFERENCE_COLUMNS) - set(ref.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    ref["troops"] = pd.to_numeric(ref["troops"].replace("", None), errors="coerce")
    ref["first"] = [period_bounds(d)[0] for d in ref["date"]]
    return ref.sort_values("first", kind="stable").reset_index(drop=True)


def _reference_steps(ref: pd.DataFrame, lo: dt.date, hi: dt.date) -> list[tuple[list, list]]:
    """Step-line segments of the record within [lo, hi]: each level runs until the next row."""
    segments, xs, ys = [], [], []
    firsts = list(ref["first"])
    for i, (first, troops) in enumerate(zip(firsts, ref["troops"])):
        until = firsts[i + 1] if i + 1 < len(firsts) else hi
        if until < lo or first > hi:
            continue
        if _missing(troops):
            if xs:
                segments.append((xs, ys))
            xs, ys = [], []
            continue
        a, b = max(first, lo), min(until, hi)
        xs += [a, b]
        ys += [float(troops), float(troops)]
    if xs:
        segments.append((xs, ys))
    return segments


# ---------------------------------------------------------------- conflicting figures

CONFLICT_COLUMNS = ["kind", "actor", "month", "claims", "outlet_a", "article_a", "figure_a", "low_a", "high_a",
                    "sentence_a", "outlet_b", "article_b", "figure_b", "low_b", "high_b", "sentence_b"]


def _bounds(row) -> tuple[float, float] | None:
    vals = [row.get(k) for k in ("low", "value", "high")]
    vals = [float(v) for v in vals if not _missing(v)]
    if not vals:
        return None
    return min(vals), max(vals)


def conflicts_chart(claims: pd.DataFrame, articles: pd.DataFrame, start: str | None = None,
                    end: str | None = None, corpus: str = "the corpus") -> Chart:
    """Claims of the same kind about the same actor in the same month whose numbers cannot both be true.

    Only claims dated to a day or a month take part.  For each kind, actor and month, the
    pair that disagrees most (the lowest upper bound against the highest lower bound)
    from two different outlets is one row, naming both sources and sentences.
    """
    outlets = _outlets_by_article(articles)
    chosen = claims[claims["article"].astype(str).isin(set(articles["id"].astype(str)))]
    lo = period_bounds(start)[0] if start else None
    hi = period_bounds(end)[1] if end else None
    groups: dict[tuple, list[dict]] = {}
    numbers = _numbers(chosen)
    lows, highs = numbers.min(axis=1).tolist(), numbers.max(axis=1).tolist()  # _bounds of each row
    column = {c: chosen[c].tolist() if c in chosen else [None] * len(chosen)
              for c in ("kind", "actor", "article", "sentence", "start")}
    for k, placed in enumerate(_placements_of(chosen)):
        low, high = lows[k], highs[k]
        if placed is None or low != low or (placed[2] - placed[1]).days > 31:
            continue
        if (lo and placed[2] < lo) or (hi and placed[1] > hi):
            continue
        mid = _midpoint(placed[1], placed[2])
        actor, sentence, start_ = column["actor"][k], column["sentence"][k], column["start"][k]
        actor = "" if _missing(actor) else str(actor)
        article = str(column["article"][k])
        groups.setdefault((str(column["kind"][k]), actor, f"{mid.year:04d}-{mid.month:02d}"), []).append({
            "outlet": outlets.get(article, UNKNOWN_OUTLET), "article": article, "row": k,
            "low": low, "high": high, "sentence": "" if _missing(sentence) else str(sentence),
            "start": 0 if _missing(start_) else start_})
    out = []
    for (kind, actor, month) in sorted(groups):
        group = groups[(kind, actor, month)]
        if len(group) < 2:
            continue
        a = min(group, key=lambda r: (r["high"], r["article"], r["start"]))
        others = [r for r in group if r["article"] != a["article"]
                  and (r["outlet"] != a["outlet"] or a["outlet"] == UNKNOWN_OUTLET)]
        if not others:
            continue
        b = min(others, key=lambda r: (-r["low"], r["article"], r["start"]))
        if a["high"] < b["low"]:
            for side in (a, b):
                side["figure"] = value_label(chosen.iloc[side["row"]])
            out.append({"kind": kind, "actor": actor, "month": month, "claims": len(group),
                        **{f"{k}_a": a[k] for k in ("outlet", "article", "figure", "low", "high", "sentence")},
                        **{f"{k}_b": b[k] for k in ("outlet", "article", "figure", "low", "high", "sentence")}})
    rows = pd.DataFrame(out, columns=CONFLICT_COLUMNS)
    return Chart("conflicting_claims", rows, [], outlet_colours(articles["outlet"]), _article_count(articles),
                 corpus, start, end, caveat="A conflict is two numbers that cannot both be right; either may be wrong.",
                 title="Conflicting figures: two outlets, one kind, actor and month, numbers that do not overlap",
                 unit="conflict")


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


def _frame(fig, title: str, subtitle: str, chart: Chart, bottom: float, top: float = 0.975,
           sub: float = 0.935) -> None:
    fig.text(0.02, top, bidi(title), ha="left", va="top", fontsize=14, fontweight="bold")
    fig.text(0.02, sub, subtitle, ha="left", va="top", fontsize=10, color="#444444")
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


def _legend(fig, rows: pd.DataFrame, colours: dict[str, str], top: float, qualifiers: bool = True,
            left: float = 0.745, groups: dict[str, str] | None = None, reference: bool = False) -> None:
    """One legend right of the plot: outlets (or outlet groups) by colour, then how each number is put."""
    from matplotlib.lines import Line2D

    def header():
        return Line2D([], [], linestyle="none")

    handles, labels, bold = [header()], ["Outlet"], [0]
    if groups is not None:
        shown = sorted(set(groups) & set(colours.values()) | {g for g in groups if g in set(rows["outlet"])},
                       key=lambda o: (o in (OTHER_OUTLETS, UNKNOWN_OUTLET), o == UNKNOWN_OUTLET, o))
        named = [g for g in groups if g not in (OTHER_OUTLETS, UNKNOWN_OUTLET)]
        present = set(colours.values())
        shown = [g for g in sorted(groups, key=lambda o: (o in (OTHER_OUTLETS, UNKNOWN_OUTLET), o == UNKNOWN_OUTLET, o))
                 if groups[g] in present and (g in named or g in (OTHER_OUTLETS, UNKNOWN_OUTLET))]
        for group in shown:
            handles.append(Line2D([], [], color=groups[group], linewidth=6))
            labels.append(bidi(_shorten(group, 34)))
    else:
        for outlet in sorted(set(rows["outlet"]), key=lambda o: (o == UNKNOWN_OUTLET, o)):
            handles.append(Line2D([], [], color=colours.get(outlet, UNKNOWN_COLOUR), linewidth=6))
            labels.append(bidi(_shorten(outlet, 34)))
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
    extra = []
    if qualifiers and "date_uncertain" in rows and rows["date_uncertain"].astype(bool).any():
        extra.append((Line2D([], [], color="#333333", alpha=0.35, linewidth=5, marker="D", markersize=7,
                             markerfacecolor="white", markeredgecolor="#333333"), "date known only to a window"))
    if groups is not None:
        from matplotlib.patches import Patch

        extra.append((Line2D([], [], color="#222222", linewidth=1.4), "median, all outlets"))
        extra.append((Patch(color="#bbbbbb", alpha=0.45, linewidth=0), "middle half of the claims"))
    if reference:
        extra.append((Line2D([], [], color="#999999", linewidth=1.6), "official US level (data/reference)"))
    if extra:
        handles += [header(), header()]
        labels += ["", "Also drawn"]
        bold.append(len(labels) - 1)
        for h, l in extra:
            handles.append(h)
            labels.append(l)
    legend = fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(left, top), fontsize=9,
                        handlelength=2.2, alignment="left")
    for i in bold:
        legend.get_texts()[i].set_fontweight("bold")


def _thousands(ax) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))


# Beyond this many claims in a panel, the figure shows per month the median and range of the claimed
# numbers per outlet group, with the claim count; the interactive HTML keeps every claim.
AGGREGATE_AT = 40
# At most this many outlets get a colour of their own; the rest form "other outlets".
MAX_OUTLETS = 6
OTHER_OUTLETS = "other outlets"
OTHER_COLOUR = "#444444"


def outlet_groups(rows: pd.DataFrame, colours: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """outlet -> group shown (the outlets with most claims keep their name), and group -> colour."""
    counts = rows["outlet"].value_counts() if len(rows) else pd.Series(dtype=int)
    named = [o for o in sorted(counts.index, key=lambda o: (-counts[o], o)) if o != UNKNOWN_OUTLET]
    if len(named) <= MAX_OUTLETS + 1:
        keep = set(named)
    else:
        keep = set(named[:MAX_OUTLETS])
    group_of = {o: (o if o in keep or o == UNKNOWN_OUTLET else OTHER_OUTLETS) for o in counts.index}
    kept = sorted(keep)
    palette = {o: colours.get(o, PALETTE[i % len(PALETTE)]) for i, o in enumerate(kept)}
    if len(set(palette.values())) < len(palette):  # more outlets than colours in the corpus: recolour the kept ones
        palette = {o: PALETTE[i % len(PALETTE)] for i, o in enumerate(kept)}
    palette[OTHER_OUTLETS] = OTHER_COLOUR
    palette[UNKNOWN_OUTLET] = UNKNOWN_COLOUR
    return group_of, palette


def _row_x(row) -> tuple[dt.date, dt.date, dt.date]:
    first = dt.date.fromisoformat(row["date_first"]) if not _missing(row.get("date_first")) else period_bounds(row["date"])[0]
    last = dt.date.fromisoformat(row["date_last"]) if not _missing(row.get("date_last")) else period_bounds(row["date"])[1]
    return first, last, _midpoint(first, last)


def _label_rows(rows: pd.DataFrame) -> list[int]:
    """Which claims get a value label, best first: the latest, the highest, the lowest, then the rest if few."""
    if rows.empty:
        return []
    records = rows.to_dict("records")
    xs = [_row_x(r)[2] for r in records]
    ys = [_plotted_value(r) for r in records]
    order = list(range(len(rows)))
    picks = [max(order, key=lambda i: (xs[i], ys[i])), max(order, key=lambda i: (ys[i], xs[i])),
             min(order, key=lambda i: (ys[i], xs[i]))]
    if len(rows) <= 12:
        picks += order
    return list(dict.fromkeys(picks))


def _place_labels(ax, rows: pd.DataFrame, texts: dict[int, str]) -> int:
    """Draw value labels where they do not collide with one already drawn; returns how many were drawn."""
    fig = ax.figure
    kept: list[tuple[float, float, float, float]] = []
    drawn = 0
    for i in texts:
        row = rows.iloc[i]
        x = _row_x(row)[2]
        y = _plotted_value(row) if row["qualifier"] not in BAR_QUALIFIERS or _missing(row["high"]) else float(row["high"])
        px, py = ax.transData.transform((mdates_num(x), y))
        width = 6.5 * len(texts[i]) * fig.dpi / 100
        box = (px + 6, py + 4, px + 6 + width, py + 4 + 11 * fig.dpi / 100)
        left, bottom, right, top = ax.bbox.extents
        if box[2] > right + 40 or box[3] > top + 10:
            continue
        if any(not (box[2] < k[0] or box[0] > k[2] or box[3] < k[1] or box[1] > k[3]) for k in kept):
            continue
        kept.append(box)
        ax.annotate(texts[i], (x, y), xytext=(6, 4), textcoords="offset points", fontsize=8, color="#333333", zorder=5)
        drawn += 1
    return drawn


def mdates_num(day: dt.date) -> float:
    import matplotlib.dates as mdates

    return mdates.date2num(day)


def _draw_claims(ax, rows: pd.DataFrame, colours: dict[str, str]) -> None:
    """One mark per claim at its date; bars for ranges and vague amounts; a bar across a date known only
    to a window (month, year, publication window), with a hollow diamond at its middle: uncertain."""
    for _, row in rows.iterrows():
        colour = colours.get(row["outlet"], UNKNOWN_COLOUR)
        first, last, x = _row_x(row)
        y = _plotted_value(row)
        style = QUALIFIERS.get(row["qualifier"], QUALIFIERS["exact"])
        uncertain = first != last
        if uncertain:
            ax.plot([first, last], [y, y], color=colour, linewidth=4, alpha=0.3, solid_capstyle="butt", zorder=2)
        if row.get("window_start") and not _missing(row.get("window_start")) and not uncertain:
            w_first = period_bounds(row["window_start"])[0]
            ax.fill_between([w_first, x], [y * 0.97] * 2, [y * 1.03] * 2, color=colour, alpha=0.2, linewidth=0, zorder=1)
            # the band says what it is: the period a cumulative count covers
            ax.annotate(f"since {human_date(row['window_start'])}", (w_first, y), xytext=(2, -13),
                        textcoords="offset points", fontsize=8, color="#555555")
        if row["qualifier"] in BAR_QUALIFIERS and not (_missing(row["low"]) or _missing(row["high"])):
            ax.plot([x, x], [row["low"], row["high"]], color=colour, linewidth=2.2,
                    linestyle="--" if row["qualifier"] == "vague" else "-", zorder=3)
            if row["qualifier"] == "range":
                ax.plot([x, x], [row["low"], row["high"]], linestyle="none", marker="_", markersize=12,
                        markeredgewidth=2.2, color=colour, zorder=3)
        marker = style["marker"] or "o"
        filled = style["filled"] and not uncertain
        if row["qualifier"] not in BAR_QUALIFIERS or uncertain:
            ax.plot([x], [y], linestyle="none", marker="D" if uncertain else marker, markersize=7 if uncertain else 8,
                    markeredgewidth=1.6, markeredgecolor=colour, markerfacecolor=colour if filled else "white", zorder=4)


def _placements(rows: pd.DataFrame) -> pd.DataFrame:
    """Per row, column-wise: first, last and middle day (datetime64), the month of the middle
    ('YYYY-MM'), the plotted number and the lowest and highest number (what ``_row_x``,
    ``_plotted_value`` and ``_bounds`` give row by row)."""
    index = rows.index

    def days(column: str, side: int) -> pd.Series:
        given = rows[column] if column in rows else pd.Series([None] * len(rows), index=index, dtype=object)
        parsed = pd.to_datetime(given, format="%Y-%m-%d", errors="coerce")
        missing = parsed.isna()
        if missing.any():  # no day written: the bounds of the date as shown
            parsed[missing] = [pd.Timestamp(period_bounds(d)[side]) for d in rows.loc[missing, "date"]]
        return parsed

    first, last = days("date_first", 0), days("date_last", 1)
    mid = first + pd.to_timedelta((last - first).dt.days // 2, unit="D")
    value, low, high = (pd.to_numeric(rows[c], errors="coerce").astype(float) if c in rows
                        else pd.Series(float("nan"), index=index) for c in ("value", "low", "high"))
    plotted = value.fillna((low + high) / 2).fillna(low).fillna(high)
    numbers = pd.concat([low, value, high], axis=1)
    return pd.DataFrame({"first": first, "last": last, "mid": mid,
                         "month": mid.dt.year.astype(str).str.zfill(4) + "-" + mid.dt.month.astype(str).str.zfill(2),
                         "y": plotted, "lo": numbers.min(axis=1), "hi": numbers.max(axis=1)}, index=index)


def monthly_summary(rows: pd.DataFrame, group_of: dict[str, str] | None = None) -> pd.DataFrame:
    """Per panel, month (of the claim's placement) and outlet group: claims, median, lowest and highest number."""
    columns = ["panel", "month", "outlet_group", "claims", "median", "lowest", "highest", "uncertain"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    group_of = group_of or {o: o for o in rows["outlet"]}
    placed = _placements(rows)
    frame = pd.DataFrame({
        "panel": rows["panel"] if "panel" in rows else "", "month": placed["month"],
        "outlet_group": [group_of.get(o, o) for o in rows["outlet"]], "value": placed["y"],
        "lo": placed["lo"], "hi": placed["hi"],
        "uncertain": rows["date_uncertain"].fillna(False).astype(bool) if "date_uncertain" in rows else False,
    })
    out = (frame.groupby(["panel", "month", "outlet_group"], sort=True)
           .agg(claims=("value", "size"), median=("value", "median"), lowest=("lo", "min"), highest=("hi", "max"),
                uncertain=("uncertain", "sum")).reset_index())
    out["uncertain"] = out["uncertain"].astype(int)
    return out[columns]


def monthly_band(rows: pd.DataFrame) -> pd.DataFrame:
    """Per panel and month, over every outlet: claims, the median and the middle half (25th-75th percentile)."""
    columns = ["panel", "month", "claims", "median", "q25", "q75"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    placed = _placements(rows)
    frame = pd.DataFrame({"panel": rows["panel"] if "panel" in rows else "", "month": placed["month"],
                          "value": placed["y"]})
    grouped = frame.groupby(["panel", "month"], sort=True)["value"]
    out = grouped.agg(claims="size", median="median")
    out["q25"] = grouped.quantile(0.25)
    out["q75"] = grouped.quantile(0.75)
    return out.reset_index()[columns]


def _draw_summary(ax, summary: pd.DataFrame, band: pd.DataFrame, palette: dict[str, str]) -> None:
    """All outlets: the middle half of the numbers claimed each month (band) and their median (line);
    each outlet group: its monthly median, a dot sized by its claim count."""
    if len(band):
        xs = [period_bounds(m)[0] + dt.timedelta(days=14) for m in band["month"]]
        ax.fill_between(xs, band["q25"], band["q75"], step="mid", color="#bbbbbb", alpha=0.45, linewidth=0, zorder=1)
        ax.plot(xs, band["median"], drawstyle="steps-mid", color="#222222", linewidth=1.4, zorder=2)
    groups = sorted(set(summary["outlet_group"]), key=lambda g: (g in (OTHER_OUTLETS, UNKNOWN_OUTLET), g))
    biggest = max(summary["claims"].max(), 1) if len(summary) else 1
    for group in groups:
        part = summary[summary["outlet_group"] == group]
        xs = [period_bounds(m)[0] + dt.timedelta(days=14) for m in part["month"]]
        sizes = [6 + 40 * math.sqrt(c / biggest) for c in part["claims"]]
        ax.scatter(xs, part["median"], s=sizes, color=palette.get(group, UNKNOWN_COLOUR), edgecolors="white",
                   linewidths=0.4, alpha=0.85, zorder=3)


def _empty(ax, text: str = "No claims of this kind in the selected articles") -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#777777", fontsize=10)
    ax.set_yticks([])


def _draw_reference(ax, ref: pd.DataFrame, lo: dt.date, hi: dt.date) -> bool:
    drawn = False
    for xs, ys in _reference_steps(ref, lo, hi):
        ax.plot(xs, ys, color="#999999", linewidth=1.6, linestyle="-", drawstyle="steps-post", zorder=1.5)
        drawn = True
    return drawn


def _span(chart: Chart, rows: pd.DataFrame) -> tuple[list[dt.date], list[dt.date]]:
    """The earliest first day (a cumulative count's window start included) and the latest last day of the
    rows, each in a list (empty without rows)."""
    if rows.empty:
        return [], []
    placed = _placements(rows)
    first, last = placed["first"].min(), placed["last"].max()
    if "window_start" in rows:
        starts = [period_bounds(w)[0] for w in rows["window_start"] if isinstance(w, str) and w]
        if starts:
            first = min(first, pd.Timestamp(min(starts)))
    return [first.date()], [last.date()]


def claims_figure(chart: Chart):
    """A kind of claim over time, one panel per group of actors sharing the date axis.

    Up to AGGREGATE_AT claims a panel: every claim, its value labelled where the label
    does not collide.  Beyond: per month and outlet group, the median (dot sized by the
    claim count) and the range of the numbers claimed.
    """
    rows = chart.rows
    panels = chart.panels or sorted(set(rows["panel"])) or [""]
    aggregate = any((rows["panel"] == p).sum() > AGGREGATE_AT for p in panels) if len(rows) else False
    group_of, palette = outlet_groups(rows, chart.colours)
    colours = {o: palette.get(g, UNKNOWN_COLOUR) for o, g in group_of.items()}
    summary = monthly_summary(rows, group_of) if aggregate else None
    band = monthly_band(rows) if aggregate else None
    height = 3.2 + 3.0 * len(panels)
    with figure_style():
        fig = _new_figure(12, height)
        axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
        inch = 1 / height
        fig.subplots_adjust(left=0.08, right=0.72, top=1 - 1.25 * inch, bottom=1.45 * inch, hspace=0.3)
        firsts, lasts = _span(chart, rows)
        lo = period_bounds(chart.start)[0] if chart.start else (min(firsts) if firsts else None)
        hi = period_bounds(chart.end)[1] if chart.end else (max(lasts) if lasts else None)
        axis_label = RULE_AXES.get(_kind_spec(chart.kind).get("rule"), "Number (as reported)")
        reference_drawn = False
        for ax, panel in zip(axes, panels):
            subset = rows[rows["panel"] == panel]
            ax.set_title(panel)
            if subset.empty:
                _empty(ax)
                continue
            pad = max((hi - lo) * 0.06, dt.timedelta(days=90))
            if panel in chart.reference:
                reference_drawn |= _draw_reference(ax, chart.reference[panel], lo - pad, hi + pad)
            if aggregate:
                _draw_summary(ax, summary[summary["panel"] == panel], band[band["panel"] == panel], palette)
                top = summary[summary["panel"] == panel]["median"].max()
            else:
                _draw_claims(ax, subset, colours)
                top = max(v for v in subset[["value", "low", "high"]].max(axis=1) if not _missing(v))
            if panel in chart.reference:
                ref = chart.reference[panel]
                visible = [t for t, f in zip(ref["troops"], ref["first"]) if not _missing(t) and lo - pad <= f <= hi + pad]
                if visible:
                    top = max(top, max(visible))
            ax.set_ylim(0, top * 1.25 if top else 1)
            _thousands(ax)
            ax.set_ylabel(axis_label)
        if len(rows) or chart.start or chart.end:
            _date_axis(axes[-1], chart, firsts, lasts)
        else:
            axes[-1].set_xticks([])
        if not aggregate and len(rows):
            for ax, panel in zip(axes, panels):
                subset = rows[rows["panel"] == panel].reset_index(drop=True)
                if len(subset):
                    _place_labels(ax, subset, {i: value_label(subset.iloc[i]) for i in _label_rows(subset)})
        axes[-1].set_xlabel("Date the claim refers to" + ("; a claim dated only to a month, a year or its article's "
                            "publication window counts in the month of its middle" if aggregate else
                            "\n(a pale bar spans a date known only to a month, a year or the publication window; "
                            "a hollow diamond marks its middle)"), fontsize=8.5)
        if aggregate:
            subtitle = (f"{_plural(len(rows), chart.unit)} per month: the line is the median number claimed, the band "
                        "the middle half of the claims;\na dot is one outlet's median that month (its size: the claim "
                        "count). Every claim, with its sentence, is in the interactive HTML and the CSV.")
        elif len(rows):
            subtitle = (f"{_plural(len(rows), chart.unit)}, each at the date it refers to; colour shows the outlet, "
                        "the marker how the number is put")
        else:
            subtitle = f"No {chart.unit} in the selected articles" + (f" ({chart.note_line()})" if chart.note_line() else "")
        _frame(fig, chart.title, subtitle, chart, 0.15 * inch, top=1 - 0.25 * inch, sub=1 - 0.62 * inch)
        if len(rows):
            _legend(fig, rows, colours, 1 - 1.25 * inch, qualifiers=not aggregate,
                    groups=palette if aggregate else None, reference=reference_drawn)
    return fig


def troops_figure(chart: Chart):
    """Troop numbers over time: US and other foreign troops in two panels sharing the date axis."""
    return claims_figure(chart)


def attacks_figure(chart: Chart):
    """Attack counts as reported; a cumulative count's window ('since October 2023') drawn as a band."""
    return claims_figure(chart)


MAX_CONFLICT_ROWS = 30


def _shown_conflicts(rows: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The conflicts a figure draws: all, or the MAX_CONFLICT_ROWS widest apart (higher low over lower high)."""
    if len(rows) <= MAX_CONFLICT_ROWS:
        return rows, ""
    ratio = rows["low_b"].astype(float) / rows["high_a"].astype(float).clip(lower=1)
    keep = ratio.sort_values(ascending=False, kind="stable").index[:MAX_CONFLICT_ROWS]
    return (rows.loc[sorted(keep)].reset_index(drop=True),
            f"Shown: the {MAX_CONFLICT_ROWS} conflicts furthest apart, of {len(rows):,}; all are in conflicting_claims.csv.")


def conflicts_figure(chart: Chart):
    """Each conflict as one row: the two claimed numbers (or ranges) side by side, named by outlet."""
    rows, shown_note = _shown_conflicts(chart.rows)
    n = max(len(rows), 1)
    height = min(2.6 + 0.55 * n, 40)
    with figure_style():
        fig = _new_figure(12, height)
        ax = fig.subplots()
        inch = 1 / height
        fig.subplots_adjust(left=0.3, right=0.95, top=1 - 1.0 * inch, bottom=1.2 * inch)
        ax.grid(axis="x", color="#e5e5e5")
        ax.grid(axis="y", visible=False)
        if rows.empty:
            _empty(ax, "No conflicting figures: no two outlets give numbers that do not overlap\n"
                       "for the same kind, actor and month")
            ax.set_xticks([])
        else:
            labels = []
            for i, row in enumerate(rows.itertuples()):
                for side, colour, dy in (("a", PALETTE[0], -0.12), ("b", PALETTE[1], 0.12)):
                    low, high = getattr(row, f"low_{side}"), getattr(row, f"high_{side}")
                    ax.plot([low, high], [i + dy, i + dy], color=colour, linewidth=3, solid_capstyle="butt")
                    ax.plot([(low + high) / 2], [i + dy], marker="o", color=colour, markersize=6)
                    ax.annotate(f"{getattr(row, f'figure_{side}')}  {_shorten(getattr(row, f'outlet_{side}'), 30)}",
                                (high, i + dy), xytext=(6, -3), textcoords="offset points", fontsize=8)
                labels.append(f"{row.kind} · {row.actor} · {human_date(row.month)}")
            ax.set_yticks(range(len(rows)), labels)
            ax.set_ylim(len(rows) - 0.5, -0.5)
            ax.set_xscale("log")
            ax.set_xlabel("Number claimed (log scale); each line is one claim's range, from two outlets")
        fig.text(0.02, 1 - 0.2 * inch, "Conflicting figures", ha="left", va="top", fontsize=14, fontweight="bold")
        fig.text(0.02, 1 - 0.55 * inch, f"{_plural(len(chart.rows), 'conflict')}: same kind, actor and month, numbers that "
                 "cannot both be right (table: conflicting_claims.csv)", ha="left", va="top", fontsize=10,
                 color="#444444")
        fig.text(0.02, 0.1 * inch, chart.source_line() + (f"\n{shown_note}" if shown_note else ""), ha="left",
                 va="bottom", fontsize=8, color="#555555")
    return fig


MAX_EVENT_ROWS = 40


def _event_groups(rows: pd.DataFrame, limit: int | None = None) -> list[tuple[str, str, list[int]]]:
    """(event, date, row positions) per distinct event, in the rows' (date) order.

    With ``limit``, only the ``limit`` events mentioned by the most articles (ties: earliest first),
    still in date order; the rest stay in the CSV twin.
    """
    groups: dict[tuple[str, str], list[int]] = {}
    for i, (event, date) in enumerate(zip(rows["event"], rows["date"])):
        groups.setdefault((str(event), str(date)), []).append(i)
    out = [(event, date, members) for (event, date), members in groups.items()]
    if limit is not None and len(out) > limit:
        articles = rows["article"].to_numpy()
        ranked = sorted(range(len(out)), key=lambda k: (-len(set(articles[out[k][2]])), k))[:limit]
        out = [out[k] for k in sorted(ranked)]
    return out


# Beyond this many mentions of the events shown, the timeline draws one dot per outlet (group) and event,
# sized by its mentions, and the interactive one marker per outlet and event with its counts on hover.
MAX_EVENT_DOTS = 400


def _group_counts(members: list[int], outlets: list[str], group_of: dict[str, str]) -> list[tuple[str, int]]:
    """(outlet group, mentions) of one event's mentions, in legend order."""
    counts: dict[str, int] = {}
    for position in members:
        group = group_of.get(outlets[position], outlets[position])
        counts[group] = counts.get(group, 0) + 1
    return sorted(counts.items(), key=lambda gc: (gc[0] in (OTHER_OUTLETS, UNKNOWN_OUTLET), gc[0] == UNKNOWN_OUTLET, gc[0]))


def _events_note(rows: pd.DataFrame, shown: int) -> str:
    total = len(_event_groups(rows)) if len(rows) else 0
    if total <= shown:
        return ""
    return (f"Shown: the {shown} events mentioned by the most articles, of {total:,}; every mention is in "
            "events_timeline.csv.")


_AUTO_LABEL = re.compile(r"^(?P<label>[^()]*?)\s*\((?P<word>[^()]+)\)\s*$")
_TASHKEEL = re.compile("[\u064b-\u0652\u0670]")


def event_display(event: str) -> str:
    """An event label as a reader should see it: an auto-label's Arabic word without its clitics and
    case endings ('announcement (وأعلنت)' -> 'announcement (أعلنت)')."""
    match = _AUTO_LABEL.match(str(event))
    if not match or not _ARABIC.search(match.group("word")):
        return str(event)
    word = _TASHKEEL.sub("", match.group("word").strip())
    try:
        from .words import stems

        found = [s for s in stems(word) if len(s) >= 3]
        word = min(found, key=len) if found else word
    except Exception:  # the word layer is a courtesy here; the label stays as found
        pass
    return f"{match.group('label')} ({word})"


def _event_label(event: str, date: str, members: list[int], rows: pd.DataFrame, width: int, ltr) -> str:
    articles = rows["article"].iloc[members].nunique()
    count = f" · {articles} articles" if articles > 1 else ""
    return f"{bidi(_shorten(event_display(event), width))}  {ltr(human_date(date) + count)}"


def events_figure(chart: Chart, label_width: int = 48):
    """A timeline of dated events: one row per distinct event, a mark per article mentioning it."""
    rows = chart.rows
    groups = _event_groups(rows, MAX_EVENT_ROWS) if not rows.empty else []
    extra_note = _events_note(rows, len(groups)) if len(rows) else ""
    group_of, palette = outlet_groups(rows, chart.colours)
    colours = {o: palette.get(g, UNKNOWN_COLOUR) for o, g in group_of.items()}
    n = max(len(groups), 1)
    height = min(3.2 + 0.3 * n, 40)
    outlets = rows["outlet"].tolist()
    per_mention = sum(len(members) for _e, _d, members in groups) <= MAX_EVENT_DOTS
    biggest = 1 if per_mention else max(c for _e, _d, m in groups for _g, c in _group_counts(m, outlets, group_of))
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
                if per_mention:
                    step = min(0.2, 0.7 / len(members))  # mentions of one event side by side, not on top of each other
                    for k, position in enumerate(members):
                        colour = colours.get(outlets[position], UNKNOWN_COLOUR)
                        ax.plot([_midpoint(first, last)], [i + (k - (len(members) - 1) / 2) * step], linestyle="none",
                                marker="o", markersize=6, color=colour, markeredgecolor="white", markeredgewidth=0.6)
                else:  # one dot per outlet group, its area by its mentions of the event
                    counts = _group_counts(members, outlets, group_of)
                    step = min(0.2, 0.7 / len(counts))
                    for k, (group, count) in enumerate(counts):
                        ax.plot([_midpoint(first, last)], [i + (k - (len(counts) - 1) / 2) * step], linestyle="none",
                                marker="o", markersize=4 + 8 * math.sqrt(count / biggest),
                                color=palette.get(group, UNKNOWN_COLOUR), markeredgecolor="white", markeredgewidth=0.6)
                labels.append(_event_label(event, date, members, rows, label_width, mpl_isolate_ltr))
            ax.set_yticks(range(len(groups)), labels, fontsize=8.5)
            ax.set_ylim(len(groups) - 0.5, -0.5)
            ax.tick_params(axis="y", length=0)
        _date_axis(ax, chart, firsts, lasts)
        ax.set_xlabel("Date of the event (a grey bar spans the month or year when no day is given)")
        fig.text(0.02, 1 - 0.25 * inch, "What happened when: events the articles date", ha="left", va="top",
                 fontsize=14, fontweight="bold")
        fig.text(0.02, 1 - 0.6 * inch,
                 f"{_plural(len(groups), 'event')} in {_plural(len(rows), 'mention')}, earliest first; "
                 + ("one dot per mention, coloured by outlet" if per_mention else
                    "one dot per outlet and event, its size the number of mentions"),
                 ha="left", va="top", fontsize=10, color="#444444")
        footer = chart.source_line() + "".join("\n" + t for t in (chart.note_line(), extra_note) if t)
        fig.text(0.02, 0.15 * inch, footer, ha="left", va="bottom", fontsize=8, color="#555555")
        if not rows.empty:
            _legend(fig, rows.assign(outlet=rows["outlet"].map(group_of)), palette, 1 - 1.25 * inch,
                    qualifiers=False, left=0.815)
    return fig


# ---------------------------------------------------------------- plotly

def _plotly_layout(fig, title: str, chart: Chart, height: int,
                   legend_title: str = "Outlet · how the number is put") -> None:
    note = html.escape(chart.source_line(), quote=False)
    if chart.note_line():
        note += "<br>" + html.escape(chart.note_line(), quote=False)
    fig.update_layout(
        template="simple_white",
        title={"text": _html_label(title), "x": 0.01, "xanchor": "left"},
        font={"family": f"{FONT}, Arial, sans-serif", "size": 13},
        height=height,
        margin={"l": 70, "r": 30, "t": 80, "b": 150},
        hoverlabel={"align": "right", "font": {"family": f"{FONT}, Arial, sans-serif"}},
        legend={"title": {"text": _html_label(legend_title)}},
        annotations=list(fig.layout.annotations) + [{
            # a fixed distance in pixels below the plot, under the x-axis title whatever the figure's height
            "text": note, "xref": "paper", "yref": "paper", "x": 0, "y": 0, "yshift": -75, "xanchor": "left",
            "yanchor": "top", "showarrow": False, "align": "left", "font": {"size": 11, "color": "#555555"},
        }],
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)


def _claim_traces(rows: pd.DataFrame, colours: dict[str, str], spans: bool = True) -> list:
    """Every claim as a marker with its hover (article, outlet, sentence); a window-dated claim also as a bar."""
    import plotly.graph_objects as go

    traces = []
    for (outlet, qualifier), group in rows.groupby(["outlet", "qualifier"], sort=True):
        colour = colours.get(outlet, UNKNOWN_COLOUR)
        xs, ys, custom, symbols = [], [], [], []
        bar_x, bar_y, span_x, span_y = [], [], [], []
        style = QUALIFIERS.get(qualifier, QUALIFIERS["exact"])
        for row in group.to_dict("records"):
            first, last, mid = _row_x(row)
            x = mid.isoformat()
            y = _plotted_value(row)
            xs.append(x)
            ys.append(y)
            uncertain = first != last
            symbols.append("diamond-open" if uncertain else style["plotly"])
            custom.append([
                _html_label(outlet), html.escape(row["article"]), html.escape(str(row["date"])),
                QUALIFIERS.get(qualifier, {}).get("label", qualifier),
                html.escape(value_label(row)), _hover_text(row["sentence"]),
                "date uncertain: somewhere in this window" if uncertain else "dated",
            ])
            if qualifier in BAR_QUALIFIERS and not (_missing(row["low"]) or _missing(row["high"])):
                bar_x += [x, x, None]
                bar_y += [float(row["low"]), float(row["high"]), None]
            if uncertain and spans:
                span_x += [first.isoformat(), last.isoformat(), None]
                span_y += [y, y, None]
        name = f"{_html_label(outlet)} · {style['label']}"
        if span_x:
            traces.append(go.Scatter(x=span_x, y=span_y, mode="lines", line={"color": colour, "width": 6},
                                     opacity=0.3, hoverinfo="skip", legendgroup=name, showlegend=False))
        if bar_x:
            traces.append(go.Scatter(
                x=bar_x, y=bar_y, mode="lines", line={"color": colour, "width": 3,
                                                      "dash": "dash" if qualifier == "vague" else "solid"},
                hoverinfo="skip", legendgroup=name, showlegend=False,
            ))
        traces.append(go.Scatter(
            x=xs, y=ys, mode="markers", name=name, legendgroup=name,
            marker={"symbol": symbols, "size": 11 if len(rows) <= 200 else 6, "color": colour,
                    "line": {"width": 2, "color": colour}},
            customdata=custom,
            hovertemplate=("<b>%{customdata[4]}</b> (%{customdata[3]})<br>%{customdata[0]} · article "
                           "%{customdata[1]} · refers to %{customdata[2]} (%{customdata[6]})<br><br>"
                           "%{customdata[5]}<extra></extra>"),
        ))
    return traces


def _window_traces(rows: pd.DataFrame, colours: dict[str, str]) -> list:
    """The window a cumulative count covers ('since October'), as a band to the claim: one trace per colour."""
    import plotly.graph_objects as go

    bands: dict[str, tuple[list, list]] = {}
    for row in rows.to_dict("records"):
        if _missing(row.get("window_start")) or not row.get("window_start"):
            continue
        first, last, mid = _row_x(row)
        if first != last:
            continue
        y = _plotted_value(row)
        xs, ys = bands.setdefault(colours.get(row["outlet"], UNKNOWN_COLOUR), ([], []))
        if xs:
            xs.append(None)
            ys.append(None)
        xs += [period_bounds(row["window_start"])[0].isoformat(), mid.isoformat()]
        ys += [y, y]
    return [go.Scatter(x=xs, y=ys, mode="lines", line={"color": colour, "width": 12}, opacity=0.25,
                       hoverinfo="skip", showlegend=False) for colour, (xs, ys) in bands.items()]


# Beyond this many claims in a panel, the interactive figure too shows the monthly summary (hover: the
# month's claims, median and range per outlet group); every claim stays in the CSV twin.
INTERACTIVE_AGGREGATE_AT = 2000


def _summary_traces(summary: pd.DataFrame, band: pd.DataFrame, palette: dict[str, str], legend: set) -> list:
    """The monthly summary for the browser: the middle half of the claims (band), their median (line) and
    each outlet group's monthly median (a dot sized by its claim count, its numbers on hover)."""
    import plotly.graph_objects as go

    traces = []
    if len(band):
        xs = [(period_bounds(m)[0] + dt.timedelta(days=14)).isoformat() for m in band["month"]]
        traces.append(go.Scatter(x=xs, y=list(band["q25"]), mode="lines", line={"width": 0, "shape": "hvh"},
                                 hoverinfo="skip", showlegend=False, legendgroup="band"))
        traces.append(go.Scatter(x=xs, y=list(band["q75"]), mode="lines", line={"width": 0, "shape": "hvh"},
                                 fill="tonexty", fillcolor="rgba(187,187,187,0.45)", hoverinfo="skip",
                                 name="middle half of the claims", legendgroup="band", showlegend="band" not in legend))
        traces.append(go.Scatter(
            x=xs, y=list(band["median"]), mode="lines", line={"color": "#222222", "width": 1.6, "shape": "hvh"},
            name="median, all outlets", legendgroup="median", showlegend="median" not in legend,
            customdata=[[human_date(m), f"{int(c):,}"] for m, c in zip(band["month"], band["claims"])],
            hovertemplate="%{customdata[0]}: median %{y:,.0f} of %{customdata[1]} claims<extra></extra>"))
        legend |= {"band", "median"}
    biggest = max(summary["claims"].max(), 1) if len(summary) else 1
    groups = sorted(set(summary["outlet_group"]), key=lambda g: (g in (OTHER_OUTLETS, UNKNOWN_OUTLET), g))
    for group in groups:
        part = summary[summary["outlet_group"] == group]
        name = _html_label(group)
        traces.append(go.Scatter(
            x=[(period_bounds(m)[0] + dt.timedelta(days=14)).isoformat() for m in part["month"]],
            y=list(part["median"]), mode="markers", name=name, legendgroup=name, showlegend=name not in legend,
            marker={"size": [5 + 20 * math.sqrt(c / biggest) for c in part["claims"]],
                    "color": palette.get(group, UNKNOWN_COLOUR), "opacity": 0.85, "line": {"width": 0.5, "color": "white"}},
            customdata=[[name, human_date(m), f"{int(c):,}", _number(lo), _number(hi), f"{int(u):,}"]
                        for m, c, lo, hi, u in zip(part["month"], part["claims"], part["lowest"], part["highest"],
                                                   part["uncertain"])],
            hovertemplate=("<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{customdata[2]} claims: median %{y:,.0f}, "
                           "from %{customdata[3]} to %{customdata[4]}<br>%{customdata[5]} dated only to a window"
                           "<extra></extra>")))
        legend.add(name)
    return traces


def claims_interactive(chart: Chart):
    """The figure for the browser: the same panels and axes as the PNG, every claim with its hover
    (article, outlet, sentence), the record behind the US troop numbers, the same empty-state text."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    rows = chart.rows
    panels = chart.panels or sorted(set(rows["panel"])) or [""]
    group_of, palette = outlet_groups(rows, chart.colours)
    colours = {o: palette.get(g, UNKNOWN_COLOUR) for o, g in group_of.items()}
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=0.12 if len(panels) > 1 else 0.05,
                        subplot_titles=[html.escape(p) for p in panels])
    firsts, lasts = _span(chart, rows)
    axis_label = RULE_AXES.get(_kind_spec(chart.kind).get("rule"), "Number (as reported)")
    legend_shown = False
    aggregate = bool(len(rows)) and any((rows["panel"] == p).sum() > INTERACTIVE_AGGREGATE_AT for p in panels)
    if aggregate:
        summary, band, in_legend = monthly_summary(rows, group_of), monthly_band(rows), set()
    for i, panel in enumerate(panels, start=1):
        subset = rows[rows["panel"] == panel]
        if subset.empty:
            fig.add_annotation(text="No claims of this kind in the selected articles", showarrow=False,
                               xref=f"x{'' if i == 1 else i} domain", yref=f"y{'' if i == 1 else i} domain",
                               x=0.5, y=0.5, font={"color": "#777777"})
            fig.update_yaxes(showticklabels=False, row=i, col=1)
            continue
        if panel in chart.reference and firsts:
            pad = max((max(lasts) - min(firsts)) * 0.06, dt.timedelta(days=90))
            for xs, ys in _reference_steps(chart.reference[panel], min(firsts) - pad, max(lasts) + pad):
                fig.add_trace(go.Scatter(
                    x=[x.isoformat() for x in xs], y=ys, mode="lines", line={"color": "#999999", "width": 2, "shape": "hv"},
                    name="Official US troop level (data/reference)", legendgroup="reference", showlegend=not legend_shown,
                    hovertemplate="official level: %{y:,d}<extra></extra>"), row=i, col=1)
                legend_shown = True
        if aggregate:
            traces = _summary_traces(summary[summary["panel"] == panel], band[band["panel"] == panel], palette,
                                     in_legend)
        else:
            traces = _window_traces(subset, colours) + _claim_traces(subset, colours, spans=len(subset) <= 500)
        fig.add_traces(traces, rows=[i] * len(traces), cols=[1] * len(traces))
        fig.update_yaxes(title_text=axis_label, rangemode="tozero", tickformat=",d", row=i, col=1)
    if firsts:
        lo = period_bounds(chart.start)[0] if chart.start else min(firsts)
        hi = period_bounds(chart.end)[1] if chart.end else max(lasts)
        pad = max((hi - lo) * 0.06, dt.timedelta(days=90))
        fig.update_xaxes(range=[(lo - pad).isoformat(), (hi + pad).isoformat()])
    if aggregate:
        fig.update_xaxes(title_text="Month the claim refers to (the middle of its window); every claim, with its "
                                    f"sentence, is in {chart.name}.csv", row=len(panels), col=1)
    else:
        fig.update_xaxes(title_text="Date the claim refers to; a pale bar spans a date known only to a window "
                                    "(hollow diamond: uncertain)", row=len(panels), col=1)
    seen: set = set()
    for trace in fig.data:  # one legend entry per outlet and qualifier, whichever panels it appears in
        if trace.showlegend is not False and trace.name:
            if trace.name in seen:
                trace.showlegend = False
            seen.add(trace.name)
    _plotly_layout(fig, html.escape(chart.title), chart, 360 + 300 * len(panels))
    return fig


def troops_interactive(chart: Chart):
    """The troop-numbers figure for the browser: hover shows outlet, qualifier and the evidence sentence."""
    return claims_interactive(chart)


def attacks_interactive(chart: Chart):
    """The attack-count figure for the browser, with each cumulative count's window as a band."""
    return claims_interactive(chart)


def conflicts_interactive(chart: Chart):
    """Conflicting figures for the browser: hover shows both sentences."""
    import plotly.graph_objects as go

    fig = go.Figure()
    rows, shown_note = _shown_conflicts(chart.rows)
    if shown_note:
        chart = Chart(chart.name, chart.rows, chart.left_out + [shown_note], chart.colours, chart.articles,
                      chart.corpus, chart.start, chart.end, chart.caveat, title=chart.title)
    if rows.empty:
        fig.add_annotation(text="No conflicting figures: no two outlets give numbers that do not overlap "
                                "for the same kind, actor and month", showarrow=False, xref="paper", yref="paper",
                           x=0.5, y=0.5, font={"color": "#777777"})
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
    else:
        labels = [html.escape(f"{r.kind} · {r.actor} · {human_date(r.month)}") for r in rows.itertuples()]
        for side, colour in (("a", PALETTE[0]), ("b", PALETTE[1])):
            xs, ys, custom = [], [], []
            for label, row in zip(labels, rows.itertuples()):
                low, high = getattr(row, f"low_{side}"), getattr(row, f"high_{side}")
                xs += [low, high, None]
                ys += [label, label, None]
                custom += [[_html_label(getattr(row, f"outlet_{side}")), html.escape(getattr(row, f"article_{side}")),
                            html.escape(getattr(row, f"figure_{side}")), _hover_text(getattr(row, f"sentence_{side}"))]] * 3
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", line={"color": colour, "width": 4},
                                     name="lower claim" if side == "a" else "higher claim", customdata=custom,
                                     hovertemplate="<b>%{customdata[2]}</b> · %{customdata[0]} · article "
                                                   "%{customdata[1]}<br><br>%{customdata[3]}<extra></extra>"))
        fig.update_xaxes(type="log", title_text="Number claimed (log scale)")
        fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed")
    _plotly_layout(fig, html.escape(chart.title), chart, max(420, 200 + 40 * len(rows)), legend_title="")
    return fig


def _event_summary_traces(fig, rows: pd.DataFrame, groups, label_of: dict[int, str], group_of: dict[str, str],
                          palette: dict[str, str]) -> None:
    """One marker per outlet group and event shown, sized by its mentions; hover: how many, from how many articles."""
    import plotly.graph_objects as go

    outlets, articles = rows["outlet"].tolist(), rows["article"].tolist()
    points: dict[str, list] = {}
    for event, date, members in groups:
        x = _midpoint(*period_bounds(date)).isoformat()
        by_group: dict[str, list[int]] = {}
        for position in members:
            by_group.setdefault(group_of.get(outlets[position], outlets[position]), []).append(position)
        for group, positions in by_group.items():
            ids = sorted({articles[p] for p in positions})
            shown = ", ".join(html.escape(str(a)) for a in ids[:3]) + (f" and {len(ids) - 3:,} more" if len(ids) > 3 else "")
            points.setdefault(group, []).append((x, label_of[members[0]], len(positions), len(ids), shown))
    biggest = max((p[2] for pts in points.values() for p in pts), default=1)
    for group in sorted(points, key=lambda o: (o in (OTHER_OUTLETS, UNKNOWN_OUTLET), o == UNKNOWN_OUTLET, o)):
        pts = points[group]
        fig.add_trace(go.Scatter(
            x=[p[0] for p in pts], y=[p[1] for p in pts], mode="markers", name=_html_label(group),
            marker={"size": [6 + 14 * math.sqrt(p[2] / biggest) for p in pts], "color": palette.get(group, UNKNOWN_COLOUR),
                    "opacity": 0.85},
            customdata=[[_html_label(group), f"{p[2]:,}", f"{p[3]:,}", p[4]] for p in pts],
            hovertemplate="%{customdata[0]}: %{customdata[1]} mentions in %{customdata[2]} articles (%{customdata[3]})"
                          "<extra></extra>"))


def events_interactive(chart: Chart, label_width: int = 48):
    """The events timeline for the browser: one row per event; hover shows each mention's sentence."""
    import plotly.graph_objects as go

    fig = go.Figure()
    rows = chart.rows
    groups = _event_groups(rows, MAX_EVENT_ROWS) if not rows.empty else []
    label_of: dict[int, str] = {}
    for event, date, members in groups:
        label = _event_label(html.escape(event, quote=False), date, members, rows, label_width, lambda t: t)
        for position in members:
            label_of[position] = label
    group_of, palette = outlet_groups(rows, chart.colours)
    shown = rows["outlet"].map(group_of) if len(rows) else rows["outlet"]
    per_mention = len(label_of) <= MAX_EVENT_DOTS
    if not per_mention:
        _event_summary_traces(fig, rows, groups, label_of, group_of, palette)
    for outlet in sorted(set(shown), key=lambda o: (o in (OTHER_OUTLETS, UNKNOWN_OUTLET), o == UNKNOWN_OUTLET, o)):
        positions = [i for i, o in enumerate(shown) if o == outlet and i in label_of] if per_mention else []
        if not positions:
            continue
        fig.add_trace(go.Scatter(
            x=[_midpoint(*period_bounds(rows["date"].iloc[i])).isoformat() for i in positions],
            y=[label_of[i] for i in positions], mode="markers", name=_html_label(outlet),
            marker={"size": 10, "color": palette.get(outlet, UNKNOWN_COLOUR), "opacity": 0.85},
            customdata=[[_html_label(rows["outlet"].iloc[i]), html.escape(rows["article"].iloc[i]), html.escape(rows["date"].iloc[i]),
                         _hover_text(rows["sentence"].iloc[i])] for i in positions],
            hovertemplate="%{customdata[0]} · article %{customdata[1]} · %{customdata[2]}<br><br>"
                          "%{customdata[3]}<extra></extra>",
        ))
    order = list(dict.fromkeys(label_of[i] for i in sorted(label_of)))
    if rows.empty:
        fig.add_annotation(text="No dated events in the selected articles", showarrow=False, xref="paper",
                           yref="paper", x=0.5, y=0.5, font={"color": "#777777"})
    note = _events_note(rows, len(groups)) if len(rows) else ""
    if note:
        chart = Chart(chart.name, chart.rows, chart.left_out + [note], chart.colours, chart.articles, chart.corpus,
                      chart.start, chart.end, chart.caveat)
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
