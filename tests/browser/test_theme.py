"""The page is styled in the reader's theme from its first element on
(book/_templates/static/webpack-macros.html): the theme's own script, run once the
page is parsed, finds the theme already set and changes nothing."""

from __future__ import annotations

import pytest

CHAPTER = "/book/ch02_cross_correlation.html"

# Every value data-theme takes once the body exists, and every change of it after.
RECORD_THEME = """
window.__themes = [];
new MutationObserver((records) => {
  if (!document.body) return;
  const root = document.documentElement;
  if (window.__themes.length === 0) window.__themes.push(root.dataset.theme);
  for (const r of records) {
    if (r.target === root && r.attributeName === "data-theme" && r.oldValue !== root.dataset.theme)
      window.__themes.push(root.dataset.theme);
  }
}).observe(document, { subtree: true, childList: true, attributes: true,
                       attributeFilter: ["data-theme"], attributeOldValue: true });
"""


def themes_while_loading(page, scheme: str, stored_mode: str | None = None) -> list[str]:
    page.emulate_media(color_scheme=scheme)
    if stored_mode:
        page.add_init_script(f"localStorage.setItem('mode', '{stored_mode}')")
    page.add_init_script(RECORD_THEME)
    page.goto(page.site + CHAPTER, wait_until="load")
    page.wait_for_function("document.documentElement.dataset.mode !== undefined")
    return page.evaluate("window.__themes")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_first_visit_is_in_the_readers_theme_from_the_start(page, scheme):
    assert themes_while_loading(page, scheme) == [scheme]
    assert page.evaluate("document.documentElement.dataset.mode") == "auto"


@pytest.mark.parametrize(("scheme", "chosen"), [("light", "dark"), ("dark", "light")])
def test_a_chosen_theme_wins_over_the_system_from_the_start(page, scheme, chosen):
    assert themes_while_loading(page, scheme, stored_mode=chosen) == [chosen]


def test_a_broken_stored_mode_falls_back_to_the_system(page):
    assert themes_while_loading(page, "dark", stored_mode="sepia") == ["dark"]
    assert page.evaluate("document.documentElement.dataset.mode") == "auto"


def test_the_theme_button_still_switches(page):
    themes_while_loading(page, "light")
    page.locator(".theme-switch-button").first.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    colours = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert colours != "rgb(255, 255, 255)"
