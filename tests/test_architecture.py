"""The package's structure: data flows one way through the stages, and no module imports in a circle.

Imports inside functions count: a lazy import that closes a circle or reaches a
later stage is the same dependency, only hidden.
"""
from __future__ import annotations

import ast
from pathlib import Path

LIB = Path(__file__).resolve().parents[1] / "lib" / "troopwatch"

# Stages in the order data flows; a module may import its own stage and earlier ones.
STAGES = [
    {"lexicons", "text", "io", "envsync"},       # data files, character layer, safe writes
    {"words"},                                  # the Arabic word layer
    {"article"},                                # one record per article
    {"files"},                                  # article files: decoding, sidecar
    {"readers", "corpus"},                      # reading a corpus (files, pages, exports)
    {"numbers", "dates", "numbers_en", "dates_en"},  # mentions (Arabic, English)
    {"events"},                                 # known and dated events
    {"published", "published_en"},              # publication dates
    {"claims", "claims_en"},                    # claims (Arabic, English)
    {"timeline"},                               # claim times
    {"actors", "attribution", "attribution_en", "distinctive", "framing"},  # framing (Arabic, English)
    {"pairing"},                                # an original and its rendition
    {"cache", "distributed", "pipeline"},       # the extraction step
    {"plots", "framing_plots", "pairing_plots"},  # figures
    {"report"},                                 # what notebooks call
    {"runner", "cli", "__main__", "__init__"},  # running it all
]
RANK = {name: i for i, stage in enumerate(STAGES) for name in stage}


def _imports() -> dict[str, set[str]]:
    modules = {p.stem: p for p in LIB.glob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1 and node.module:
                    target = node.module.split(".")[0]
                    edges[name].add(target)
                elif node.level == 1:
                    edges[name].update(a.name for a in node.names)
                elif node.module and node.module.startswith("troopwatch"):
                    parts = node.module.split(".")
                    edges[name].update([parts[1]] if len(parts) > 1 else [a.name for a in node.names])
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] == "troopwatch" and len(parts) > 1:
                        edges[name].add(parts[1])
        edges[name] = {t for t in edges[name] if t in modules and t != name}
    return edges


def test_every_module_has_a_stage():
    assert set(_imports()) <= set(RANK), f"give these modules a stage in STAGES: {set(_imports()) - set(RANK)}"


def test_no_module_imports_a_later_stage():
    late = [(m, t) for m, targets in _imports().items() for t in targets if RANK[t] > RANK[m]]
    assert late == [], f"imports against the flow of data (module -> later stage): {late}"


def test_no_import_cycle():
    edges = _imports()
    cycles = []

    def visit(node, path):
        for nxt in edges[node]:
            if nxt == path[0]:
                cycles.append(path + [nxt])
            elif nxt not in path and len(path) < len(edges):
                visit(nxt, path + [nxt])

    for start in edges:
        visit(start, [start])
    assert cycles == [], f"import cycles: {cycles[:3]}"


def test_the_checks_see_lazy_imports(tmp_path):
    """The walker reads imports inside functions (the kind that hid the old circle)."""
    edges = _imports()
    assert "timeline" in edges["pipeline"]  # imported inside extract_article only
