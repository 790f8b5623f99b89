"""Extraction at scale: synthetic corpora of 1k, 10k (and 100k) articles, timed end to end.

    .venv/bin/python benchmarks/bench_scale.py                  # 1k and 10k articles
    .venv/bin/python benchmarks/bench_scale.py --sizes 100000   # 100k articles (~500 MB)
    .venv/bin/python benchmarks/bench_scale.py --sizes 1000 --skip-run --jobs 2

Each corpus is written under the system's temporary folder (troopwatch-scale/, never in the repository): articles of
about 5 KB built from Arabic sentence templates written for this benchmark, with
numbers, dates, names, places and outlets drawn at random per article, so every
article is different and no cache can answer for another.  For each size it
prints: MB/s of ``troopwatch claims|dates|framing`` run as a subprocess with a
cold cache, the same for the extraction step alone (``--no-cache``), the peak RSS
of the child processes, the cores used (CPU time / wall time) and MB per CPU second
(what the machine would give if nothing else ran on it), a warm re-run after
1% of the articles are replaced by new ones, and the full ``troopwatch run`` on
the corpus with its outputs in that folder.
"""
from __future__ import annotations

import argparse
import tempfile
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = Path(tempfile.gettempdir()) / "troopwatch-scale"

OUTLETS = ["السومرية نيوز", "شفق نيوز", "الجزيرة نت", "العربي الجديد", "روسيا اليوم", "المدى", "بغداد اليوم",
           "الشرق الأوسط", "سكاي نيوز عربية", "وكالة الأنباء العراقية", "الحرة", "رووداو"]
OUTLET_SITES = ["alsumaria.tv", "shafaq.com", "aljazeera.net", "alaraby.co.uk", "arabic.rt.com", "almadapaper.net",
                "baghdadtoday.news", "aawsat.com", "skynewsarabia.com", "ina.iq", "alhurra.com", "rudawarabia.net"]
PEOPLE = ["محمد شياع السوداني", "فؤاد حسين", "لويد أوستن", "ألينا رومانوفسكي", "يحيى رسول", "جون كيربي",
          "قاسم الأعرجي", "هادي العامري", "مقتدى الصدر", "مصطفى الكاظمي", "أنتوني بلينكن", "ثابت العباسي"]
PLACES = ["قاعدة عين الأسد", "قاعدة حرير", "مطار أربيل", "قاعدة فيكتوريا", "المنطقة الخضراء", "محافظة الأنبار",
          "قاعدة التاجي", "مطار بغداد الدولي", "محافظة نينوى", "سهل نينوى", "قاعدة بلد", "القائم"]
MONTHS = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
          "تشرين الثاني", "كانون الأول"]
MONTHS_EG = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر",
             "ديسمبر"]
DAYS = ["الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"]
SOURCES = ["مصدر أمني", "مسؤول عسكري عراقي", "مصادر مطلعة", "متحدث باسم التحالف", "مسؤول في وزارة الدفاع الأمريكية",
           "نائب في البرلمان العراقي", "مصدر حكومي", "دبلوماسي غربي"]
