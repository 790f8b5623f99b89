"""The same chart functions on 5 claims and on a 10,000-article corpus: time them and write the figures to look at.

    PYTHONPATH=lib .venv/bin/python benchmarks/bench_figures_scale.py [--articles 10000] [--out FOLDER]

A script makes a synthetic corpus of ``--articles`` articles (tables as the extraction gives them:
articles with outlet, URL, language and country; troop, attack and casualty claims dated to a
day, a month, a year or only a publication window; dated events) from a fixed seed, writes it
under ``--out`` (never in the repository), then draws every figure of 02 and 03 from it with
the same functions the notebooks call, and writes PNG, SVG, HTML and the CSV twins to
``--out``/figures.  Look at the PNGs: a figure must stay readable (aggregated per month and
outlet group, labels that do not collide, at most 40 event rows).  The extraction itself is
timed by bench_claims.py and bench_real.py, not here.
"""
from __future__ import annotations

import argparse
import tempfile
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from troopwatch import plots  # noqa: E402

OUTLETS = ["Al Sumaria", "Shafaq News", "Rudaw", "Al Mada", "Baghdad Today", "Kurdistan 24", "Alghad Press",
           "964 Media", "Al Mirbad", "Nas News", "Al Forat", "Iraqi News Agency"]
DOMAINS = ["alsumaria.example", "shafaq.example", "rudaw.example", "almada.example", "baghdadtoday.example",
           "k24.example", "alghad.example", "964.example", "mirbad.example", "nas.example", "alforat.example",
           "ina.example"]
EVENTS = ["US strike kills Qassem Soleimani and Abu Mahdi al-Muhandis", "Iraqi parliament votes to expel foreign forces",
          "withdrawal (لسحب)", "talks (المحادثات)", "announcement (وأعلنت)", "meeting (اجتماع)",
          "Drone attack kills three US soldiers at Tower 22 in Jordan", "US-Iraq strategic dialogue, first session"]
SENTENCE = "وقال مسؤول إن الولايات المتحدة لديها {n} جندي في العراق بحسب وكالة Reuters."


def synthetic_corpus(n: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    start = dt.date(2019, 6, 1)
    days = (dt.date(2024, 9, 30) - start).days
    ids = [f"{i:05d}_syn" for i in range(n)]
    which = rng.integers(0, len(OUTLETS) + 3, n)  # some articles have no outlet, some only a URL
    outlet = [OUTLETS[k] if k < len(OUTLETS) else None for k in which]
    url = [f"https://www.{DOMAINS[k % len(DOMAINS)]}/{i}" if k == len(OUTLETS) else None for i, k in enumerate(which)]
    published = [start + dt.timedelta(days=int(d)) for d in rng.integers(0, days, n)]
    articles = pd.DataFrame({"id": ids, "outlet": outlet, "url": url, "published": [d.isoformat() for d in published],
                             "language": rng.choice(["ar", "en"], n, p=[0.8, 0.2]),
                             "country": rng.choice(["IQ", "AE", "LB", "US"], n)})

    def official(day: dt.date) -> int:
        return 5200 if day < dt.date(2020, 9, 1) else 3000 if day < dt.date(2021, 1, 15) else 2500

    claims = []
    for i, (a, day) in enumerate(zip(ids, published)):
        for k in range(int(rng.integers(0, 3))):
            kind = rng.choice(["troops", "attacks", "casualties"], p=[0.6, 0.25, 0.15])
            precision = rng.choice(["day", "month", "year", "window"], p=[0.5, 0.25, 0.1, 0.15])
            ref = day - dt.timedelta(days=int(rng.integers(0, 30)))
            refers_to = {"day": ref.isoformat(), "month": ref.isoformat()[:7], "year": ref.isoformat()[:4],
                         "window": None}[precision]
            if kind == "troops":
                value = int(official(ref) * rng.choice([1, 1, 1, 0.5, 2, 1.2]))
                actor = rng.choice(["US", "US", "US", "coalition", "iraqi"])
            elif kind == "attacks":
                value = int(rng.integers(1, 200))
                actor = "militia"
            else:
                value = int(rng.integers(1, 40))
                actor = rng.choice(["US", "iraqi", "militia"])
            qualifier = rng.choice(["exact", "approx", "at_least", "range"])
            low, high = (value, value) if qualifier != "range" else (int(value * 0.8), int(value * 1.2))
            claims.append({"article": a, "kind": kind, "value": value, "low": low, "high": high, "qualifier": qualifier,
                           "actor": actor, "place": "Iraq", "refers_to": refers_to,
                           "refers_to_precision": None if refers_to is None else precision,
                           "window_start": None, "mention": str(value), "sentence": SENTENCE.format(n=value),
                           "start": k * 100, "end": k * 100 + 4, "refers_to_basis": "synthetic",
                           "refers_to_window": f"{day.isoformat()}/{(day + dt.timedelta(days=14)).isoformat()}"})
    events = []
    for a, day in zip(ids, published):
        for k in range(int(rng.integers(0, 3))):
            name = EVENTS[int(rng.integers(0, len(EVENTS)))]
            events.append({"article": a, "date": (day - dt.timedelta(days=int(rng.integers(0, 400)))).isoformat()[:7],
                           "precision": "month", "event": name if k == 0 else f"{name} #{int(rng.integers(0, 60))}",
                           "sentence": "جملة الحدث", "start": k, "end": k + 1})
    return articles, pd.DataFrame(claims), pd.DataFrame(events)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "troopwatch-figures-scale"))
    args = parser.parse_args()
    out = Path(args.out)
    if ROOT in out.resolve().parents or out.resolve() == ROOT:
        parser.error("write the synthetic corpus outside the repository")
    t0 = time.perf_counter()
    articles, claims, events = synthetic_corpus(args.articles)
    (out / "corpus").mkdir(parents=True, exist_ok=True)
    for name, df in (("articles", articles), ("claims", claims), ("events", events)):
        df.to_csv(out / "corpus" / f"{name}.csv", index=False)
    print(f"corpus: {len(articles):,} articles, {len(claims):,} claims, {len(events):,} events "
          f"({time.perf_counter() - t0:.1f} s) -> {out / 'corpus'}")
    articles = plots.with_outlets(articles)
    for chart in plots.kind_charts(claims, articles, corpus="synthetic") + [plots.conflicts_chart(claims, articles, corpus="synthetic")]:
        t = time.perf_counter()
        if chart.name == "conflicting_claims":
            figure, interactive = plots.conflicts_figure(chart), plots.conflicts_interactive(chart)
        else:
            figure, interactive = plots.claims_figure(chart), plots.claims_interactive(chart)
        saved = plots.save_figure(chart.name, chart.rows, out / "figures", figure=figure, interactive=interactive)
        html = (out / "figures" / f"{chart.name}.html").stat().st_size
        print(f"{chart.name}: {len(chart.rows):,} rows, {time.perf_counter() - t:.1f} s, html {html / 1e6:.1f} MB; "
              f"{chart.note_line() or 'nothing left out'}")
    t = time.perf_counter()
    timeline = plots.events_chart(events, articles, corpus="synthetic")
    plots.save_figure(timeline.name, timeline.rows, out / "figures", figure=plots.events_figure(timeline),
                      interactive=plots.events_interactive(timeline))
    print(f"events_timeline: {len(timeline.rows):,} mentions, {time.perf_counter() - t:.1f} s")
    print(f"total {time.perf_counter() - t0:.1f} s; look at {out / 'figures'}/*.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
