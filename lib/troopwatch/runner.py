"""Run the notebooks headlessly: ``troopwatch run`` (and ``make figures``).

Each ``notebooks/NN_*.ipynb`` is executed with papermill from this one process,
up to ``jobs`` at a time when independent (a notebook names the ones it needs in
its metadata, ``{"troopwatch": {"needs": ["01_corpus"]}}``).  The executed copy
goes to ``build/notebooks/`` and an HTML rendering to ``build/html/``.

Safe: a notebook writes its figures and tables into a staging folder under
``build/staging/``; only when every cell has run are they copied onto
``figures/`` and ``data/processed/`` (atomically, file by file, skipping
unchanged bytes).  A failing notebook therefore leaves the previous outputs as
they were, and the run stops with a message naming the notebook and the cell.

Fast: a notebook is skipped when nothing it depends on changed since its last
successful run (the notebook, the library source and lexicons, the corpus
bytes, the parameters, the plotting package versions) and the files it wrote
are still there, unchanged.  Deciding this needs no papermill import.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

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
    "run_notebooks",
    "execute_in_place",
]

# Bump when the runner changes what it writes, so old stamps no longer match.
RUNNER_VERSION = "1"
# Parameters naming folders a notebook writes into: staged, then published.
OUTPUT_PARAMETERS = ("figures_dir", "processed_dir")
# Package versions that change the bytes of figures and tables.
VERSIONED_PACKAGES = ("matplotlib", "pandas", "numpy", "plotly", "pillow", "nbconvert")
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

def _hash_tree(digest, path: Path, label: str) -> None:
    """Add the names and bytes of a file, or of every file under a folder, to ``digest``."""
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and not p.name.startswith("."))
    else:
        digest.update(f"{label}: missing\n".encode())
        return
    for f in files:
        rel = f.relative_to(path).as_posix() if path.is_dir() else f.name
        digest.update(f"{label}/{rel}\n".encode())
        digest.update(hashlib.sha256(f.read_bytes()).digest())


def _package_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in VERSIONED_PACKAGES:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=absent")
    return ";".join(found) + f";python={sys.version_info[:3]}"


def input_digest(nb: Notebook, values: dict[str, Any]) -> str:
    """A hash of everything a notebook's outputs depend on."""
    from . import lexicons

    digest = hashlib.sha256(f"troopwatch-runner {RUNNER_VERSION}\n".encode())
    digest.update(nb.path.read_bytes())
    _hash_tree(digest, Path(__file__).resolve().parent, "library")
    _hash_tree(digest, lexicons.lexicon_dir(), "lexicons")
    digest.update(_package_versions().encode())
    digest.update(json.dumps(values, sort_keys=True, default=str).encode())
    for name, value in sorted(values.items()):
        # Input folders and files named by parameters (the corpus): their bytes count.
        if name not in OUTPUT_PARAMETERS and isinstance(value, str) and value and Path(value).exists():
            _hash_tree(digest, Path(value), f"parameter {name}")
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


# ---------------------------------------------------------------- execution

@dataclass
class _Job:
    nb: Notebook
    values: dict[str, Any]
    digest: str


class _Layout:
    def __init__(self, build_dir: Path):
        self.build = build_dir
        self.notebooks = build_dir / "notebooks"
        self.html = build_dir / "html"
        self.staging = build_dir / "staging"

    def executed(self, nb: Notebook) -> Path:
        return self.notebooks / nb.path.name

    def stamp(self, nb: Notebook) -> Path:
        return self.notebooks / f".{nb.name}.stamp.json"

    def rendered(self, nb: Notebook) -> Path:
        return self.html / f"{nb.name}.html"


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


def _publish(staged: Path, target: Path) -> dict[str, str]:
    """Copy every staged file onto ``target`` (atomic, unchanged bytes skipped); return path -> sha256."""
    from . import io as tw_io

    written = {}
    for f in sorted(p for p in staged.rglob("*") if p.is_file() and not p.name.startswith(".")):
        data = f.read_bytes()
        out = target / f.relative_to(staged)
        tw_io.write_bytes(out, data)
        written[out.as_posix()] = hashlib.sha256(data).hexdigest()
    return written