TITLES = [
    "{people} يبحث مع وفد أمريكي جدول انسحاب قوات التحالف",
    "هجوم بطائرات مسيرة يستهدف {place}",
    "البنتاغون: {n_troops} جندي أمريكي ما زالوا في العراق",
    "مباحثات عراقية أمريكية جديدة حول مستقبل التحالف الدولي",
    "فصائل مسلحة تعلن مسؤوليتها عن استهداف {place}",
    "البرلمان العراقي يناقش قرار إخراج القوات الأجنبية",
]
SENTENCES = [
    "قال {source} إن عدد القوات الأمريكية في العراق يبلغ نحو {n_troops} جندي موزعين على عدة قواعد.",
    "وأكد {people} في مؤتمر صحفي يوم {day} أن الحكومة ملتزمة بجدول زمني لانسحاب قوات التحالف الدولي.",
    "وتعرضت {place} لهجوم بـ{n_small} صواريخ كاتيوشا مساء {day} {d} {month} {year} دون وقوع إصابات.",
    "وذكرت {outlet} أن {n_small} جنود أمريكيين أصيبوا بجروح طفيفة في الهجوم الذي استهدف {place}.",
    "وأعلن التحالف الدولي في {d} {month_eg} {year} أن مهمته القتالية في العراق انتهت رسميا.",
    "ونقلت وكالة رويترز عن {source} قوله إن المباحثات قد تستغرق عدة أشهر قبل التوصل إلى اتفاق.",
    "وشهدت الأشهر الماضية أكثر من {n_attacks} هجوما على مواقع تضم قوات أمريكية في العراق وسوريا.",
    "وبحسب {source} فإن واشنطن تعتزم خفض عدد جنودها إلى {n_troops} جندي بحلول نهاية عام {year2}.",
    "ويطالب {people} بخروج القوات الأجنبية من البلاد وفق قرار البرلمان الصادر في {d} {month} {year}.",
    "وقتل {n_small} من عناصر الفصائل المسلحة في غارة جوية أمريكية قرب {place} فجر {day}.",
    "وأشار {people} إلى أن العلاقة مع الولايات المتحدة ستتحول إلى شراكة ثنائية في مجالات الأمن والاقتصاد.",
    "ولم يصدر تعليق فوري من السفارة الأمريكية في بغداد على ما أوردته {outlet}.",
    "ويرى محللون أن الانسحاب الكامل غير مرجح في المدى القريب بسبب التهديدات التي يشكلها تنظيم داعش.",
    "وكان الرئيس الأمريكي قد أعلن في {month_eg} {year} عن سحب {n_troops} جندي من العراق خلال أسابيع.",
    "وأفاد {source} بأن الهجمات التي بلغت {n_attacks} هجوما منذ {month} الماضي لن تغير موقف واشنطن.",
    "وتنتشر القوات الأمريكية في {place} ضمن مهمة استشارية لتدريب القوات العراقية ومساعدتها.",
    "وأضاف أن {n_small} طائرات مسيرة أسقطت قبل وصولها إلى {place} بحسب بيان عسكري.",
    "ويبلغ عدد المستشارين العسكريين الأجانب قرابة {n_troops} مستشار وفق تقديرات غير رسمية.",
]


def _article(rng: random.Random, index: int, target: int = 5000) -> tuple[str, dict]:
    def fill(template: str) -> str:
        return template.format(
            source=rng.choice(SOURCES), people=rng.choice(PEOPLE), place=rng.choice(PLACES),
            outlet=rng.choice(OUTLETS), day=rng.choice(DAYS), d=rng.randint(1, 28),
            month=rng.choice(MONTHS), month_eg=rng.choice(MONTHS_EG), year=rng.randint(2003, 2025),
            year2=rng.randint(2024, 2027), n_troops=rng.choice([rng.randint(2, 40) * 100, 2500, 5200, 900]),
            n_small=rng.randint(2, 9), n_attacks=rng.randint(10, 180))

    lines = [fill(rng.choice(TITLES))]
    size = len(lines[0].encode())
    while size < target:
        paragraph = " ".join(fill(rng.choice(SENTENCES)) for _ in range(rng.randint(2, 4)))
        lines.append(paragraph)
        size += len(paragraph.encode()) + 1
    k = rng.randrange(len(OUTLETS))
    meta = {"outlet": OUTLET_SITES[k], "published": f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-"
                                                     f"{rng.randint(1, 28):02d}" if rng.random() < 0.6 else ""}
    return "\n".join(lines) + "\n", meta


def build_corpus(size: int, seed: int = 0, generation: int = 0) -> Path:
    """SCRATCH/corpus_<size>: ``size`` articles of about 5 KB (reused when already built)."""
    folder = SCRATCH / f"corpus_{size}"
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(seed * 1_000_003 + size)
    sidecar = ["id,file,outlet,published"]
    for i in range(size):
        text, meta = _article(rng, i)
        name = f"a{i:06d}"
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        sidecar.append(f"{name},{name}.txt,{meta['outlet']},{meta['published']}")
    (folder / "articles.csv").write_text("\n".join(sidecar) + "\n", encoding="utf-8")
    done.write_text("ok")
    return folder


