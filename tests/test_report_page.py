"""`make report` builds one offline page from executed notebooks; `make lab` opens at the project root."""
from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest

from troopwatch import report

ROOT = Path(__file__).resolve().parents[1]


def test_report_page_holds_narrative_figures_tables_and_methodology_offline(tmp_path):
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 2. Claims <over> time"),
        nbformat.v4.new_markdown_cell("**Parameters.** hidden from readers"),
        nbformat.v4.new_code_cell("param_value = 'data/raw'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("table", outputs=[nbformat.v4.new_output(
            "execute_result", data={"text/html": "<table><tr><td>2,500</td></tr></table>", "text/plain": "x"},
            execution_count=1)]),
        nbformat.v4.new_code_cell("secret_code()", outputs=[nbformat.v4.new_output(
            "display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "fig"})]),
    ])
    nbformat.write(nb, str(notebooks / "02_claims.ipynb"))
    figures = tmp_path / "figs"
    figures.mkdir()
    (figures / "troops_over_time.html").write_text("<html></html>", encoding="utf-8")
    (figures / "troops_over_time.csv").write_text("a\n1\n", encoding="utf-8")
    (figures / "plotly.min.js").write_text("//", encoding="utf-8")
    page = report.build_report(tmp_path / "out", notebooks, figures_dir=figures, root=tmp_path)
    text = page.read_text(encoding="utf-8")
    assert page == tmp_path / "out" / "index.html"
    assert "Claims &lt;over&gt; time" in text and "<td>2,500</td>" in text and "data:image/png;base64" in text
    assert "secret_code" not in text and "param_value" not in text and "hidden from readers" not in text
    assert "Methodology" in text and 'href="figures/troops_over_time.html"' in text
    assert (tmp_path / "out" / "figures" / "plotly.min.js").is_file()
    assert "http://" not in text and "https://" not in text  # nothing fetched: it opens offline


@pytest.mark.parametrize("target, wanted", [
    ("lab", ["jupyter lab", "--ServerApp.root_dir=", "--no-browser --port 8899", '--name python3']),
    ("report", ["troopwatch run", "-m troopwatch.report build/report"]),
])
def test_make_targets(target, wanted):
    dry = subprocess.run(["make", "-n", "-W", "requirements.lock", target, 'ARGS=--no-browser --port 8899'],
                         cwd=ROOT, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    for piece in wanted:
        assert piece in dry.stdout
    if target == "lab":
        import json

        kernels = {json.loads((ROOT / "notebooks" / p.name).read_text(encoding="utf-8"))["metadata"]["kernelspec"]
                   ["display_name"] for p in (ROOT / "notebooks").glob("*.ipynb")}
        assert kernels == {"Python 3 (ipykernel)"} and '--display-name "Python 3 (ipykernel)"' in dry.stdout
