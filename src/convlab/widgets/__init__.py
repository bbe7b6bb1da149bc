"""Live widgets: Python traits and a pure compute function, the same maths in the browser.

Each widget works in a notebook with a kernel and on the built web page without
one: anywidget stores the view's ES module with the page, and the view
recomputes from ``convmath.js``.
"""

from convlab.widgets.stepper import CorrelationStepper, step

__all__ = ["CorrelationStepper", "step"]
