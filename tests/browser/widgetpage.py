"""Reading and moving a widget on a built page: shared by the browser tests."""

from __future__ import annotations

import torch


def open_widget(page, chapter: str, selector: str):
    """Open ``chapter`` and return its first widget matching ``selector``, once drawn."""
    page.goto(page.site + chapter)
    widget = page.locator(selector).first
    widget.wait_for(state="visible", timeout=15_000)
    return widget


def slider(widget, label: str):
    """The ``<input type="range">`` labelled ``label``."""
    return widget.get_by_label(label, exact=True)


def shown(widget, label: str) -> str:
    """The value printed next to a slider."""
    input_id = slider(widget, label).get_attribute("id")
    return widget.locator(f'output[for="{input_id}"]').inner_text()


def cell(widget, key: str) -> str:
    """The text of the element marked ``data-cell="key"``."""
    return widget.locator(f'[data-cell="{key}"]').inner_text()


def table(widget, caption: str):
    """The table whose caption is exactly ``caption``."""
    return widget.locator("table", has=widget.page.locator(f"caption:text-is('{caption}')"))


def read_table(widget, caption: str) -> torch.Tensor:
    """The numbers shown in a table, as float64."""
    rows = table(widget, caption).locator("tr").all()
    return torch.tensor(
        [[float(td.inner_text()) for td in row.locator("td").all()] for row in rows],
        dtype=torch.float64,
    )


def cells_with(widget, caption: str, cls: str) -> set[tuple[int, int]]:
    """(row, column) of the cells of a table that carry the class ``cls``."""
    classes = table(widget, caption).evaluate(
        "t => [...t.rows].map(r => [...r.cells].map(c => c.className))"
    )
    return {(i, j) for i, row in enumerate(classes) for j, c in enumerate(row) if cls in c.split()}


def columns_with(widget, caption: str, cls: str) -> set[int]:
    """The columns of a table whose <col> carries the class ``cls`` (a marked column)."""
    classes = table(widget, caption).evaluate(
        "t => [...t.querySelectorAll('col')].map(c => c.className)"
    )
    return {j for j, c in enumerate(classes) if cls in c.split()}


def whole_number(text: str) -> int:
    """A count as the widgets print it, with thousands separators: ``"3,600"`` → 3600."""
    return int(text.replace(",", ""))


def standalone_page(widgets: dict, folder, name: str = "widgets") -> str:
    """Write a page that shows ``widgets`` (``{heading: widget}``) without a book build.

    The page holds each widget's state as Jupyter Book embeds it and mounts the
    views with the book's own ``_static/widget-host.js`` (copied into ``folder``),
    so a widget can be tested before a chapter shows it. Writes
    ``folder/book/<name>.html`` and ``folder/index.html``; returns the page's path
    relative to ``folder``, for ``site + path`` once ``folder`` is served.
    """
    import html
    import json
    import shutil
    from pathlib import Path

    folder = Path(folder)
    (folder / "_static").mkdir(parents=True, exist_ok=True)
    (folder / "book").mkdir(exist_ok=True)
    root = Path(__file__).resolve().parents[2]
    shutil.copy(root / "book" / "_static" / "widget-host.js", folder / "_static")
    states, body = {}, []
    for n, (heading, widget) in enumerate(widgets.items()):
        model_id = f"widget{n}"
        states[model_id] = {
            "model_name": "AnyModel",
            "model_module": "anywidget",
            "state": widget.get_state(),
        }
        view = json.dumps({"model_id": model_id})
        body.append(
            f"<h2>{html.escape(heading)}</h2>\n"
            f'<script type="application/vnd.jupyter.widget-view+json">{view}</script>'
        )
    state = json.dumps({"version_major": 2, "version_minor": 0, "state": states})
    state = state.replace("</", "<\\/")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto;
padding: 0 1rem; color: #222; line-height: 1.5; }}</style>
<script type="application/vnd.jupyter.widget-state+json">{state}</script>
<script type="module" src="../_static/widget-host.js"></script>
</head><body><main>
{chr(10).join(body)}
</main></body></html>
"""
    (folder / "book" / f"{name}.html").write_text(page, encoding="utf-8")
    (folder / "index.html").write_text(
        f'<!DOCTYPE html><a href="book/{name}.html">{html.escape(name)}</a>', encoding="utf-8"
    )
    return f"book/{name}.html"
