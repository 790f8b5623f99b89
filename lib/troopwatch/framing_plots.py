"""Figures of the framing analysis, each with the table it plots (its CSV twin).

Every ``*_figure`` function returns a :class:`matplotlib.figure.Figure` and
every ``*_data`` function returns the exact DataFrame that figure draws, so a
notebook can save both side by side.  Arabic labels are drawn by matplotlib's
own text shaping (3.11+) with the bundled DejaVu Sans; no reshaping library is
used.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .actors import actor_names
from .framing import frame_names

__all__ = [
    "group_label",
    "article_groups",
    "article_detail",
    "with_groups",
    "frames_heatmap_data",
    "frames_heatmap_figure",
    "attribution_profile_data",
    "attribution_profile_figure",
    "actor_salience_data",
    "actor_salience_figure",
    "distinctive_terms_data",
    "distinctive_terms_figure",
    "stance_table_data",
    "stance_table_figure",
]

FONT = "DejaVu Sans"
STANCE_LABELS = {
    "imminent_or_scheduled": "imminent or scheduled",
    "conditional_or_negotiated": "conditional or negotiated",
    "not_happening": "not happening",
    "unclear": "unclear",
}


def _note(fig: Figure, text: str) -> None:
    """A source line under the axes; the layout leaves room for it."""
    height = fig.get_figheight()
    room = min(0.3, 0.32 / height)
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0, room, 1, 1 - room))
    fig.text(0.01, 0.008, text, fontsize=7.5, color="#555555", ha="left", va="bottom", family=FONT)


def _source_note(table: pd.DataFrame, unit: str) -> str:
    return f"Source: troopwatch framing analysis of {len(table)} articles; {unit}."


UNKNOWN = "unknown"
# Okabe-Ito colours: told apart with colour-blindness, no red next to green.
SOURCE_COLOURS = {"agencies": "#0072B2", "named_officials": "#E69F00", "anonymous": "#CC79A7"}


def group_label(row: pd.Series) -> str:
    """The outlet; articles whose outlet is unknown form one group, "unknown"."""
    outlet = row.get("outlet")
    if outlet is None or (isinstance(outlet, float) and math.isnan(outlet)) or not str(outlet).strip():
        return UNKNOWN
    return str(outlet)


def article_groups(table: pd.DataFrame, articles: pd.DataFrame | None = None, by: str = "outlet") -> pd.Series:
    """Each framing row's group: its outlet (sidecar, URL domain, credit line or byline), any column
    of the article table (``by``: language, country, outlet_type ...), or the article itself.
    A missing value is the group "unknown"."""
    if by == "article":
        return table["article"].astype(str).reset_index(drop=True)
    if by == "outlet":
        if articles is not None:
            from .plots import UNKNOWN_OUTLET, resolve_outlets

            resolved = resolve_outlets(articles, table)
            values = [resolved.get(str(a), UNKNOWN_OUTLET) for a in table["article"]]
            return pd.Series([UNKNOWN if v == UNKNOWN_OUTLET else v for v in values])
        return table.apply(group_label, axis=1).reset_index(drop=True)
    if articles is None or by not in articles.columns:
        choices = ", ".join(["outlet", "article"] + ([str(c) for c in articles.columns if c != "text"]
                                                     if articles is not None else []))
        raise KeyError(f"group_by: no article column {by!r}; choose one of {choices}")
    values = dict(zip(articles["id"].astype(str), articles[by]))
    return pd.Series([group_label(pd.Series({"outlet": values.get(str(a))})) for a in table["article"]])


def with_groups(articles: pd.DataFrame, table: pd.DataFrame, by: str = "outlet", column: str = "compare_group") -> pd.DataFrame:
    """The article table with each article's group (as the framing figures draw it) in ``column``,
    for distinctive_terms(articles, group_by=column): articles of unknown outlet form one group."""
    groups = dict(zip(table["article"].astype(str), article_groups(table, articles, by)))
    return articles.assign(**{column: [groups.get(str(a), UNKNOWN) for a in articles["id"]]})


def _weighted(table: pd.DataFrame, groups: pd.Series, columns: dict[str, str]) -> pd.DataFrame:
    """Per group: articles, words and each per-1,000-words column averaged with the articles' words as weights."""
    t = table.reset_index(drop=True).copy()
    t["group"] = groups.to_numpy()
    rows = []
    for group, part in t.groupby("group", sort=True):
        words = float(part["words"].sum())
        row = {"group": group, "articles": len(part), "words": int(words)}
        for name, column in columns.items():
            vals = part[column].fillna(0).astype(float)
            row[name] = round(float((vals * part["words"]).sum() / words), 2) if words else math.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=["group", "articles", "words", *columns])


