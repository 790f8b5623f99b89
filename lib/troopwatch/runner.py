"""Run the notebooks headlessly: ``troopwatch run`` (and ``make figures``).

Each ``notebooks/NN_*.ipynb`` is executed with papermill from this one process,
up to ``jobs`` at a time when independent (a notebook names the ones it needs in
its metadata, ``{"troopwatch": {"needs": ["01_corpus"]}}``).  The executed copy
goes to ``build/notebooks/`` and an HTML rendering to ``build/html/``.

A run is one transaction
------------------------
Every notebook of a run writes its figures and tables into the run's own staging
folder (``build/runs/<lock>-<run id>/<notebook>/``); a notebook that needs another
reads the other's staged files.  Only when *every* notebook has succeeded are the
staged files published, all together: figures, their CSV twins, the figures' HTML,
the tables of ``data/processed/``, the executed notebooks, their HTML renderings,
the change stamps and the manifest.  A failing notebook, Ctrl-C (SIGINT) or SIGTERM
publishes nothing: the run stops its kernels, removes its staging, prints one line
and exits 1, 130 or 143.

What publishing guarantees, honestly:

* Each file is replaced atomically (``os.replace`` of a complete, fsynced copy
  prepared beside it in the same folder): a reader never sees half a file.
* The set of files is *not* replaced in one atomic step; no POSIX filesystem can
  rename many files at once.  During the commit (milliseconds: renames only, in a
  fixed order: output files sorted by path, then executed notebooks, renderings and
  stamps, the manifest last) a reader may see some files of the new run beside files
  of the old one.  The manifest (``.troopwatch-manifest.json`` in the output root)
  names, per file, its sha256 and the run that wrote it, so a mix can be detected.
* A crash or SIGKILL while publishing is repaired by the next run on the same outputs,
  which reads the journal left in the staging folder: stopped before the first rename,
  the prepared copies are removed (rolled back); stopped during the renames, the
  remaining renames are done (rolled forward: every new file was complete before the
  first rename).  Until that next run, the outputs may be mixed; the manifest says so.
* Signals that arrive while publishing wait until it has finished.
* Durability after a power cut depends on the filesystem honouring fsync.

Concurrent runs: a run holds an exclusive ``fcntl.flock`` on ``.troopwatch.lock`` in
the output root (the folder holding all its output folders).  A second run on the
same outputs refuses at once, naming the holder's pid (exit 75), or waits with
``wait=True`` (``--wait``).  The kernel releases the lock when its holder dies.

Parameters are checked before anything runs (types, ISO dates, formats, the corpus
folder and its articles, the output folders); a corpus other than the default one
writes to ``build/corpora/<corpus folder name>/`` so that it never replaces the
committed figures and tables.

Fast: a notebook is skipped when nothing it depends on changed since its last
successful run (the notebook, the library source and lexicons, the corpus
bytes, the parameters, the plotting package versions) and the files it wrote
are still there, unchanged.  Deciding this needs no papermill import.  A whole
run has a fingerprint of the same inputs (``run_fingerprint``: the corpus read
once), recorded in the manifest's run entry and, with the size and time of every
file the run left, in ``<build>/notebooks/.run-fingerprint.json``; when a run's
fingerprint is that of the last successful run and those files are unchanged, it
says "up to date" and publishes nothing, without loading the corpus or checking
each notebook (``force=True``, ``--force``: run anyway).  Within a run each input
file is hashed once; across runs, a file whose size, modification and change times
and inode match ``<build>/notebooks/.input-hashes.json`` keeps its recorded sha256
(one written within 2 s of the hashing is read again), so a run on an unchanged
corpus of 10,000 articles stats its files instead of reading them.
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import logging
import os
import queue
import re
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

__all__ = [
    "Parameter",
    "Notebook",
    "NotebookFailed",
    "discover_notebooks",
    "read_parameters",
    "cast_parameter",
    "select_notebooks",
    "execution_order",
    "resolve_parameters",
    "input_digest",
    "check_kernel",
    "check_parameters",
    "plan_outputs",
    "corpus_folder_name",
    "OutputPlan",
    "RunLock",
    "RunLocked",
    "RunInterrupted",
    "recover",
    "publish",
    "run_notebooks",
    "run_fingerprint",
    "execute_in_place",
]

# Bump when the runner changes what it writes, so old stamps no longer match.
RUNNER_VERSION = "1"
# Parameters naming folders a notebook writes into: staged, then published.
OUTPUT_PARAMETERS = ("figures_dir", "processed_dir")
# Package versions that change the bytes of figures and tables.
VERSIONED_PACKAGES = ("matplotlib", "pandas", "numpy", "plotly", "pillow", "nbconvert")
# The lock and the manifest live in the output root; the journal in the run's staging folder.
LOCK_NAME = ".troopwatch.lock"
MANIFEST_NAME = ".troopwatch-manifest.json"
JOURNAL_NAME = "publish-journal.json"
EXIT_FAILED = 1
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later
_NOTEBOOK_NAME = re.compile(r"^(\d+)_[\w-]+\.ipynb$")


class NotebookFailed(RuntimeError):
    """A notebook raised; the message names the notebook, the cell and the error."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type_name: str  # from the annotation, else the default's type ('str', 'int', 'list', ...)
    default: Any


@dataclass
class Notebook:
    path: Path
    parameters: dict[str, Parameter]
    needs: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def number(self) -> int:
        return int(self.path.name.split("_", 1)[0])


# ---------------------------------------------------------------- reading notebooks

