"""Figures of original and rendition pairs (:mod:`troopwatch.pairing`), each with its CSV twin.

``pair_figures_data`` is the exact table ``pair_figures_figure`` draws: for every
pair, each figure's English and Arabic value (kept, changed, added, dropped);
``pair_frames_data`` / ``pair_frames_figure`` put the frame scores of original
and rendition side by side.  Arabic labels go to matplotlib as they are: it
shapes them and orders them right to left itself (see :mod:`troopwatch.plots`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .framing import frame_names

__all__ = ["pair_figures_data", "pair_figures_figure", "pair_frames_data", "pair_frames_figure"]

FONT = "DejaVu Sans"
STATUS_COLOURS = {"kept": "#4c72b0", "changed": "#dd8452", "added": "#55a868", "dropped": "#c44e52"}
FIGURE_COLUMNS = ["pair", "status", "kind", "actor", "place", "en_value", "ar_value", "label"]
FRAME_COLUMNS = ["pair", "frame", "name", "en_score", "ar_score"]


def _pair_name(row) -> str:
    return f"{row['source']} → {row['rendition']}"


def pair_figures_data(table: pd.DataFrame) -> pd.DataFrame:
    """One row per figure of every pair: its status, English and Arabic values and a label (both mentions)."""
    rows = table[table["section"] == "figure"]
    out = []
    for _, r in rows.iterrows():
        en = r["en"] if isinstance(r["en"], str) else "—"
        ar = r["ar"] if isinstance(r["ar"], str) else "—"
        out.append({"pair": _pair_name(r), "status": r["status"], "kind": r["kind"], "actor": r["actor"],
                    "place": r["place"], "en_value": r["en_value"], "ar_value": r["ar_value"],
                    "label": f"{r['kind']}: {en} | {ar}"})
    df = pd.DataFrame(out, columns=FIGURE_COLUMNS)
    order = {s: i for i, s in enumerate(STATUS_COLOURS)}
    if len(df):
        df = df.assign(_o=df["status"].map(order)).sort_values(["pair", "_o", "kind", "label"], kind="stable")
        df = df.drop(columns="_o").reset_index(drop=True)
    return df


def pair_figures_figure(table: pd.DataFrame) -> Figure:
    """Each figure of each pair: the English value (circle) and the Arabic one (square), coloured by status."""
    data = pair_figures_data(table)
    fig = Figure(figsize=(8, max(2.5, 0.45 * len(data) + 1.2)))
    ax = fig.add_subplot(1, 1, 1)
    if not len(data):
        ax.text(0.5, 0.5, "no original–rendition pair in this corpus", ha="center", va="center", family=FONT)
        ax.set_axis_off()
        return fig
    y = np.arange(len(data))[::-1]
    for yi, (_, r) in zip(y, data.iterrows()):
        colour = STATUS_COLOURS.get(r["status"], "grey")
        en, ar = r["en_value"], r["ar_value"]
        if pd.notna(en) and pd.notna(ar):
            ax.plot([en, ar], [yi, yi], color=colour, lw=1)
        if pd.notna(en):
            ax.plot([en], [yi], "o", color=colour)
        if pd.notna(ar):
            ax.plot([ar], [yi], "s", color=colour, mfc="white")
    ax.set_yticks(y)
    ax.set_yticklabels([f"{r['status']}  {r['label']}" for _, r in data.iterrows()], family=FONT, fontsize=8)
    values = pd.concat([data["en_value"], data["ar_value"]]).dropna().astype(float)
    values = values[values > 0]
    ax.set_xscale("log")
    if len(values):
        ax.set_xlim(values.min() / 2, values.max() * 2)
    ax.set_xlabel("value (circle: English original, square: Arabic rendition)", family=FONT)
    ax.set_title("Figures kept, changed, added and dropped in the Arabic rendition", family=FONT)
    fig.tight_layout()
    return fig


def pair_frames_data(table: pd.DataFrame) -> pd.DataFrame:
    """Frame scores (per 1,000 words) of original and rendition, one row per pair and frame."""
    rows = table[table["section"] == "frame"]
    names = frame_names()
    out = [{"pair": _pair_name(r), "frame": r["frame"], "name": names.get(r["frame"], r["frame"]),
            "en_score": r["en_score"], "ar_score": r["ar_score"]} for _, r in rows.iterrows()]
    return pd.DataFrame(out, columns=FRAME_COLUMNS)


def pair_frames_figure(table: pd.DataFrame) -> Figure:
    """Frame scores side by side: English original and Arabic rendition, one panel per pair."""
    data = pair_frames_data(table)
    pairs = list(dict.fromkeys(data["pair"]))
    fig = Figure(figsize=(8, 2.8 * max(1, len(pairs))))
    if not pairs:
        ax = fig.add_subplot(1, 1, 1)
        ax.text(0.5, 0.5, "no original–rendition pair in this corpus", ha="center", va="center", family=FONT)
        ax.set_axis_off()
        return fig
    for i, p in enumerate(pairs, start=1):
        ax = fig.add_subplot(len(pairs), 1, i)
        d = data[data["pair"] == p]
        x = np.arange(len(d))
        ax.bar(x - 0.2, d["en_score"].astype(float), 0.4, label="English original")
        ax.bar(x + 0.2, d["ar_score"].astype(float), 0.4, label="Arabic rendition")
        ax.set_xticks(x)
        ax.set_xticklabels(d["name"], family=FONT, fontsize=7, rotation=15)
        ax.set_ylabel("per 1,000 words", family=FONT)
        ax.set_title(p, family=FONT, fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