def frames_heatmap_data(table: pd.DataFrame, by: str = "outlet", articles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Frame matches per 1,000 words, one row per group (outlet by default; by="article": per article)."""
    frames = list(frame_names())
    t = table.reset_index(drop=True).copy()
    t["group"] = article_groups(t, articles, by).to_numpy()
    rows = []
    for group, part in t.groupby("group", sort=True):
        words = part["words"].sum()
        row = {"group": group, "articles": len(part), "words": int(words)}
        for f in frames:
            row[f] = round(part[f"frame_{f}_count"].sum() * 1000.0 / words, 2) if words else math.nan
        rows.append(row)
    return pd.DataFrame(rows, columns=["group", "articles", "words", *frames])


def _group_tick(group: str, n: int) -> str:
    """'outlet  (2 articles)', the outlet isolated so an Arabic name keeps the count on its right."""
    from .plots import bidi

    name = bidi(group)
    if any("\u0600" <= ch <= "\u06ff" for ch in name):
        name = f"\u2068{name}\u2069"
    return f"{name}  ({n} article{'s' if n != 1 else ''})"


def article_detail(table: pd.DataFrame, articles: pd.DataFrame | None = None, by: str = "outlet") -> pd.DataFrame:
    """One row per article, full id, its group and every framing score: the detail behind the
    per-group figures, to sort and filter (written as a CSV beside them)."""
    frames = list(frame_names())
    actors = list(actor_names())
    out = pd.DataFrame({"article": table["article"].astype(str).to_numpy(),
                        "group": article_groups(table, articles, by).to_numpy()})
    for column in ("outlet", "outlet_basis", "words", "stance"):
        if column in table.columns:
            out[column] = table[column].to_numpy()
    for f in frames:
        out[f"frame_{f}"] = table[f"frame_{f}"].to_numpy() if f"frame_{f}" in table else math.nan
    for name in ("agencies", "named_officials", "anonymous"):
        out[f"sources_{name}_per_1000"] = table[f"sources_{name}_per_1000"].to_numpy()
    out["hedging_per_1000"] = table["hedging_per_1000"].to_numpy()
    for a in actors:
        out[f"actor_{a}"] = table[f"actor_{a}"].to_numpy()
    return out.sort_values(["group", "article"], kind="stable").reset_index(drop=True)


def _heatmap(ax, values: np.ndarray, rows: list[str], cols: list[str], cmap: str) -> object:
    im = ax.imshow(values, aspect="auto", cmap=cmap)
    ax.set_xticks(range(len(cols)), labels=cols, rotation=30, ha="right", family=FONT)
    ax.set_yticks(range(len(rows)), labels=rows, family=FONT)
    vmax = np.nanmax(values) if values.size and not np.all(np.isnan(values)) else 0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            if not np.isnan(v):
                ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=8, family=FONT,
                        color="white" if vmax and v > 0.6 * vmax else "black")
    return im


def frames_heatmap_figure(table: pd.DataFrame, by: str = "outlet", articles: pd.DataFrame | None = None) -> Figure:
    data = frames_heatmap_data(table, by=by, articles=articles)
    names = frame_names()
    frames = list(names)
    fig = Figure(figsize=(9, 1.2 + 0.55 * max(len(data), 1)), layout="constrained")
    ax = fig.add_subplot()
    ticks = [_group_tick(g, n) for g, n in zip(data["group"], data["articles"])]
    im = _heatmap(ax, data[frames].to_numpy(dtype=float), ticks, [names[f] for f in frames], "Blues")
    fig.colorbar(im, ax=ax, label="matches per\n1,000 words")
    ax.set_title(f"How each {_by_word(by)} frames the US presence in Iraq", family=FONT)
    ax.set_xlabel("frame", family=FONT)
    ax.set_ylabel(f"{_by_word(by)} (articles)", family=FONT)
    _note(fig, _source_note(table, "frame lexicon matches per 1,000 words (data/lexicons/frames.yml)"))
    return fig


def _by_word(by: str) -> str:
    return {"outlet": "outlet", "article": "article"}.get(by, by.replace("_", " "))


SOURCE_COLUMNS = {"agencies": "sources_agencies_per_1000", "named_officials": "sources_named_officials_per_1000",
                  "anonymous": "sources_anonymous_per_1000", "hedging": "hedging_per_1000"}


def attribution_profile_data(table: pd.DataFrame, by: str = "outlet", articles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Agencies, named officials and unnamed sources per 1,000 words (and hedging cues), one row per group,
    each group's articles weighted by their words."""
    return _weighted(table, article_groups(table, articles, by), SOURCE_COLUMNS)


def attribution_profile_figure(table: pd.DataFrame, by: str = "outlet", articles: pd.DataFrame | None = None) -> Figure:
    data = attribution_profile_data(table, by, articles)
    fig = Figure(figsize=(9, 1.5 + 0.6 * max(len(data), 1)), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(data))
    left = np.zeros(len(data))
    labels = {"agencies": "news agencies and media", "named_officials": "named officials", "anonymous": "unnamed sources"}
    for col in ("agencies", "named_officials", "anonymous"):
        vals = data[col].fillna(0).to_numpy(dtype=float)
        ax.barh(y, vals, left=left, color=SOURCE_COLOURS[col], label=labels[col])
        left += vals
    ax.plot(data["hedging"].fillna(0), y, "k|", markersize=14, label="hedging cues")
    ax.set_yticks(y, labels=[_group_tick(g, n) for g, n in zip(data["group"], data["articles"])], family=FONT)
    ax.invert_yaxis()
    ax.set_title(f"Whom the articles rely on, by {_by_word(by)}", family=FONT)
    ax.set_xlabel("mentions per 1,000 words", family=FONT)
    ax.set_ylabel(f"{_by_word(by)} (articles)", family=FONT)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), prop={"family": FONT, "size": 8})
    _note(fig, _source_note(table, "source mentions per 1,000 words (data/lexicons/sources.yml); per article: "
                                   "framing_articles.csv"))
    return fig