def _cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def read_parameters(notebook: dict, path: str = "notebook") -> dict[str, Parameter]:
    """The parameters declared in the cell tagged ``parameters`` (empty when there is none)."""
    cells = [c for c in notebook.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not cells:
        return {}
    source = _cell_source(cells[0])
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"{path}: the parameters cell is not valid Python (line {exc.lineno}: {exc.msg})") from None
    found: dict[str, Parameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value, annotation = node.target.id, node.value, ast.unparse(node.annotation)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value, annotation = node.targets[0].id, node.value, None
        else:
            continue
        try:
            default = ast.literal_eval(value)
        except ValueError:
            raise ValueError(f"{path}: parameter {name} must have a literal default (a string, number, "
                             f"list, True/False or None), not {ast.unparse(value)}") from None
        found[name] = Parameter(name, annotation or type(default).__name__, default)
    return found


def discover_notebooks(notebooks_dir: str | os.PathLike = "notebooks") -> list[Notebook]:
    """The ``NN_name.ipynb`` notebooks of a folder, in number order."""
    folder = Path(notebooks_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no notebooks folder; run troopwatch from the project root")
    notebooks = []
    for path in sorted(folder.glob("*.ipynb"), key=lambda p: p.name):
        if not _NOTEBOOK_NAME.match(path.name):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not a readable notebook ({exc}); restore it from git") from None
        needs = data.get("metadata", {}).get("troopwatch", {}).get("needs", [])
        notebooks.append(Notebook(path, read_parameters(data, str(path)), list(needs)))
    if not notebooks:
        raise FileNotFoundError(f"{folder}: no notebooks named like 01_name.ipynb")
    return notebooks


def select_notebooks(notebooks: Sequence[Notebook], only: Sequence[str] | None) -> list[Notebook]:
    """The notebooks named by ``only`` (number '2' or '02', name with or without number or .ipynb)."""
    if not only:
        return list(notebooks)
    chosen: list[Notebook] = []
    for wanted in only:
        key = Path(str(wanted)).name.removesuffix(".ipynb").strip()
        matches = [
            nb for nb in notebooks
            if key in (nb.name, nb.name.split("_", 1)[1])
            or (key.isdigit() and int(key) == nb.number)
        ]
        if not matches:
            names = ", ".join(nb.name for nb in notebooks)
            raise ValueError(f"--only {wanted}: no such notebook; the notebooks are {names}")
        chosen.extend(m for m in matches if m not in chosen)
    return sorted(chosen, key=lambda nb: nb.path.name)


def execution_order(notebooks: Sequence[Notebook]) -> list[Notebook]:
    """Number order, moved only as far as needed for every notebook to follow the ones it needs."""
    by_name = {nb.name: nb for nb in notebooks}
    ordered: list[Notebook] = []
    state: dict[str, str] = {}

    def visit(nb: Notebook, chain: list[str]) -> None:
        if state.get(nb.name) == "done":
            return
        if state.get(nb.name) == "visiting":
            raise ValueError(f"{nb.path}: notebooks need each other in a cycle: {' -> '.join(chain + [nb.name])}")
        state[nb.name] = "visiting"
        for need in nb.needs:
            if need in by_name:  # a needed notebook that is not selected ran before (or is not wanted)
                visit(by_name[need], chain + [nb.name])
        state[nb.name] = "done"
        ordered.append(nb)

    for nb in sorted(notebooks, key=lambda n: n.path.name):
        visit(nb, [])
    return ordered


# ---------------------------------------------------------------- parameters

_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


def cast_parameter(raw: str, parameter: Parameter) -> Any:
    """A ``-p NAME VALUE`` string as the parameter's declared type."""
    kind = parameter.type_name.replace(" ", "")
    optional = "None" in kind.split("|") or kind.startswith("Optional[") or kind == "NoneType"
    if optional and raw.strip().lower() in {"", "none", "null"}:
        return None
    base = re.sub(r"\|?None\|?", "", kind).removeprefix("Optional[").rstrip("]") if optional else kind
    base = base.split("[", 1)[0].lower() or "str"
    try:
        if base == "bool":
            if raw.strip().lower() in _TRUE:
                return True
            if raw.strip().lower() in _FALSE:
                return False
            raise ValueError("write true or false")
        if base == "int":
            return int(raw)
        if base == "float":
            return float(raw)
        if base in {"list", "tuple"}:
            text = raw.strip()
            if text.startswith("["):
                value = json.loads(text)
                if not isinstance(value, list):
                    raise ValueError("write a JSON list or comma-separated values")
                return value
            return [item.strip() for item in text.split(",") if item.strip()]
    except (ValueError, json.JSONDecodeError) as exc:
        raise ValueError(f"-p {parameter.name} {raw!r}: not a valid {parameter.type_name} ({exc})") from None
    return raw


def resolve_parameters(notebooks: Sequence[Notebook], given: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Per notebook, its parameters: defaults, overridden by the ``-p`` values it declares (cast)."""
    declared = {name: p for nb in notebooks for name, p in nb.parameters.items()}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ValueError(f"-p {unknown[0]}: no selected notebook has this parameter; "
                         f"the parameters are {', '.join(sorted(declared))}")
    resolved = {}
    for nb in notebooks:
        values = {name: p.default for name, p in nb.parameters.items()}
        for name, raw in given.items():
            if name in nb.parameters:
                values[name] = cast_parameter(raw, nb.parameters[name])
        resolved[nb.name] = values
    return resolved


# ---------------------------------------------------------------- change detection

# While a run decides what to do, each input file or folder is hashed once, however many
# notebooks name it (the corpus, the library, the lexicons): path -> [(name, sha256 digest)].
_TREE_MEMO: dict[str, list[tuple[str, bytes]]] | None = None
# The sha256 of each input file as last read, with the file's size, modification and change times and
# inode (``<build>/notebooks/.input-hashes.json``): a file whose four are unchanged is not read again.
# A file changed less than STAT_TRUST_NS before its hash was taken is always read again (its times could
# still be those of a later change within the file system's clock resolution).
HASHES_NAME = ".input-hashes.json"
STAT_TRUST_NS = 2_000_000_000
_KNOWN: dict | None = None


@contextlib.contextmanager
def _hash_once(known_file: Path | None = None) -> "Iterator[dict]":
    """Within this block, a file or folder's bytes are read and hashed once (they do not change during a run);
    with ``known_file``, files unchanged since the hashes it holds were taken are not read at all, and the
    hashes taken are saved there at the end unless the block sets ``save`` to False in the dict it gets."""
    global _TREE_MEMO, _KNOWN
    outer, outer_known = _TREE_MEMO, _KNOWN
    if outer is None:
        _TREE_MEMO = {}
    if known_file is not None and _KNOWN is None:
        try:
            data = json.loads(known_file.read_text(encoding="utf-8"))
            files = data["files"] if isinstance(data.get("files"), dict) else {}
            taken = int(data.get("taken", 0))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            files, taken = {}, 0
        _KNOWN = {"files": files, "taken": taken, "now": time.time_ns(), "changed": False, "seen": set()}
    outcome = {"save": True}
    try:
        yield outcome
        known = _KNOWN
        if known_file is not None and outer_known is None and known is not None and outcome["save"] and \
                (known["changed"] or known["seen"] != set(known["files"])):
            kept = {p: e for p, e in known["files"].items() if p in known["seen"]}  # files of this run only
            with contextlib.suppress(OSError):
                _write_json(known_file, {"taken": known["now"], "files": kept})
    finally:
        _TREE_MEMO, _KNOWN = outer, outer_known


def _file_digest(path: str) -> bytes:
    """sha256 of a file's bytes, from the known hashes when its size, times and inode are unchanged."""
    known = _KNOWN
    if known is None:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).digest()
    st = os.stat(path)
    known["seen"].add(path)
    signature = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    entry = known["files"].get(path)
    if entry is not None and entry[:4] == signature and st.st_ctime_ns < known["taken"] - STAT_TRUST_NS:
        return bytes.fromhex(entry[4])
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).digest()
    if entry is None or entry[:4] != signature or entry[4] != digest.hex():
        known["files"][path] = signature + [digest.hex()]
        known["changed"] = True
    elif st.st_ctime_ns >= known["taken"] - STAT_TRUST_NS:
        known["changed"] = True  # read again now, trusted next time
    return digest


def _tree_hashes(path: Path) -> list[tuple[str, bytes]] | None:
    """(name, sha256) of a file, or of every file under a folder (not under __pycache__, none starting with
    '.'), in path order; None when missing."""
    if path.is_file():
        return [(path.name, _file_digest(os.path.abspath(path)))]
    if not path.is_dir():
        return None
    root = os.path.abspath(path)
    if "__pycache__" in Path(root).parts:
        return []
    found: list[tuple[tuple[str, ...], str]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__" and not os.path.islink(os.path.join(folder, d))]
        rel = os.path.relpath(folder, root)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        for name in files:
            full = os.path.join(folder, name)
            if not name.startswith(".") and os.path.isfile(full):
                found.append((parts + (name,), full))
    found.sort()
    return [("/".join(parts), _file_digest(full)) for parts, full in found]


def _hash_tree(digest, path: Path, label: str) -> None:
    """Add the names and bytes of a file, or of every file under a folder, to ``digest``."""
    memo = _TREE_MEMO
    key = os.path.abspath(path)
    if memo is not None and key in memo:
        entries = memo[key]
    else:
        entries = _tree_hashes(path)
        if memo is not None:
            memo[key] = entries
    if entries is None:
        digest.update(f"{label}: missing\n".encode())
        return
    for rel, file_digest in entries:
        digest.update(f"{label}/{rel}\n".encode())
        digest.update(file_digest)


def _package_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in VERSIONED_PACKAGES:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=absent")
    return ";".join(found) + f";python={sys.version_info[:3]}"


def input_digest(nb: Notebook, values: dict[str, Any], read_from: dict[str, str] | None = None) -> str:
    """A hash of everything a notebook's outputs depend on.

    ``read_from`` names, per parameter, where its file's bytes are read instead: the staged
    copy a needed notebook wrote in the same run, which becomes the published file.
    """
    from . import lexicons

    digest = hashlib.sha256(f"troopwatch-runner {RUNNER_VERSION}\n".encode())
    digest.update(nb.path.read_bytes())
    _hash_tree(digest, Path(__file__).resolve().parent, "library")
    _hash_tree(digest, lexicons.lexicon_dir(), "lexicons")
    digest.update(_package_versions().encode())
    digest.update(json.dumps(values, sort_keys=True, default=str).encode())
    for name, value in sorted(values.items()):
        # Input folders and files named by parameters (the corpus): their bytes count.
        if name not in OUTPUT_PARAMETERS and isinstance(value, str) and value:
            source = Path((read_from or {}).get(name, value))
            if source.exists():
                _hash_tree(digest, source, f"parameter {name}")
    return digest.hexdigest()


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _up_to_date(stamp_path: Path, digest: str, executed: Path) -> bool:
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if stamp.get("inputs") != digest or not executed.is_file():
        return False
    return all(_file_hash(Path(p)) == h for p, h in stamp.get("outputs", {}).items())


# ---------------------------------------------------------------- the run's fingerprint

FINGERPRINT_NAME = ".run-fingerprint.json"


def run_fingerprint(notebooks: Sequence[Notebook], values: dict[str, dict[str, Any]]) -> str:
    """A hash of everything a whole run depends on: the notebooks selected and their parameters,
    the library source, the lexicons, the plotting package versions and the bytes of every input
    file or folder a parameter names (the corpus), each read once however many notebooks name it.
    """
    from . import lexicons

    digest = hashlib.sha256(f"troopwatch-run {RUNNER_VERSION}\n".encode())
    inputs: set[str] = set()
    for nb in notebooks:
        digest.update(f"notebook {nb.name}\n".encode())
        digest.update(hashlib.sha256(nb.path.read_bytes()).digest())
        digest.update(json.dumps(values[nb.name], sort_keys=True, default=str).encode())
        for name, value in values[nb.name].items():
            if name not in OUTPUT_PARAMETERS and isinstance(value, str) and value:
                inputs.add(os.path.abspath(value))
    _hash_tree(digest, Path(__file__).resolve().parent, "library")
    _hash_tree(digest, lexicons.lexicon_dir(), "lexicons")
    digest.update(_package_versions().encode())
    for value in sorted(inputs):
        if os.path.exists(value):
            _hash_tree(digest, Path(value), f"input {value}")
    return digest.hexdigest()


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _run_files(plan: "OutputPlan", layout: "_Layout", notebooks: Sequence[Notebook], manifest: dict) -> list[Path]:
    """The files a successful run leaves: the outputs the manifest names, the executed copies and the stamps."""
    root = plan.root
    files = [Path(key) if os.path.isabs(key) else root / key for key in manifest.get("files", {})]
    for nb in notebooks:
        files += [layout.executed(nb), layout.stamp(nb)]
    return files


def _record_fingerprint(plan: "OutputPlan", layout: "_Layout", notebooks: Sequence[Notebook],
                        fingerprint: str) -> None:
    """Note that the outputs as they are now are those of ``fingerprint`` (after a successful run)."""
    manifest = _read_manifest(plan.manifest)
    if not manifest.get("latest_run"):
        return
    files = {p.as_posix(): _stat(p) for p in _run_files(plan, layout, notebooks, manifest)}
    if any(v is None for v in files.values()):
        return
    _write_json(layout.notebooks / FINGERPRINT_NAME,
                {"fingerprint": fingerprint, "run": manifest["latest_run"], "files": files})


def _fingerprint_matches(plan: "OutputPlan", layout: "_Layout", notebooks: Sequence[Notebook],
                         fingerprint: str) -> str | None:
    """The run whose outputs are those of ``fingerprint``, still there unchanged; None otherwise.

    A file whose size or modification time changed is hashed and compared with the manifest's
    sha256, so only a real change of content counts.
    """
    try:
        noted = json.loads((layout.notebooks / FINGERPRINT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(noted, dict) or noted.get("fingerprint") != fingerprint:
        return None
    manifest = _read_manifest(plan.manifest)
    run = manifest.get("latest_run")
    if not run or noted.get("run") != run:
        return None
    hashes = {}
    for key, entry in manifest.get("files", {}).items():
        path = Path(key) if os.path.isabs(key) else plan.root / key
        hashes[path.as_posix()] = entry.get("sha256") if isinstance(entry, dict) else None
    expected = noted.get("files", {})
    for path in _run_files(plan, layout, notebooks, manifest):
        key = path.as_posix()
        if key not in expected:
            return None
        now = _stat(path)
        if now is None:
            return None
        if now != expected[key] and (hashes.get(key) is None or _file_hash(path) != hashes[key]):
            return None
    return run


# ---------------------------------------------------------------- kernel

def check_kernel(kernel_name: str = "python3") -> None:
    """Refuse to run when the notebooks' kernel would start another Python than this one.

    jupyter_client starts ``sys.executable`` for a kernel spec whose command is a bare
    ``python``; a spec naming another interpreter (a system or user-wide kernel that
    shadows the project's) would run the notebooks without the project's packages.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        raise RuntimeError(f"no Jupyter kernel named {kernel_name!r}; install one for this environment with "
                           f"{sys.executable} -m ipykernel install --prefix {sys.prefix} --name {kernel_name}") from None
    command = spec.argv[0] if spec.argv else ""
    bare = {"python", f"python{sys.version_info[0]}", "python%d.%d" % sys.version_info[:2]}
    if command in bare or Path(command).absolute() == Path(sys.executable).absolute():
        return
    raise RuntimeError(f"the Jupyter kernel {kernel_name!r} ({spec.resource_dir}) runs {command}, not this "
                       f"environment's {sys.executable}; install the project's kernel with {sys.executable} -m "
                       f"ipykernel install --prefix {sys.prefix} --name {kernel_name}")


# ---------------------------------------------------------------- parameters checked before a run

def _iso_parameter(name: str, value: Any) -> str | None:
    from .report import as_date

    return as_date(value, name, where=f"-p {name}")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def corpus_folder_name(corpus_dir: str | os.PathLike) -> str:
    """The folder name a corpus's outputs go under: ``build/corpora/<name>/``."""
    name = Path(os.path.abspath(str(corpus_dir))).name
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "corpus"


def _load_corpus_once(corpus_dir: str) -> tuple[Any, list[tuple[str, str]]]:
    """The corpus's articles (metadata only) and the files the loader skipped, with its reasons."""
    import warnings

    from .corpus import CorpusError, load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the skipped files are in attrs["skipped"]; the summary lists them
        try:
            articles = load_corpus(corpus_dir)
        except CorpusError as exc:  # an empty corpus, a bad sidecar: refused like any bad parameter
            raise ValueError(f"-p corpus_dir {exc}") from None
    skipped = [(str(s["path"]), str(s["reason"])) for s in articles.attrs.get("skipped", [])]
    return articles, skipped


def check_parameters(values: dict[str, dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """Refuse, before any notebook starts, parameters the notebooks would fail on or should not get.

    Checks the parameters every troopwatch notebook shares: ``start``/``end`` (ISO dates,
    in order), ``formats`` (from ``plots.FORMATS``), ``outlets`` (present in the corpus),
    ``corpus_dir`` (exists, holds at least one readable article) and the output folders
    (not a file, not inside the corpus, creatable).  Raises ``ValueError`` with one line.
    Returns, per corpus folder, the files its loader skipped and why.
    """
    from .plots import FORMATS, UNKNOWN_OUTLET, outlet_label, period_bounds

    corpora: dict[str, Any] = {}
    skipped: dict[str, list[tuple[str, str]]] = {}
    for nb_values in values.values():
        start = _iso_parameter("start", nb_values.get("start"))
        end = _iso_parameter("end", nb_values.get("end"))
        if start and end and period_bounds(start)[0] > period_bounds(end)[1]:
            raise ValueError(f"-p start {start} is after -p end {end}: nothing could be shown")
        if "formats" in nb_values:
            formats = nb_values["formats"]
            items = formats.split(",") if isinstance(formats, str) else formats
            if not isinstance(items, (list, tuple)) or not all(isinstance(f, str) for f in items):
                raise ValueError(f"-p formats {formats!r}: give a comma-separated list, e.g. png,svg")
            unknown = [f.strip() for f in items if f.strip() and f.strip().lower() not in FORMATS]
            if unknown:
                raise ValueError(f"-p formats: unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
        corpus = nb_values.get("corpus_dir")
        corpus_path = None
        if corpus is not None:
            if not isinstance(corpus, str) or not corpus.strip():
                raise ValueError("-p corpus_dir: give a folder of .txt articles")
            corpus_path = Path(os.path.abspath(corpus))
            if not corpus_path.exists():
                raise ValueError(f"-p corpus_dir {corpus}: no such folder")
            if corpus not in corpora:
                articles, skipped[corpus] = _load_corpus_once(corpus)
                if articles.empty:
                    why = "; ".join(f"{p}: {r}" for p, r in skipped[corpus][:3])
                    raise ValueError(f"-p corpus_dir {corpus}: no article could be loaded"
                                     + (f" ({why})" if why else " (no .txt files)"))
                corpora[corpus] = articles
        for name in OUTPUT_PARAMETERS:
            if name not in nb_values:
                continue
            folder = nb_values[name]
            if not isinstance(folder, str) or not folder.strip():
                raise ValueError(f"-p {name}: give a folder to write into")
            path = Path(os.path.abspath(folder))
            if path.exists() and not path.is_dir():
                raise ValueError(f"-p {name} {folder}: a file, not a folder")
            if corpus_path is not None and (_inside(path, corpus_path) or _inside(corpus_path, path)):
                raise ValueError(f"-p {name} {folder}: overlaps the corpus folder {corpus}; outputs never go "
                                 "into the articles' folder")
            existing = next(p for p in (path, *path.parents) if p.exists())
            if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
                raise ValueError(f"-p {name} {folder}: cannot create or write it ({existing} is not writable)")
        outlets = nb_values.get("outlets")
        if outlets is not None:
            items = outlets.split(",") if isinstance(outlets, str) else outlets
            if not isinstance(items, (list, tuple)) or not all(isinstance(o, str) for o in items):
                raise ValueError(f"-p outlets {outlets!r}: give a comma-separated list of outlet names")
            wanted = [o.strip() for o in items if o.strip()]
            if wanted and corpus in corpora:
                labels = {outlet_label(o) for o in corpora[corpus]["outlet"]}
                missing = [w for w in wanted
                           if (UNKNOWN_OUTLET if w.lower() in {"unknown", UNKNOWN_OUTLET} else w) not in labels]
                if len(missing) == len(wanted):
                    raise ValueError(f"-p outlets: no article in {corpus} is from {', '.join(wanted)}; "
                                     f"the outlets are: {', '.join(sorted(labels))}")
    return skipped


# ---------------------------------------------------------------- where a run writes

@dataclass
class OutputPlan:
    """The folders a run writes, the lock and manifest that guard them, and its build state folder."""

    folders: list[Path]  # real output folders, as given (relative to the working folder or absolute)
    root: Path  # the folder holding the lock file and the manifest
    state: Path  # executed notebooks, HTML renderings, stamps, staging (runs/)
    corpus_name: str | None = None

    @property
    def lock_file(self) -> Path:
        return self.root / LOCK_NAME

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST_NAME


def _same_path(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and os.path.abspath(a) == os.path.abspath(b)


def plan_outputs(notebooks: Sequence[Notebook], values: dict[str, dict[str, Any]], given: Sequence[str],
                 build_dir: str | os.PathLike = "build") -> OutputPlan:
    """Decide where a run writes; updates ``values`` in place.

    A corpus other than a notebook's default writes to ``<build>/corpora/<corpus folder
    name>/figures`` and ``.../processed`` (output folders given with ``-p`` are kept), so a
    run on another corpus never replaces the committed tables and figures of the default
    one.  The lock and the manifest live in the output root: the folder that holds all the
    output folders (``build/corpora/<name>/`` for such a run, the project folder for the
    default one).
    """
    build = Path(build_dir)
    corpus_name = None
    derived: list[Path] = []
    for nb in notebooks:
        p = nb.parameters.get("corpus_dir")
        if p is None or "corpus_dir" not in given or _same_path(values[nb.name]["corpus_dir"], p.default):
            continue
        corpus_name = corpus_folder_name(values[nb.name]["corpus_dir"])
        for name, sub in (("figures_dir", "figures"), ("processed_dir", "processed")):
            if name in nb.parameters and name not in given:
                folder = build / "corpora" / corpus_name / sub
                values[nb.name][name] = folder.as_posix()
                derived.append(folder)
    folders: list[Path] = []
    for nb in notebooks:
        for name in OUTPUT_PARAMETERS:
            value = values[nb.name].get(name)
            if isinstance(value, str) and value and Path(value) not in folders:
                folders.append(Path(value))
    if corpus_name and folders and all(f in derived for f in folders):
        state = build / "corpora" / corpus_name
        return OutputPlan(folders, state, state, corpus_name)
    if not folders:
        return OutputPlan(folders, build, build, corpus_name)
    root = Path(os.path.commonpath([os.path.abspath(f) for f in folders]))
    if root == Path(root.anchor):  # output folders with nothing in common but '/': guard them from build/
        root = build
    else:
        cwd = Path.cwd()
        root = root.relative_to(cwd) if _inside(root, cwd) else root
    return OutputPlan(folders, root, build, corpus_name)


# ---------------------------------------------------------------- the lock

class RunLocked(RuntimeError):
    """Another run holds the lock on the output folders."""


class RunLock:
    """An exclusive ``fcntl.flock`` on ``<output root>/.troopwatch.lock``, naming its holder.

    The kernel drops a flock when its holder exits, however it exits (even on SIGKILL), so
    a stale lock file never blocks a later run; the file itself is left in place.
    """

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def holder(self) -> str:
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            info = {}
        if not info.get("pid"):
            return "a run that is just starting (pid not yet written)"
        return f"pid {info['pid']}, started {info.get('started', '?')}"

    def acquire(self, wait: bool = False) -> None:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    raise RunLocked(f"another troopwatch run ({self.holder()}) is writing these outputs "
                                    f"(lock {self.path.as_posix()}); wait for it to finish, or use --wait") from None
                print(f"troopwatch: waiting for the run that holds {self.path.as_posix()} ({self.holder()})",
                      file=sys.stderr)
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)
            info = {"pid": os.getpid(), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None


# ---------------------------------------------------------------- signals

class RunInterrupted(BaseException):
    """SIGINT or SIGTERM arrived; a BaseException so no ``except Exception`` on the way swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class _Signals:
    """SIGINT and SIGTERM raise :class:`RunInterrupted` once; later ones (during clean-up) are noted only."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.quiet = False
        self._old: dict[int, Any] = {}

    def __enter__(self) -> "_Signals":
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.getsignal(sig)
                signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        if self.received is None:
            self.received = signum
        if not self.quiet:
            self.quiet = True
            raise RunInterrupted(signum)

    def __exit__(self, *exc) -> None:
        for sig, handler in self._old.items():
            signal.signal(sig, handler)


def _exit_code(signum: int) -> int:
    return 128 + int(signum)


# ---------------------------------------------------------------- kernels

_KERNELS: list = []
_KERNELS_LOCK = threading.Lock()
_CANCELLED = threading.Event()  # set when the run stops its notebooks: they then keep nothing


class _QuietWhenCancelled(logging.Filter):
    """Drop papermill's and nbclient's log records ('Kernel died ...') once the run stops its kernels."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _CANCELLED.is_set()


_QUIET = _QuietWhenCancelled()
for _name in ("papermill", "nbclient", "traitlets", "jupyter_client"):
    if _QUIET not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_QUIET)


def _tracked_kernel_manager():
    """A kernel manager class that registers itself, so an interrupted run can stop its kernels."""
    from jupyter_client.manager import AsyncKernelManager

    class TrackedKernelManager(AsyncKernelManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            with _KERNELS_LOCK:
                _KERNELS.append(self)

    return TrackedKernelManager


def _kernel_processes() -> list:
    with _KERNELS_LOCK:
        managers = list(_KERNELS)
    found = []
    for km in managers:
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            found.append(process)
    return found


def _stop_kernels(threads: Sequence[threading.Thread], grace: float = 2.0, limit: float = 20.0) -> None:
    """Terminate every kernel this run started (SIGTERM, then SIGKILL) until the notebook threads end.

    Kernels run in their own session (jupyter_client starts them so), so a terminal's Ctrl-C
    does not reach them: the runner stops them itself.
    """
    deadline = time.monotonic() + limit
    asked: dict[int, float] = {}
    while time.monotonic() < deadline:
        for process in _kernel_processes():
            first = asked.setdefault(process.pid, time.monotonic())
            sig = signal.SIGTERM if time.monotonic() - first < grace else signal.SIGKILL
            try:
                os.killpg(process.pid, sig)
            except (ProcessLookupError, PermissionError):
                try:
                    process.send_signal(sig)
                except OSError:
                    pass
        if not any(t.is_alive() for t in threads) and not _kernel_processes():
            return
        time.sleep(0.1)


# ---------------------------------------------------------------- execution

@dataclass
class _Job:
    nb: Notebook
    values: dict[str, Any]
    digest: str


class _Layout:
    """The build state of one output root: executed notebooks, HTML renderings, stamps, staging."""

    def __init__(self, state_dir: Path):
        self.build = state_dir
        self.notebooks = state_dir / "notebooks"
        self.html = state_dir / "html"
        self.runs = state_dir / "runs"
        self.failed = state_dir / "failed"

    def executed(self, nb: Notebook) -> Path:
        return self.notebooks / nb.path.name

    def stamp(self, nb: Notebook) -> Path:
        return self.notebooks / f".{nb.name}.stamp.json"

    def rendered(self, nb: Notebook) -> Path:
        return self.html / f"{nb.name}.html"


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _failing_cell(nb: Notebook, error) -> str:
    source = (getattr(error, "source", "") or "").strip()
    cells = json.loads(nb.path.read_text(encoding="utf-8")).get("cells", [])
    for number, cell in enumerate(cells, start=1):
        if cell.get("cell_type") == "code" and source and _cell_source(cell).strip() == source:
            first = source.splitlines()[0]
            return f"cell {number} of {len(cells)} (it starts: {first[:70]})"
    count = getattr(error, "exec_count", None)
    return f"the cell run as In [{count}]" if count else "a cell"


def _render_html(executed: Path, target: Path) -> None:
    import nbconvert
    import nbformat

    from . import io as tw_io

    body, _ = nbconvert.HTMLExporter(template_name="lab").from_notebook_node(
        nbformat.reads(executed.read_text(encoding="utf-8"), as_version=4)
    )
    tw_io.write_text(target, body)


@dataclass
class _Staged:
    """Where one notebook of a run wrote: its staging folder and staged -> real folder pairs."""

    stage: Path
    folders: dict[str, str] = field(default_factory=dict)  # staged folder -> real folder (posix)
    executed: Path | None = None
    rendered: Path | None = None


def _staged_input(value: str, upstream: Sequence[_Staged]) -> str | None:
    """The staged copy of a file a needed notebook wrote in this run, when ``value`` names one."""
    path = os.path.abspath(value)
    for staged in reversed(upstream):
        for staged_folder, real in staged.folders.items():
            real_abs = os.path.abspath(real)
            if path == real_abs or path.startswith(real_abs + os.sep):
                candidate = Path(staged_folder) / os.path.relpath(path, real_abs)
                if candidate.exists():
                    return candidate.as_posix()
    return None


def _staged_inputs(values: dict[str, Any], upstream: Sequence[_Staged]) -> dict[str, str]:
    """Parameters naming files that needed notebooks wrote in this run -> their staged copies."""
    found = {}
    for name, value in values.items():
        if name not in OUTPUT_PARAMETERS and isinstance(value, str) and value:
            copy = _staged_input(value, upstream)
            if copy is not None:
                found[name] = copy
    return found


def _pin_papermill_cwd() -> None:
    """Set papermill's local file handler to this run's working folder before any notebook starts.

    Each ``papermill.execute_notebook`` saves that process-wide setting, sets it to its ``cwd`` and puts
    the saved value back when it ends, and the handler changes the working folder around each read and
    write.  With two notebooks at once, the one that ends first restores the value from before the run,
    which may be another folder (an earlier run of this process elsewhere): the other notebook's staged
    paths would then be read and written there.  With the value set to this run's folder first, every
    value saved and restored is the same.
    """
    try:
        from papermill.iorw import papermill_io

        papermill_io.get_handler("local").cwd(os.getcwd())
    except Exception:  # pragma: no cover - a papermill without a settable local handler
        pass


def _execute(job: _Job, layout: _Layout, run_dir: Path, inputs: dict[str, str]) -> _Staged:
    """Run one notebook with its output folders staged under ``run_dir``; nothing is published here."""
    import papermill

    from . import io as tw_io

    nb = job.nb
    if _CANCELLED.is_set():  # the run was stopped while papermill was being imported: start no kernel
        raise NotebookFailed(f"{nb.path.as_posix()}: not started (the run was stopped)")
    staged = _Staged(run_dir / nb.name)
    staged.stage.mkdir(parents=True)
    staged_values = dict(job.values)
    renames: dict[str, str] = {}
    for name in OUTPUT_PARAMETERS:
        if name in staged_values and staged_values[name]:
            folder = (staged.stage / "out" / name).as_posix()
            staged.folders[folder] = Path(str(job.values[name])).as_posix()
            renames[folder] = staged.folders[folder]
            staged_values[name] = folder
    for name, copy in inputs.items():  # read what a needed notebook wrote in this run
        staged_values[name] = copy
        renames[copy] = str(job.values[name])
    raw = staged.stage / f"papermill-{nb.path.name}"
    failure = None
    try:
        papermill.execute_notebook(
            str(nb.path), str(raw), parameters=staged_values, progress_bar=False, log_output=False,
            request_save_on_cell_execute=False, cwd=os.getcwd(), start_timeout=120,
            # the kernel's start-up chatter (a TCP notice) is not news on a local run
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            kernel_manager_class=_tracked_kernel_manager(),
        )
    except papermill.PapermillExecutionError as exc:
        failure = f"{nb.path.as_posix()}: {_failing_cell(nb, exc)} failed with {exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, could not start, bad notebook...
        failure = f"{nb.path.as_posix()}: could not run ({type(exc).__name__}: {exc})"
    executed = staged.stage / "notebooks" / nb.path.name
    if raw.is_file():
        # The executed copy names the real folders, not the staging ones.
        text = raw.read_text(encoding="utf-8").replace(raw.as_posix(), layout.executed(nb).as_posix())
        for staged_path, real in sorted(renames.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(staged_path, real)
        tw_io.write_text(executed, text)
        raw.unlink()
        staged.executed = executed
    if failure is not None:
        where = ""
        if staged.executed is not None and not _CANCELLED.is_set():
            kept = layout.failed / nb.path.name
            tw_io.write_bytes(kept, executed.read_bytes())
            where = f"; the executed copy with the traceback is {kept.as_posix()}"
        raise NotebookFailed(_one_line(failure) + where)
    try:
        staged.rendered = staged.stage / "html" / f"{nb.name}.html"
        _render_html(executed, staged.rendered)
    except Exception as exc:  # a rendering problem must not hide the notebook's own result
        staged.rendered = None
        print(f"troopwatch: warning: {nb.name}: no HTML rendering ({_one_line(exc)})", file=sys.stderr)
    return staged


# ---------------------------------------------------------------- one extraction for the whole run

# Run by the helper process: extract the corpus once into the run's folder, the lock handed over as fd argv[4].
_SHARED_TABLES_CODE = ("import sys\n"
                       "from troopwatch.report import write_snapshot\n"
                       "write_snapshot(sys.argv[1], sys.argv[2], sys.argv[3], lock_fd=int(sys.argv[4]))\n")


class _SharedTables:
    """The corpus extracted once for every notebook of a run that reads it (``report.write_snapshot``).

    A helper process extracts it (the articles the cache lacks on every core) while the kernels start,
    and leaves the tables in the run's staging folder, named to the kernels by ``report.SNAPSHOT_ENV``;
    each notebook then reads only the tables it asks for instead of reading the corpus and the cache
    again.  The runner takes the cache's extraction lock before starting the helper and hands it over,
    so a kernel never extracts while the helper does: it waits for the tables.  A helper that fails
    leaves no tables, and each notebook extracts as it would alone.
    """

    def __init__(self, process, folder: Path, log: Path, previous: str | None):
        self.process, self.folder, self.log, self.previous = process, folder, log, previous

    @classmethod
    def start(cls, jobs: Sequence["_Job"], run_dir: Path) -> "_SharedTables | None":
        import subprocess

        from . import report

        corpora = {job.values.get("corpus_dir") for job in jobs if "corpus_dir" in job.values}
        corpus = corpora.pop() if len(corpora) == 1 else None
        if not isinstance(corpus, str) or not corpus or sum("corpus_dir" in job.values for job in jobs) < 2:
            return None  # one notebook reads it (or several read different corpora): nothing to share
        project = report.project(corpus)
        cache = project.root / "build" / "cache"  # where the notebooks' report.project(...).load reads
        folder, log = run_dir / "tables", run_dir / "tables.log"
        package_parent = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [package_parent] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        fd = report.lock_extraction(cache)
        try:
            with open(log, "wb") as err:
                process = subprocess.Popen(
                    [sys.executable, "-c", _SHARED_TABLES_CODE, str(project.path(corpus)), str(folder), str(cache),
                     str(fd)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env,
                    pass_fds=(fd,), start_new_session=True)  # stopped by the runner, not by a terminal's Ctrl-C
        finally:
            os.close(fd)  # the helper holds the lock now (or, if it did not start, nobody does)
        previous = os.environ.get(report.SNAPSHOT_ENV)
        os.environ[report.SNAPSHOT_ENV] = str(folder)  # the kernels started from now on inherit it
        return cls(process, folder, log, previous)

    def close(self) -> None:
        """Stop the helper if it still runs (a failed or interrupted run), report a failure, restore the env."""
        from . import report

        if self.previous is None:
            os.environ.pop(report.SNAPSHOT_ENV, None)
        else:
            os.environ[report.SNAPSHOT_ENV] = self.previous
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            return
        if self.process.returncode != 0 and not _CANCELLED.is_set():
            try:
                last = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:]
            except OSError:
                last = []
            print(f"troopwatch: warning: the corpus could not be extracted once for all the notebooks "
                  f"({_one_line(last[0]) if last else f'exit {self.process.returncode}'}); each extracted "
                  f"it itself", file=sys.stderr)


# ---------------------------------------------------------------- publishing

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_json(path: Path, data: Any) -> None:
    """Write JSON beside ``path``, fsync it, rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _incoming(target: Path, run_id: str) -> Path:
    return target.with_name(f".{target.name}.tw-{run_id}")


def _prepare(source: Path, target: Path, run_id: str) -> Path:
    """Put a complete, synced copy of ``source`` beside ``target`` (same folder: the rename is atomic)."""
    incoming = _incoming(target, run_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming.unlink(missing_ok=True)
    try:
        os.link(source, incoming)
    except OSError:  # another filesystem, or no hard links: copy
        shutil.copyfile(source, incoming)
    os.chmod(incoming, 0o644)
    with open(incoming, "rb") as f:
        os.fsync(f.fileno())
    return incoming


def _commit(journal_path: Path, journal: dict) -> None:
    """Rename every prepared file onto its target, in the journal's order; then drop the journal."""
    folders = set()
    for incoming, target in journal["entries"]:
        if os.path.lexists(incoming):
            os.replace(incoming, target)
        folders.add(os.path.dirname(target) or ".")
    for folder in sorted(folders):
        _fsync_dir(Path(folder))
    journal_path.unlink(missing_ok=True)


def _roll_back(journal: dict) -> None:
    for incoming, _target in journal["entries"]:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(incoming)


def _run_dir_prefix(plan: OutputPlan) -> str:
    return hashlib.sha256(str(plan.lock_file.resolve()).encode()).hexdigest()[:8]


def recover(plan: OutputPlan, layout: _Layout) -> list[str]:
    """Finish or undo what an earlier run of these outputs left (call with the lock held).

    A run killed while publishing left a journal in its staging folder: in state
    ``committing`` every new file was complete beside its target, so the renames are
    finished (rolled forward); in state ``preparing`` nothing had been renamed yet, so the
    prepared copies are deleted (rolled back).  Staging folders of runs that died before
    publishing are removed.  Returns what was done, one line each.
    """
    done = []
    if not layout.runs.is_dir():
        return done
    prefix = _run_dir_prefix(plan) + "-"
    for run_dir in sorted(layout.runs.iterdir()):
        if not run_dir.name.startswith(prefix):
            continue  # another output root's run: not ours to judge
        journal_path = run_dir / JOURNAL_NAME
        run_id = run_dir.name[len(prefix):]
        try:
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            journal = None
        except ValueError:  # a torn journal was never fsynced: the publish had not begun
            journal = None
        if journal and journal.get("state") == "committing":
            _commit(journal_path, journal)
            done.append(f"finished publishing run {run_id}, which was stopped while publishing "
                        f"({len(journal['entries'])} files)")
        elif journal:
            _roll_back(journal)
            done.append(f"undid the unfinished publish of run {run_id}; its outputs were not used")
        else:
            done.append(f"removed the staging of run {run_id}, which was stopped before publishing")
        shutil.rmtree(run_dir, ignore_errors=True)
    return done


def _read_manifest(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("files"), dict):
            return data
    except (OSError, ValueError):
        pass
    return {"format": 1, "files": {}, "runs": {}}


def publish(plan: OutputPlan, layout: _Layout, run_dir: Path, run_id: str, staged: Sequence[tuple[_Job, _Staged]],
            run_info: dict) -> tuple[int, int]:
    """Move a successful run's staged files into place together; return (files replaced, unchanged).

    Order: every output file (sorted by path), the executed notebooks, HTML renderings and
    stamps, and the manifest last.  Files whose bytes are unchanged are not replaced.
    """
    plan_files: dict[Path, tuple[Path, str]] = {}  # target -> (source, notebook)
    digests: dict[Path, str] = {}

    def digest_of(source: Path) -> str:  # each staged file is read once, however many entries name it
        if source not in digests:
            digests[source] = _sha256(source)
        return digests[source]

    stamps: list[tuple[Path, dict]] = []
    for job, st in staged:
        if st.executed is None or not st.executed.is_file():
            raise NotebookFailed(f"{job.nb.path.as_posix()}: its staged outputs are gone ({st.stage.as_posix()} "
                                 "was removed during the run); nothing was published")
    for job, st in staged:
        outputs: dict[str, str] = {}
        for staged_folder, real in st.folders.items():
            folder = Path(staged_folder)
            if not folder.is_dir():
                continue
            for f in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
                target = Path(real) / f.relative_to(folder)
                plan_files[target] = (f, job.nb.name)
                outputs[target.as_posix()] = digest_of(f)
        stamps.append((layout.stamp(job.nb), {"inputs": job.digest, "outputs": outputs, "run": run_id}))
    entries: list[tuple[Path, Path]] = sorted(((src, t) for t, (src, _nb) in plan_files.items()),
                                              key=lambda e: e[1].as_posix())
    for job, st in staged:
        if st.executed is not None:
            entries.append((st.executed, layout.executed(job.nb)))
        if st.rendered is not None:
            entries.append((st.rendered, layout.rendered(job.nb)))
    for stamp_path, content in stamps:
        source = run_dir / "stamps" / stamp_path.name
        _write_json(source, content)
        entries.append((source, stamp_path))

    manifest = _read_manifest(plan.manifest)
    root = plan.root.resolve()
    for target, (src, nb_name) in plan_files.items():
        try:
            key = target.resolve().relative_to(root).as_posix()
        except ValueError:
            key = target.resolve().as_posix()
        manifest["files"][key] = {"sha256": digest_of(src), "run": run_id, "notebook": nb_name}
    manifest["latest_run"] = run_id
    manifest["runs"] = {r: i for r, i in manifest.get("runs", {}).items()
                        if any(f.get("run") == r for f in manifest["files"].values())}
    manifest["runs"][run_id] = run_info
    manifest_source = run_dir / MANIFEST_NAME
    _write_json(manifest_source, manifest)
    entries.append((manifest_source, plan.manifest))

    journal_path = run_dir / JOURNAL_NAME
    changed = [(src, target) for src, target in entries
               if not (target.is_file() and target.stat().st_size == src.stat().st_size
                       and _sha256(target) == digest_of(src))]
    journal = {"run": run_id, "state": "preparing",
               "entries": [[_incoming(t, run_id).as_posix(), t.as_posix()] for _s, t in changed]}
    _write_json(journal_path, journal)
    try:
        for src, target in changed:
            _prepare(src, target, run_id)
    except BaseException:
        _roll_back(journal)
        journal_path.unlink(missing_ok=True)
        raise
    journal["state"] = "committing"
    _write_json(journal_path, journal)  # from here on, a crash is rolled forward by the next run
    _commit(journal_path, journal)
    return len(changed), len(entries) - len(changed)


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="notebooks", unit="nb", disable=not enabled, file=sys.stderr,
                bar_format="{desc}: {n}/{total} |{bar}| {elapsed}{postfix}")


def _new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{os.getpid()}-{os.urandom(3).hex()}"


def run_notebooks(
    parameters: dict[str, str] | None = None,
    only: Sequence[str] | None = None,
    jobs: int = 2,
    *,
    notebooks_dir: str | os.PathLike = "notebooks",
    build_dir: str | os.PathLike = "build",
    force: bool = False,
    progress: bool = True,
    wait: bool = False,
) -> int:
    """Execute the notebooks as one transaction; return the exit status.

    0: every notebook ran (or was up to date) and the outputs were published;
    1: a notebook failed, nothing was published; 75: another run holds the lock
    (without ``wait``); 130/143: stopped by SIGINT/SIGTERM, nothing was published.
    Failures and interruptions print one line to stderr.

    ``parameters`` are ``-p NAME VALUE`` strings, cast to each parameter's type.
    Raises ``ValueError`` for a bad parameter or notebook name, before anything runs
    and before any output changes (the CLI prints it).
    """
    if jobs < 1:
        raise ValueError(f"--jobs {jobs}: run at least one notebook at a time")
    given = dict(parameters or {})
    notebooks = execution_order(select_notebooks(discover_notebooks(notebooks_dir), only))
    values = resolve_parameters(notebooks, given)
    plan = plan_outputs(notebooks, values, list(given), build_dir)
    layout = _Layout(plan.state)
    with _hash_once(layout.notebooks / HASHES_NAME) as outcome:
        status = _run_notebooks(notebooks, values, plan, layout, jobs, force, progress, wait)
        outcome["save"] = status == 0  # a run that failed or was stopped leaves the build state as it was
        return status


def _run_notebooks(notebooks: Sequence[Notebook], values: dict[str, dict[str, Any]], plan: "OutputPlan",
                   layout: "_Layout", jobs: int, force: bool, progress: bool, wait: bool) -> int:
    fingerprint = run_fingerprint(notebooks, values)
    if not force and _fingerprint_matches(plan, layout, notebooks, fingerprint):
        done = _no_op(plan, layout, notebooks, fingerprint, wait)
        if done is not None:
            return done
    skipped = check_parameters(values)
    with _Signals() as signals:
        lock = RunLock(plan.lock_file)
        threads: list[threading.Thread] = []
        running: set[str] = set()
        mine: list[Path] = []  # this run's staging folder, once made
        try:
            try:
                lock.acquire(wait)
            except RunLocked as exc:
                print(f"troopwatch: error: {exc}", file=sys.stderr)
                return EXIT_LOCKED
            signals.quiet = True  # a repair in progress runs to its end
            for line in recover(plan, layout):
                print(f"troopwatch: {line}", file=sys.stderr)
            signals.quiet = False
            if signals.received is not None:
                raise RunInterrupted(signals.received)
            status = _run_locked(notebooks, values, plan, layout, skipped, jobs, force, progress, signals,
                                 threads, running, mine, fingerprint)
            if status == 0:
                _record_fingerprint(plan, layout, notebooks, fingerprint)
            return status
        except RunInterrupted as exc:
            signals.quiet = True
            _CANCELLED.set()
            _stop_kernels(threads)
            name = signal.Signals(exc.signum).name
            where = f" while running {', '.join(sorted(running))}" if running else ""
            print(f"troopwatch: interrupted by {name}{where}; nothing was published, the previous figures "
                  f"and tables are unchanged", file=sys.stderr)
            return _exit_code(exc.signum)
        finally:
            signals.quiet = True
            for run_dir in mine:  # only our own: without the lock, the staging of the run holding it is its
                if not (run_dir / JOURNAL_NAME).exists():  # a journal is kept for the next run to finish
                    shutil.rmtree(run_dir, ignore_errors=True)
            lock.release()


def _no_op(plan: OutputPlan, layout: _Layout, notebooks: Sequence[Notebook], fingerprint: str,
           wait: bool) -> int | None:
    """With the lock held, confirm nothing changed since the last successful run and say so.

    Returns the exit status, or None when the outputs turn out to need a run after all (a run
    that was stopped while publishing has just been finished, say).
    """
    lock = RunLock(plan.lock_file)
    try:
        lock.acquire(wait)
    except RunLocked as exc:
        print(f"troopwatch: error: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    try:
        repaired = recover(plan, layout)
        for line in repaired:
            print(f"troopwatch: {line}", file=sys.stderr)
        run = None if repaired else _fingerprint_matches(plan, layout, notebooks, fingerprint)
        if run is None:
            return None
        print(f"troopwatch: up to date: nothing changed since run {run} (the notebooks, library, lexicons, "
              f"corpus and parameters are the same and its outputs are in place); nothing was run or "
              f"published. Use --force to run anyway.", file=sys.stderr)
        return 0
    finally:
        lock.release()


def _run_locked(notebooks, values, plan: OutputPlan, layout: _Layout, skipped, jobs: int, force: bool,
                progress: bool, signals: _Signals, threads: list, running: set, mine: list,
                fingerprint: str | None = None) -> int:
    """The run itself, with the lock held: decide, execute into staging, publish."""
    jobs_todo: list[_Job] = []
    fresh: list[str] = []
    for nb in notebooks:  # in execution order, so a rerun notebook reruns the ones that need it
        digest = input_digest(nb, values[nb.name])
        upstream_rerun = any(job.nb.name in nb.needs for job in jobs_todo)
        if not force and not upstream_rerun and _up_to_date(layout.stamp(nb), digest, layout.executed(nb)):
            fresh.append(nb.name)
        else:
            jobs_todo.append(_Job(nb, values[nb.name], digest))
    if not jobs_todo:
        print(f"troopwatch: {len(fresh)} notebook(s) up to date, nothing to run "
              f"(the notebooks, library, corpus and parameters are unchanged)", file=sys.stderr)
        _print_skipped(skipped)
        return 0
    check_kernel()
    _pin_papermill_cwd()
    with _KERNELS_LOCK:
        _KERNELS.clear()
    _CANCELLED.clear()

    run_id = _new_run_id()
    run_dir = layout.runs / f"{_run_dir_prefix(plan)}-{run_id}"
    run_dir.mkdir(parents=True)
    mine.append(run_dir)
    shared = _SharedTables.start(jobs_todo, run_dir)  # the corpus extracted once, while the kernels start
    try:
        names_todo = {job.nb.name for job in jobs_todo}
        done: dict[str, _Staged] = {}
        failures: list[str] = []
        started = time.monotonic()
        bar = _progress(len(notebooks), progress)
        bar.update(len(fresh))
        pending = list(jobs_todo)
        results: queue.Queue = queue.Queue()
        active: dict[str, tuple[_Job, float]] = {}
        timings: list[str] = []

        def work(job: _Job, inputs: dict[str, str]) -> None:
            try:
                results.put((job, _execute(job, layout, run_dir, inputs), None))
            except BaseException as exc:  # reported by the main thread
                results.put((job, None, exc))

        while pending or active:
            if not failures:
                for job in list(pending):
                    if len(active) >= jobs:
                        break
                    if any(n in names_todo and n not in done for n in job.nb.needs):
                        continue
                    pending.remove(job)
                    # inputs may be files a needed notebook has just written: hash them now
                    inputs = _staged_inputs(job.values, [done[n] for n in job.nb.needs if n in done])
                    job.digest = input_digest(job.nb, job.values, inputs)
                    thread = threading.Thread(target=work, args=(job, inputs), name=f"troopwatch-{job.nb.name}",
                                              daemon=True)
                    active[job.nb.name] = (job, time.monotonic())
                    running.add(job.nb.name)
                    threads.append(thread)
                    thread.start()
            if not active:
                break
            try:
                job, staged, error = results.get(timeout=0.5)
            except queue.Empty:
                continue
            _, job_started = active.pop(job.nb.name)
            running.discard(job.nb.name)
            if error is None:
                done[job.nb.name] = staged
                timings.append(f"{job.nb.name} {time.monotonic() - job_started:.1f} s")
            elif isinstance(error, NotebookFailed):
                failures.append(str(error))
            else:
                failures.append(f"{job.nb.path.as_posix()}: the runner failed ({type(error).__name__}: "
                                f"{_one_line(error)})")
            if failures and active:
                _CANCELLED.set()
                _stop_kernels(threads)  # a failure publishes nothing: the others' work would be thrown away
                stopped = sorted(active)
                active.clear()
                running.clear()
                failures.append(f"stopped: {', '.join(stopped)}")
            bar.set_postfix_str(", ".join(sorted(active)))
            bar.update(1)
        bar.close()
        elapsed = time.monotonic() - started
        if failures:
            not_run = [job.nb.name for job in pending]
            extra = f"; not run because of the failure: {', '.join(not_run)}" if not_run else ""
            rest = f" ({'; '.join(failures[1:])})" if len(failures) > 1 else ""
            print(f"troopwatch: error: {failures[0]}{rest}{extra}. Nothing was published; the previous figures and "
                  f"tables are unchanged.", file=sys.stderr)
            return EXIT_FAILED

        signals.quiet = True  # from here a signal is noted, not raised: the publish runs to its end
        info = {
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - elapsed)),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "notebooks": [job.nb.name for job in jobs_todo],
            "parameters": {job.nb.name: job.values for job in jobs_todo},
            "fingerprint": fingerprint,  # of the whole run's inputs: a later run with the same one has nothing to do
        }
        publish_started = time.monotonic()
        try:
            replaced, unchanged = publish(plan, layout, run_dir, run_id,
                                          [(job, done[job.nb.name]) for job in jobs_todo], info)
        except NotebookFailed as exc:
            print(f"troopwatch: error: {exc}", file=sys.stderr)
            return EXIT_FAILED
        publish_ms = (time.monotonic() - publish_started) * 1000
        shutil.rmtree(run_dir, ignore_errors=True)
        skipped_fresh = f"; up to date: {', '.join(fresh)}" if fresh else ""
        folders = ", ".join(f"{f.as_posix()}/" for f in plan.folders)
        print(f"troopwatch: ran {len(jobs_todo)} notebook(s) in {elapsed:.1f} s ({'; '.join(timings)}){skipped_fresh}. "
              f"Published run {run_id} to {folders} ({replaced} file(s) replaced, {unchanged} unchanged, "
              f"in {publish_ms:.0f} ms). "
              f"Executed copies: {layout.notebooks.as_posix()}/, HTML: {layout.html.as_posix()}/", file=sys.stderr)
        _print_skipped(skipped)
        if signals.received is not None:
            name = signal.Signals(signals.received).name
            print(f"troopwatch: interrupted by {name} while publishing; the run was published completely first",
                  file=sys.stderr)
            return _exit_code(signals.received)
        return 0

    finally:
        if shared is not None:
            shared.close()

def _print_skipped(skipped: dict[str, list[tuple[str, str]]]) -> None:
    for corpus, files in skipped.items():
        if files:
            print(f"troopwatch: {len(files)} file(s) of {corpus} skipped:", file=sys.stderr)
            for path, reason in files:
                print(f"troopwatch:   {path}: {reason}", file=sys.stderr)


# ---------------------------------------------------------------- committed notebooks

def execute_in_place(only: Sequence[str] | None = None, notebooks_dir: str | os.PathLike = "notebooks",
                     timeout: int = 600) -> list[Path]:
    """Re-execute the source notebooks with their default parameters and save their outputs in place.

    This is how the committed notebooks get the outputs a reader sees on a code host and
    nbval compares: no papermill metadata, no timings, cells and ids kept as they are.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from . import io as tw_io

    check_kernel()
    written = []
    for nb_info in execution_order(select_notebooks(discover_notebooks(notebooks_dir), only)):
        nb = nbformat.read(str(nb_info.path), as_version=4)
        client = NotebookClient(
            nb, timeout=timeout, kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
            resources={"metadata": {"path": os.getcwd()}}, record_timing=False,
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
        try:
            client.execute()
        except CellExecutionError as exc:
            raise NotebookFailed(f"{nb_info.path}: a cell failed; the notebook was not changed.\n{exc}") from None
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        nb.metadata.pop("papermill", None)
        text = nbformat.writes(nb)
        tw_io.write_text(nb_info.path, text if text.endswith("\n") else text + "\n")
        written.append(nb_info.path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m troopwatch.runner --refresh [NOTEBOOK...]``: re-execute the committed notebooks in place."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m troopwatch.runner", description=main.__doc__)
    parser.add_argument("--refresh", action="store_true", required=True,
                        help="execute the notebooks in notebooks/ on their defaults and save the outputs in them")
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="number or name (default: all)")
    args = parser.parse_args(argv)
    try:
        for path in execute_in_place(args.notebooks):
            print(f"executed {path.as_posix()}", file=sys.stderr)
    except (NotebookFailed, ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"troopwatch: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
