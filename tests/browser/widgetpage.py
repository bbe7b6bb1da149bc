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


def whole_number(text: str) -> int:
    """A count as the widgets print it, with thousands separators: ``"3,600"`` → 3600."""
    return int(text.replace(",", ""))