def actor_salience_data(table: pd.DataFrame, by: str = "outlet", articles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Actor mentions per 1,000 words, one row per group, each group's articles weighted by their words."""
    return _weighted(table, article_groups(table, articles, by), {a: f"actor_{a}" for a in actor_names()})


def actor_salience_figure(table: pd.DataFrame, by: str = "outlet", articles: pd.DataFrame | None = None) -> Figure:
    data = actor_salience_data(table, by, articles)
    names = actor_names()
    actors = list(names)
    fig = Figure(figsize=(10, 1.3 + 0.55 * max(len(data), 1)), layout="constrained")
    ax = fig.add_subplot()
    rows = [_group_tick(g, n) for g, n in zip(data["group"], data["articles"])]
    im = _heatmap(ax, data[actors].to_numpy(dtype=float), rows, [names[a] for a in actors], "Oranges")
    fig.colorbar(im, ax=ax, label="mentions per\n1,000 words")
    ax.set_title(f"Who the articles talk about, by {_by_word(by)}", family=FONT)
    ax.set_xlabel("actor (names grouped in data/lexicons/actors.yml)", family=FONT)
    ax.set_ylabel(f"{_by_word(by)} (articles)", family=FONT)
    _note(fig, _source_note(table, "actor mentions per 1,000 words, each name variant counted once per mention; "
                                   "per article: framing_articles.csv"))
    return fig


def distinctive_terms_data(terms: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The top ``top`` terms of each group (the rows distinctive_terms_figure draws)."""
    if terms.empty:
        return terms.copy()
    return (terms.sort_values(["group", "zeta"], ascending=[True, False])
            .groupby("group", sort=True).head(top).reset_index(drop=True))


def distinctive_terms_figure(terms: pd.DataFrame, top: int = 10, n_articles: int | None = None) -> Figure:
    data = distinctive_terms_data(terms, top=top)
    groups = list(dict.fromkeys(data["group"])) if not data.empty else []
    ncols = min(3, max(len(groups), 1))
    nrows = max(1, math.ceil(len(groups) / ncols))
    fig = Figure(figsize=(4.2 * ncols, 0.35 * top * nrows + 1.4), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat[len(groups):]:
        ax.set_visible(False)
    for ax, group in zip(axes.flat, groups):
        part = data[data["group"] == group]
        y = np.arange(len(part))
        ax.barh(y, part["zeta"], color="#0072B2")
        ax.set_yticks(y, labels=list(part["display"]), family=FONT, fontsize=11)
        ax.invert_yaxis()
        from .plots import bidi

        ax.set_title(bidi(group), family=FONT, fontsize=10)
        ax.set_xlabel("z-score of weighted log-odds", family=FONT, fontsize=8)
    if not groups:
        axes[0, 0].text(0.5, 0.5, "fewer than two groups: nothing to compare", ha="center", family=FONT)
    fig.suptitle("Words that set each outlet apart from the others", family=FONT)
    fig.supylabel("term (most frequent surface form of the stem)", family=FONT, fontsize=9)
    n = f"{n_articles} articles" if n_articles is not None else "the articles"
    _note(fig, f"Source: troopwatch analysis of {n}; weighted log-odds with an informative Dirichlet prior "
               "(Monroe, Colaresi & Quinn 2008) on lightly stemmed words.")
    return fig


def stance_table_data(table: pd.DataFrame, width: int = 100) -> pd.DataFrame:
    """Article, outlet, stance, votes and the first deciding sentence (shortened to ``width``)."""
    def first_sentence(s: str) -> str:
        s = (s or "").split(" || ")[0]
        return s if len(s) <= width else s[: width - 1] + "…"

    return pd.DataFrame({
        "article": table["article"],
        "outlet": table.apply(group_label, axis=1),
        "stance": table["stance"].map(lambda s: STANCE_LABELS.get(s, s)),
        "votes": table["stance_votes"],
        "deciding_sentence": table["stance_evidence"].map(first_sentence),
    }).reset_index(drop=True)


def stance_table_figure(table: pd.DataFrame) -> Figure:
    data = stance_table_data(table)
    fig = Figure(figsize=(14, 0.9 + 0.32 * max(len(data), 1)), layout="constrained")
    ax = fig.add_subplot()
    ax.axis("off")
    cells = [[r.article, r.outlet, r.stance, r.deciding_sentence] for r in data.itertuples()]
    tab = ax.table(cellText=cells or [["", "", "", ""]], colLabels=["article", "outlet", "withdrawal stance", "first deciding sentence"],
                   loc="center", cellLoc="left", colWidths=[0.16, 0.17, 0.13, 0.54])
    tab.auto_set_font_size(False)
    tab.set_fontsize(8.5)
    tab.scale(1, 1.6)
    for (r, c), cell in tab.get_celld().items():
        cell.get_text().set_family(FONT)
        if r == 0:
            cell.get_text().set_weight("bold")
        if c == 3 and r > 0:
            cell.get_text().set_horizontalalignment("right")
            cell._loc = "right"
    ax.set_title("Withdrawal stance of each article, with the sentence that decided it", family=FONT)
    _note(fig, _source_note(table, "stance from cue phrases in data/lexicons/stance.yml; headline and lead count double"))
    return fig
