"""Extraction at scale: synthetic corpora of 1k, 10k (and 100k) articles, timed end to end.

    .venv/bin/python benchmarks/bench_scale.py                  # 1k and 10k articles
    .venv/bin/python benchmarks/bench_scale.py --sizes 100000   # 100k articles (~500 MB)
    .venv/bin/python benchmarks/bench_scale.py --sizes 1000 --skip-run --jobs 2

Each corpus is written under the system's temporary folder (troopwatch-scale/, never in the repository): articles of
about 5 KB built from Arabic sentence templates written for this benchmark, with
numbers, dates, names, places and outlets drawn at random per article, so every
article is different and no cache can answer for another.  For each size it
prints, for each command run as a subprocess: wall and CPU seconds, the peak RSS of
its largest process, MB/s, the cores used (CPU time / wall time) and MB per CPU
second (what the machine would give if nothing else ran on it).  The commands:
``troopwatch claims`` with an empty cache, ``dates`` and ``framing`` reading it
(``--cold-each``: each with an empty cache; ``--no-cache-run``: the extraction
alone once more), a warm re-run, a re-run after 1% of the articles are replaced by
new ones, then ``troopwatch run --force`` on the corpus with its outputs in that
folder and ``troopwatch run`` again, which finds nothing changed (the no-op run).
The 10 MB one-line article is benchmarks/bench_long_line.py.
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


# Runs a command and prints, on its last stderr line, the peak RSS of the command and its children.
_WRAP = ("import resource, subprocess, sys\n"
         "code = subprocess.run(sys.argv[1:]).returncode\n"
         "print('peak-rss-kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
         "sys.exit(code)\n")


def timed(cmd: list[str], env: dict, stdout=subprocess.DEVNULL, cwd=None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB, the largest of its processes) of one command."""
    cpu0, _ = _children()
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _WRAP] + cmd, env=env, stdout=stdout, stderr=subprocess.PIPE,
                          cwd=cwd, text=True)
    wall = time.perf_counter() - t0
    cpu1, _ = _children()
    if done.returncode:
        raise subprocess.CalledProcessError(done.returncode, cmd, stderr=done.stderr)
    rss = float(done.stderr.rsplit("peak-rss-kb", 1)[-1].split()[0]) / 1024
    return wall, cpu1 - cpu0, rss


def _line(label: str, wall: float, cpu: float, rss: float, mb: float | None = None, full: float | None = None) -> str:
    text = f"{label:34s} {wall:7.1f} s  CPU {cpu:7.1f} s  peak RSS {rss:6.0f} MB"
    if mb is not None:
        text += f"  {mb / wall:5.2f} MB/s  cores used {cpu / wall:.2f}  {mb / max(cpu, 1e-9):5.3f} MB per CPU second"
    if full is not None:
        text += f"  ({wall / full:.1%} of the cold run)"
    return text


def tables(folder: Path, mb: float, cache: Path, exe: list[str], jobs: list[str], env: dict, commands: list[str],
           cold_each: bool, no_cache: bool) -> None:
    """The table commands: the first cold (then each cold with --cold-each), the others reading the cache,
    a warm re-run, and a re-run after 1% of the articles are replaced by new ones."""
    if no_cache:  # extraction alone, no cache: every stage on every article, the articles table written
        wall, cpu, rss = timed(exe + ["articles", str(folder), "--format", "csv", "--no-cache", "--quiet"] + jobs, env)
        print(_line("extraction (articles, no cache):", wall, cpu, rss, mb))
    shutil.rmtree(cache, ignore_errors=True)
    full = None
    for i, command in enumerate(commands):
        if cold_each:
            shutil.rmtree(cache, ignore_errors=True)
        wall, cpu, rss = timed(exe + [command, str(folder), "--format", "csv", "--cache", str(cache), "--quiet"]
                               + jobs, env)
        state = "cold" if cold_each or i == 0 else "from cache"
        print(_line(f"troopwatch {command} ({state}):", wall, cpu, rss, mb, None if state == "cold" else full))
        if state == "cold":
            full = wall
    wall, cpu, rss = timed(exe + [commands[0], str(folder), "--format", "csv", "--cache", str(cache), "--quiet"]
                           + jobs, env)
    print(_line(f"warm re-run ({commands[0]}), nothing new:", wall, cpu, rss, full=full))
    renewed = renew_one_percent(folder, 1)
    wall, cpu, rss = timed(exe + [commands[0], str(folder), "--format", "csv", "--cache", str(cache), "--quiet"]
                           + jobs, env)
    print(_line(f"re-run, {renewed} new articles (1%):", wall, cpu, rss, full=full))
    (folder / ".complete").unlink()  # the corpus changed: rebuild it next time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="corpus sizes (articles)")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs given to troopwatch (default: its own)")
    parser.add_argument("--skip-run", action="store_true", help="do not time `troopwatch run`")
    parser.add_argument("--commands", nargs="+", default=["claims", "dates", "framing"],
                        help="table commands to time cold (default: claims dates framing)")
    parser.add_argument("--skip-tables", action="store_true", help="time only `troopwatch run`")
    parser.add_argument("--cold-each", action="store_true",
                        help="empty the cache before each table command (default: only before the first)")
    parser.add_argument("--no-cache-run", action="store_true",
                        help="also time the extraction with --no-cache (one more full extraction)")
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
            tables(folder, mb, cache, exe, jobs, env, args.commands, args.cold_each, args.no_cache_run)
            folder = build_corpus(size)  # the 1% renewed: back to the corpus as built
        if not args.skip_run:
            # the notebooks read the extraction from the project's cache (build/cache): fill it as a user would
            wall, cpu, rss = timed(exe + ["framing", str(folder), "--quiet", "--format", "csv"] + jobs, env, cwd=ROOT)
            print(_line("extraction into build/cache:", wall, cpu, rss))
            run = exe + ["run", "-p", "corpus_dir", str(folder), "-p", "processed_dir", str(out / "processed"),
                         "-p", "figures_dir", str(out / "figures")]
            try:
                wall, cpu, rss = timed(run + ["--force"], env, cwd=ROOT)
                print(_line("troopwatch run (--force):", wall, cpu, rss))
                wall, cpu, rss = timed(run, env, cwd=ROOT)
                print(_line("troopwatch run again (no-op):", wall, cpu, rss))
            except subprocess.CalledProcessError as exc:
                print(f"troopwatch run failed (exit {exc.returncode}): {exc.stderr[-2000:]}")
        print(f"peak RSS of any child so far:      {_children()[1]:7.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