def _execute(job: _Job, layout: _Layout) -> dict[str, str]:
    """Run one notebook with staged output folders; on success publish its outputs."""
    import papermill

    from . import io as tw_io

    nb = job.nb
    stage = layout.staging / nb.name
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    staged_values = dict(job.values)
    renames = {}
    for name in OUTPUT_PARAMETERS:
        if name in staged_values and staged_values[name]:
            staged_values[name] = (stage / name).as_posix()
            renames[staged_values[name]] = Path(str(job.values[name])).as_posix()
    staged_nb = stage / nb.path.name
    failure = None
    try:
        papermill.execute_notebook(
            str(nb.path), str(staged_nb), parameters=staged_values, progress_bar=False, log_output=False,
            request_save_on_cell_execute=False, cwd=os.getcwd(), start_timeout=120,
            # the kernel's start-up chatter (a TCP notice) is not news on a local run
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except papermill.PapermillExecutionError as exc:
        failure = NotebookFailed(
            f"{nb.path}: {_failing_cell(nb, exc)} failed with {exc.ename}: {exc.evalue}"
        )
    except Exception as exc:  # kernel died, could not start, bad notebook...
        failure = NotebookFailed(f"{nb.path}: could not run ({type(exc).__name__}: {exc})")
    if staged_nb.is_file():
        # The executed copy names the real folders, not the staging ones.
        text = staged_nb.read_text(encoding="utf-8")
        text = text.replace(staged_nb.as_posix(), layout.executed(nb).as_posix())
        for staged_path, real in renames.items():
            text = text.replace(staged_path, real)
        tw_io.write_text(layout.executed(nb), text)
        try:
            _render_html(layout.executed(nb), layout.rendered(nb))
        except Exception as exc:  # a rendering problem must not hide the notebook's own result
            print(f"troopwatch: warning: {nb.name}: no HTML rendering ({exc})", file=sys.stderr)
    if failure is not None:
        layout.stamp(nb).unlink(missing_ok=True)
        where = f"; the executed copy with the traceback is {layout.executed(nb).as_posix()}" if staged_nb.is_file() else ""
        raise NotebookFailed(f"{failure}{where}. Figures and tables from before were left as they were.")
    outputs: dict[str, str] = {}
    for staged_path, real in renames.items():
        outputs.update(_publish(Path(staged_path), Path(real)))
    shutil.rmtree(stage, ignore_errors=True)
    tw_io.write_text(layout.stamp(nb), json.dumps({"inputs": job.digest, "outputs": outputs}, indent=1,
                                                  sort_keys=True) + "\n")
    return outputs


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="notebooks", unit="nb", disable=not enabled, file=sys.stderr,
                bar_format="{desc}: {n}/{total} |{bar}| {elapsed}{postfix}")


def run_notebooks(
    parameters: dict[str, str] | None = None,
    only: Sequence[str] | None = None,
    jobs: int = 2,
    *,
    notebooks_dir: str | os.PathLike = "notebooks",
    build_dir: str | os.PathLike = "build",
    force: bool = False,
    progress: bool = True,
) -> int:
    """Execute the notebooks; return 0 when all ran (or were up to date), 1 when one failed.

    ``parameters`` are ``-p NAME VALUE`` strings, cast to each parameter's type.
    Raises ``ValueError`` for a bad parameter or notebook name (the CLI prints it).
    """
    if jobs < 1:
        raise ValueError(f"--jobs {jobs}: run at least one notebook at a time")
    notebooks = execution_order(select_notebooks(discover_notebooks(notebooks_dir), only))
    values = resolve_parameters(notebooks, dict(parameters or {}))
    layout = _Layout(Path(build_dir))
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
        return 0
    check_kernel()

    names_todo = {job.nb.name for job in jobs_todo}
    done: set[str] = set(fresh)
    failures: list[str] = []
    started = time.monotonic()
    lock = threading.Lock()
    bar = _progress(len(notebooks), progress)
    bar.update(len(fresh))
    pending = list(jobs_todo)
    running: dict[Future, _Job] = {}
    timings: list[str] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        while pending or running:
            if not failures:
                for job in list(pending):
                    if len(running) >= jobs:
                        break
                    waiting_for = [n for n in job.nb.needs if n in names_todo and n not in done]
                    if waiting_for:
                        continue
                    pending.remove(job)
                    # inputs may be files a needed notebook has just written: hash them now
                    job.digest = input_digest(job.nb, job.values)
                    job_started = time.monotonic()
                    future = pool.submit(_execute, job, layout)
                    future.started = job_started  # type: ignore[attr-defined]
                    running[future] = job
            elif pending:
                pending.clear()  # a failure stops the run: start nothing new
            if not running:
                break
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                job = running.pop(future)
                with lock:
                    try:
                        future.result()
                        done.add(job.nb.name)
                        timings.append(f"{job.nb.name} {time.monotonic() - future.started:.1f} s")
                    except NotebookFailed as exc:
                        failures.append(str(exc))
                    bar.set_postfix_str(", ".join(j.nb.name for j in running.values()))
                    bar.update(1)
    bar.close()
    elapsed = time.monotonic() - started
    if failures:
        for message in failures:
            print(f"troopwatch: error: {message}", file=sys.stderr)
        not_run = [job.nb.name for job in jobs_todo if job.nb.name not in done
                   and not any(job.nb.path.as_posix() in f for f in failures)]
        if not_run:
            print(f"troopwatch: not run because of the failure: {', '.join(not_run)}", file=sys.stderr)
        return 1
    skipped = f"; up to date: {', '.join(fresh)}" if fresh else ""
    print(f"troopwatch: ran {len(jobs_todo)} notebook(s) in {elapsed:.1f} s ({'; '.join(timings)}){skipped}. "
          f"Executed copies: {layout.notebooks.as_posix()}/, HTML: {layout.html.as_posix()}/", file=sys.stderr)
    return 0


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
