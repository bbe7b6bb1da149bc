"""The quiz on the built pages: every kind of question answered right, with each known
mistake, wrong and with no number; the feedback is what convlab says in Python; the
progress is kept in localStorage and shown on the introduction. How long a check
takes is measured by benchmarks/browser.py (cl-quiz), not asserted here."""

from __future__ import annotations

import json

import pytest

from convlab import questions
from convlab.questions.grading import shown
from convlab.questions.registry import CHAPTERS

pytestmark = pytest.mark.browser
PAGES = {
    "ch01": "book/ch01_dense_to_convolution.html",
    "ch02": "book/ch02_cross_correlation.html",
    "ch03": "book/ch03_learning_an_edge_detector.html",
    "ch04": "book/ch04_padding_and_stride.html",
    "ch05": "book/ch05_channels.html",
    "ch06": "book/ch06_pooling.html",
    "ch07": "book/ch07_depthwise_separable.html",
    "ch08": "book/ch08_dilation_and_receptive_fields.html",
    "ch09": "book/ch09_backward_and_transposed.html",
    "ch10": "book/ch10_a_whole_network.html",
    "appendix": "book/appendix_loops_im2col.html",
}
PROGRESS_KEY = "convlab-quiz-progress"


def open_quiz(page, chapter: str):
    page.goto(page.site + PAGES[chapter])
    quiz = page.locator(".cl-quiz").first
    quiz.wait_for(state="visible", timeout=15_000)
    quiz.scroll_into_view_if_needed()
    return quiz


def on_show(quiz) -> dict:
    """The question the page shows, drawn again in Python from its kind and seed."""
    prompt = quiz.locator('[data-cell="prompt"]')
    q = questions.draw(prompt.get_attribute("data-kind"), int(prompt.get_attribute("data-seed")))
    assert prompt.inner_text() == q["prompt"]
    return q


def answer(quiz, q: dict, response: list) -> str:
    """Give `response` as a reader does (type and press Enter, or click cells and Check)
    and return the feedback shown."""
    if q["cells"]:
        cells = quiz.locator(".cl-quiz-cell")
        pressed = {
            int(c)
            for c in cells.evaluate_all(
                "bs => bs.filter(b => b.getAttribute('aria-pressed') === 'true')"
                ".map(b => b.dataset.cell)"
            )
        }
        for cell in pressed ^ set(response):
            quiz.locator(f'.cl-quiz-cell[data-cell="{cell}"]').click()
        quiz.get_by_role("button", name="Check", exact=True).click()
    else:
        for label, text in zip(q["fields"], response, strict=True):
            quiz.get_by_label(label, exact=True).fill(text)
        quiz.get_by_label(q["fields"][-1], exact=True).press("Enter")
    return quiz.locator('[data-cell="feedback"]').inner_text()


def typed(values: list) -> list[str]:
    """An answer as a learner types it: 3,600, 2.25, −4."""
    return [
        (f"{int(v):,}" if float(v).is_integer() else f"{v:.2f}").replace("-", "−") for v in values
    ]


def as_response(q: dict, values: list) -> list:
    return list(values) if q["cells"] else typed(values)


def progress(page) -> dict:
    return json.loads(page.evaluate(f"() => localStorage.getItem('{PROGRESS_KEY}') || '{{}}'"))


