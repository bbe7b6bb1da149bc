"""The book's widget host gives views anywidget's front-end API, on a static page.

``book/_static/widget-host.js`` replaces the Jupyter widget manager on the built
pages. These tests check it implements what anywidget's front-end API promises
(get, set, on, off, save_changes, send; ``initialize`` once per model, ``render``
once per view, both cleanups run) and at least every model method the course's
views call, and that no page loads a widget manager.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.test_pages import toc_pages

ROOT = Path(__file__).resolve().parents[2]
VIEW_SOURCES = ROOT / "src" / "convlab" / "widgets" / "static" / "src"
HOST_API = {"get", "set", "on", "off", "save_changes", "send"}

# A widget written against anywidget's API, mounted by the host from a page of its own.
PROBE = r"""
async () => {
  const host = await import(new URL("../_static/widget-host.js", location.href).href);
  const esm = `
    export default {
      initialize({ model }) {
        model.set("initialized", (model.get("initialized") ?? 0) + 1);
        return () => { window.__probe.modelCleanups += 1; };
      },
      render({ model, el }) {
        const draw = () => { el.textContent = model.get("text"); };
        draw();
        model.on("change:text", draw);
        model.save_changes();
        model.send({ hello: "kernel" });
        return () => { window.__probe.viewCleanups += 1; };
      },
    };`;
  window.__probe = { modelCleanups: 0, viewCleanups: 0 };
  const doc = document.implementation.createHTMLDocument("probe");
  const state = {
    version_major: 2, version_minor: 0,
    state: { probe: { model_name: "AnyModel", model_module: "anywidget",
                      state: { _esm: esm, _css: ".probe { color: red }", text: "first" } } },
  };
  doc.head.innerHTML =
    `<script type="application/vnd.jupyter.widget-state+json">${JSON.stringify(state)}</script>`;
  const view =
    '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "probe"}</script>';
  doc.body.innerHTML = `<div id="a">${view}</div><div id="b">${view}</div>`;
  const models = host.start(doc);
  const { model } = await models.get("probe");
  await new Promise((resolve) => setTimeout(resolve, 0));
  const texts = () => [...doc.querySelectorAll(".cl-widget-host")].map((el) => el.textContent);
  const out = { initialized: model.get("initialized"), before: texts() };

  const events = [];
  const onText = (m, value) => events.push(`text=${value}`);
  const onAny = () => events.push("change");
  model.on("change:text", onText);
  model.on("change", onAny);
  model.set("text", "second");
  model.set("text", "second");  // unchanged: no event
  out.after = texts();
  model.off("change:text", onText);
  model.set("text", "third");
  model.off("change");
  model.set("text", "fourth");
  out.events = events;
  out.final = texts();
  const styles = [...document.querySelectorAll("style")];
  out.styles = styles.filter((s) => s.textContent.includes(".probe")).length;
  await host.cleanUp(models);
  out.cleanups = { ...window.__probe };
  return out;
}
"""


@pytest.mark.browser
def test_host_implements_anywidgets_front_end_api(page):
    page.goto(page.site + "book/ch02_cross_correlation.html")
    out = page.evaluate(PROBE)
    assert out["initialized"] == 1  # once per model, however many views
    assert out["before"] == ["first", "first"]  # render once per view
    assert out["after"] == ["second", "second"]
    assert out["events"] == ["text=second", "change", "change"]
    assert out["final"] == ["fourth", "fourth"]  # views still listen after others left
    assert out["styles"] == 1  # the widget's CSS once
    assert out["cleanups"] == {"modelCleanups": 1, "viewCleanups": 2}


# A page the parser is still reading: two views written into a frame's document bit by
# bit, as a long page arrives, while the host watches it. Counts the renders.
WHILE_PARSED = r"""
async () => {
  const host = await import(new URL("../_static/widget-host.js", location.href).href);
  window.__renders = 0;
  const esm = `export default {
    render({ model, el }) { window.__renders += 1; el.textContent = model.get("text"); },
  };`;
  const state = {
    version_major: 2, version_minor: 0,
    state: { probe: { model_name: "AnyModel", model_module: "anywidget",
                      state: { _esm: esm, text: "drawn" } } },
  };
  const view =
    '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "probe"}</script>';
  const frame = document.createElement("iframe");
  document.body.append(frame);
  const doc = frame.contentDocument;
  doc.open();
  doc.write('<script type="application/vnd.jupyter.widget-state+json">' +
            JSON.stringify(state) + "</script>");
  const models = host.start(doc);
  doc.write(`<div id="a"><p>${view}</p></div>`);
  await new Promise((resolve) => setTimeout(resolve, 0));
  doc.write(`<div id="b">${view}</div><p>more of the page</p>`);
  await new Promise((resolve) => setTimeout(resolve, 0));
  doc.close();
  await models.get("probe");
  await new Promise((resolve) => setTimeout(resolve, 50));
  const hosts = [...doc.querySelectorAll(".cl-widget-host")].map((el) => el.textContent);
  return { renders: window.__renders, hosts };
}
"""


@pytest.mark.browser
def test_each_view_is_drawn_once_while_the_page_is_parsed(page):
    """A view tag the host's observer reports twice (alone and within its parent) is
    mounted once: a second render went off the page and recomputed on every move."""
    page.goto(page.site + "book/ch02_cross_correlation.html")
    out = page.evaluate(WHILE_PARSED)
    assert out["hosts"] == ["drawn", "drawn"]
    assert out["renders"] == 2


def test_host_offers_every_model_method_the_views_call():
    used = set()
    for source in VIEW_SOURCES.rglob("*.js"):
        used |= set(re.findall(r"\bmodel\.([A-Za-z_]+)\(", source.read_text(encoding="utf-8")))
    assert used, "found no model calls in the views: is VIEW_SOURCES right?"
    assert used <= HOST_API, f"the views call model methods the host lacks: {used - HOST_API}"


@pytest.mark.browser
@pytest.mark.parametrize("path", toc_pages())
def test_no_widget_manager_is_loaded(page, path):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(page.site + path)
    page.wait_for_load_state("load")  # a manager would come with the page's scripts
    managers = [u for u in requested if re.search(r"require\.js|embed-amd|html-manager", u)]
    assert not managers, f"{path} loads a widget manager: {managers}"


# Where the page's section headings are after the skip is on and a link to each is followed.
SKIP_JS = r"""
async () => {
  const root = document.documentElement;
  const deadline = performance.now() + 10000;
  while (!root.classList.contains("cl-skip-offscreen") && performance.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  // A skipped block's contents count as hidden (the block itself does not).
  const blocks = [...document.querySelectorAll(".bd-article section > :not(section)")].filter(
    (el) => el.firstElementChild,
  );
  const shown = (el) => el.firstElementChild.checkVisibility({ contentVisibilityAuto: true });
  const widgets = blocks.filter((el) => el.querySelector(".cl-widget-host, .cl-widget"));
  // Widgets that draw sections of their own (chapter 5's channels) must not be skipped inside.
  const insideWidgets = [...document.querySelectorAll(".cl-widget *")].filter(
    (el) => getComputedStyle(el).contentVisibility !== "visible",
  ).length;
  const ids = [...document.querySelectorAll(".bd-article section[id]")].map((s) => s.id);
  const landed = {};
  for (const id of ids) {
    const link = Object.assign(document.createElement("a"), { href: `#${id}` });
    document.body.append(link);
    link.click();
    link.remove();
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    landed[id] = Math.round(document.getElementById(id).getBoundingClientRect().top);
  }
  window.scrollTo(0, 0);
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  return {
    on: root.classList.contains("cl-skip-offscreen"),
    blocks: blocks.length,
    skippedAtTop: blocks.filter((el) => !shown(el)).length,
    widgetsSkipped: widgets.filter((el) => !shown(el)).length,
    insideWidgets,
    landed,
  };
}
"""


@pytest.mark.browser
def test_blocks_out_of_view_are_skipped_and_links_still_land(page):
    page.goto(page.site + "book/ch05_channels.html")
    page.wait_for_load_state("load")
    out = page.evaluate(SKIP_JS)
    assert out["on"], "widget-host.js never switched cl-skip-offscreen on"
    assert out["skippedAtTop"] > out["blocks"] // 2, out  # most of a long chapter is out of view
    assert out["widgetsSkipped"] == 0  # a block holding a widget is always drawn
    assert out["insideWidgets"] == 0  # nor is anything inside a widget skipped
    # Each heading lands at the top of the window, below the theme's sticky header,
    # as it does without the skip (64 px here), whatever was skipped above it.
    tops = set(out["landed"].values())
    assert len(tops) == 1 and 0 < tops.pop() < 120, out["landed"]
