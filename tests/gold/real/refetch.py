"""List what is needed to collect the real-news excerpt texts again, and which are in place.

The texts cannot be redistributed, so each gold entry keeps the search query and the
url that find its excerpt again (pages corpus of the search tool) and the sha256 of the
text as it was annotated.  This prints, for every entry, its id, whether
texts/<id>.txt is present and matches, then the query and the url; a re-collected text
is saved as texts/<id>.txt (UTF-8, the excerpt as the search returns it, no trailing
newline) and must match the hash.

    python tests/gold/real/refetch.py                  # every file
    python tests/gold/real/refetch.py ar_more.yml      # one file
    python tests/gold/real/refetch.py --missing        # only texts to collect
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def status(entry: dict, texts: Path) -> str:
    """ok, missing or changed (present but not the annotated text)."""
    path = texts / f"{entry['id']}.txt"
    if not path.exists():
        return "missing"
    return "ok" if hashlib.sha256(path.read_bytes()).hexdigest() == entry.get("sha256") else "changed"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="gold files (default: every *.yml here)")
    ap.add_argument("--missing", action="store_true", help="list only entries whose text is missing or changed")
    args = ap.parse_args(argv)
    files = [HERE / f for f in args.files] if args.files else sorted(HERE.glob("*.yml"))
    counts = {"ok": 0, "missing": 0, "changed": 0}
    for path in files:
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            st = status(entry, HERE / "texts")
            counts[st] += 1
            if args.missing and st == "ok":
                continue
            print(f"{entry['id']}\t{st}\t{path.name}\t{entry.get('split')}")
            print(f"  query: {entry.get('query')}")
            print(f"  url:   {entry.get('url')}")
    print(f"{counts['ok']} texts match, {counts['missing']} missing, {counts['changed']} changed", file=sys.stderr)
    return 0 if counts["changed"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