def renew_one_percent(folder: Path, round_: int) -> int:
    """Replace 1% of the articles' texts by new ones (the sidecar unchanged); returns how many."""
    files = sorted(folder.glob("a*.txt"))
    rng = random.Random(round_ * 7919 + len(files))
    chosen = rng.sample(files, max(1, len(files) // 100))
    for path in chosen:
        text, _ = _article(rng, 0)
        path.write_text(text, encoding="utf-8")
    return len(chosen)


def corpus_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("*.txt")) / 1e6


def _children() -> tuple[float, float]:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024  # CPU seconds, peak RSS in MB (Linux: KB)


def timed(cmd: list[str], env: dict, stdout=subprocess.DEVNULL, cwd=None) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one command and its children."""
    cpu0, _ = _children()
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=stdout, stderr=subprocess.DEVNULL, cwd=cwd)
    wall = time.perf_counter() - t0
    cpu1, _ = _children()
    return wall, cpu1 - cpu0


def tables(folder: Path, mb: float, cache: Path, exe: list[str], jobs: list[str], env: dict, commands: list[str]) -> None:
    """The table commands: cold, warm, and warm with 1% new articles."""
    # extraction alone, no cache: every stage on every article, the articles table written
    wall, cpu = timed(exe + ["articles", str(folder), "--format", "csv", "--no-cache", "--quiet"] + jobs, env)
    print(f"extraction (articles, no cache): {wall:7.1f} s  {mb / wall:5.2f} MB/s  cores used {cpu / wall:.2f}  "
          f"{mb / cpu:5.3f} MB per CPU second")
    for i, command in enumerate(commands):
        shutil.rmtree(cache, ignore_errors=True)
        wall, cpu = timed(exe + [command, str(folder), "--format", "csv", "--cache", str(cache), "--quiet"] + jobs,
                          env)
        print(f"troopwatch {command:8s} cold:    {wall:7.1f} s  {mb / wall:5.2f} MB/s  cores used {cpu / wall:.2f}  "
              f"{mb / cpu:5.3f} MB per CPU second")
    full = wall
    wall, _ = timed(exe + [commands[-1], str(folder), "--format", "csv", "--cache", str(cache), "--quiet"]
                    + jobs, env)
    print(f"warm re-run, nothing new:        {wall:7.1f} s  ({wall / full:.1%} of the cold run)")
    renewed = renew_one_percent(folder, 1)
    wall, _ = timed(exe + [commands[-1], str(folder), "--format", "csv", "--cache", str(cache), "--quiet"]
                    + jobs, env)
    print(f"warm re-run, {renewed} new articles (1%): {wall:5.1f} s  ({wall / full:.1%} of the cold run)")
    (folder / ".complete").unlink()  # the corpus changed: rebuild it next time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="corpus sizes (articles)")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs given to troopwatch (default: its own)")
    parser.add_argument("--skip-run", action="store_true", help="do not time `troopwatch run`")
    parser.add_argument("--commands", nargs="+", default=["claims", "dates", "framing"],
                        help="table commands to time cold (default: claims dates framing)")
    parser.add_argument("--skip-tables", action="store_true", help="time only `troopwatch run`")
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'lib'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    exe = [sys.executable, "-m", "troopwatch"]
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    for size in args.sizes:
        t0 = time.perf_counter()
        folder = build_corpus(size)
        mb = corpus_mb(folder)
        print(f"\n== {size} articles, {mb:.1f} MB ({folder}; built or found in {time.perf_counter() - t0:.0f} s)")
        out = SCRATCH / f"out_{size}"
        cache = out / "cache"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        if not args.skip_tables:
            tables(folder, mb, cache, exe, jobs, env, args.commands)
        if not args.skip_run:
            # the notebooks read the extraction from the project's cache (build/cache): fill it as a user would
            wall, _ = timed(exe + ["framing", str(folder), "--quiet"] + jobs, env, cwd=ROOT)
            print(f"extraction into build/cache:     {wall:7.1f} s")
            run = exe + ["run", "-p", "corpus_dir", str(folder), "-p", "processed_dir", str(out / "processed"),
                         "-p", "figures_dir", str(out / "figures")]
            try:
                wall, _ = timed(run, env, cwd=ROOT)
                print(f"troopwatch run:                  {wall:7.1f} s")
                wall, _ = timed(run, env, cwd=ROOT)
                print(f"troopwatch run again (no-op):    {wall:7.1f} s")
            except subprocess.CalledProcessError as exc:
                print(f"troopwatch run failed (exit {exc.returncode})")
        print(f"peak RSS of any child so far:    {_children()[1]:7.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