@pytest.mark.parametrize("chapter", sorted(PAGES))
def test_every_kind_answered_each_way(page, chapter):
    quiz = open_quiz(page, chapter)
    kinds = CHAPTERS[chapter]
    assert quiz.locator(".cl-quiz-tab").count() == len(kinds)
    assert quiz.locator('[data-cell="progress"]').inner_text() == f"0 of {len(kinds)} solved"
    for number, kind in enumerate(kinds):
        quiz.get_by_role("button", name=f"Question {number + 1}", exact=True).click()
        q = on_show(quiz)
        assert q["kind"] == kind
        assert quiz.locator('[data-cell="solution"]').is_hidden()
        # No number: explained, not counted as an attempt.
        if q["cells"]:
            assert answer(quiz, q, []) == questions.grade(q, [])["message"]
        else:
            nothing = [""] * len(q["fields"])
            assert answer(quiz, q, nothing) == questions.grade(q, nothing)["message"]
            assert answer(quiz, q, ["abc"] * len(q["fields"])).endswith("type one such as 12.")
        assert quiz.locator('[data-cell="solution"]').is_hidden()
        # Each known mistake, named as Python names it.
        for mistake in q["mistakes"]:
            response = as_response(q, mistake["answer"])
            verdict = questions.grade(q, response)
            assert verdict["mistake"] == mistake["name"], (kind, mistake)
            assert answer(quiz, q, response) == verdict["message"]
            assert verdict["message"].startswith(
                f"Not quite: that answer comes from {mistake['name']}."
            )
        # Wrong in no known way: not yet, with the hint; the solution opens.
        wrong = [0, 1] if q["cells"] else ["987654321"] * len(q["fields"])
        assert answer(quiz, q, wrong) == f"Not yet. Hint: {q['hint']}"
        steps = quiz.locator('[data-cell="solution"] li').all_inner_texts()
        assert steps == q["solution"]
        # Right: counted once in the progress, in the page and in localStorage.
        assert answer(quiz, q, as_response(q, q["answer"])) == f"Right: {shown(q, q['answer'])}."
        solved = f"{number + 1} of {len(kinds)} solved"
        assert quiz.locator('[data-cell="progress"]').inner_text() == solved
        assert progress(page)[chapter] == {
            "solved": sorted(kinds[: number + 1]),
            "total": len(kinds),
        }
    tab = quiz.get_by_role("button", name="Question 1, solved", exact=True)
    assert tab.get_attribute("aria-current") == "false"  # the last question is on show


def test_another_one_draws_fresh_numbers_the_page_and_python_agree_on(page):
    quiz = open_quiz(page, "ch04")
    first = on_show(quiz)
    seen = {first["prompt"]}
    for _ in range(4):
        quiz.get_by_role("button", name="Another one").click()
        q = on_show(quiz)  # drawn again in Python from the seed the page drew
        assert q["kind"] == first["kind"]
        seen.add(q["prompt"])
        assert answer(quiz, q, typed(q["answer"])).startswith("Right:")
        assert quiz.locator('[data-cell="feedback"]').inner_text().startswith("Right:")
    assert len(seen) >= 4
    quiz.get_by_role("button", name="Another one").click()
    assert quiz.locator('[data-cell="feedback"]').inner_text() == ""
    assert quiz.locator('[data-cell="solution"]').is_hidden()
    quiz.get_by_role("button", name="Show the solution").click()
    assert quiz.locator('[data-cell="solution"]').is_visible()


def test_keyboard_only(page):
    quiz = open_quiz(page, "ch04")
    # Tab to the answer, type, Enter: the verdict is announced in the live region.
    quiz.get_by_role("button", name="Question 2", exact=True).focus()
    page.keyboard.press("Enter")
    q = on_show(quiz)
    quiz.locator(".cl-quiz-input").focus()
    page.keyboard.type(typed(q["answer"])[0])
    page.keyboard.press("Enter")
    feedback = quiz.locator('[data-cell="feedback"]')
    assert (
        feedback.get_attribute("aria-live") == "polite"
        and feedback.get_attribute("role") == "status"
    )
    assert feedback.inner_text().startswith("Right:")
    # The cells question: each cell a button with aria-pressed, toggled by Space.
    quiz.get_by_role("button", name="Question 4", exact=True).focus()
    page.keyboard.press("Enter")
    q = on_show(quiz)
    n = q["cells"]["cols"]
    for index in q["answer"]:
        cell = quiz.get_by_role("button", name=f"row {index // n}, column {index % n}", exact=True)
        cell.focus()
        page.keyboard.press("Space")
        assert cell.get_attribute("aria-pressed") == "true"
    quiz.get_by_role("button", name="Check", exact=True).focus()
    page.keyboard.press("Enter")
    assert feedback.inner_text() == f"Right: {len(q['answer'])} cells."


def test_the_introduction_shows_the_progress(page):
    quiz = open_quiz(page, "ch06")
    q = on_show(quiz)
    answer(quiz, q, typed(q["answer"]))
    page.goto(page.site + "book/intro.html")
    marks = page.locator(".cl-quiz-mark")
    assert marks.count() == len(CHAPTERS)  # every chapter and the appendix
    assert page.locator('.cl-quiz-mark[data-quiz="ch06"]').inner_text() == "Quiz: 1 of 3 solved"
    assert page.locator('.cl-quiz-mark[data-quiz="ch05"]').inner_text() == ""  # not started


def test_the_introduction_reads_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "book/intro.html")
    text = page.locator("main").inner_text()
    assert "Check yourself" in text and "Quiz:" not in text
    context.close()
