"""convlab: the shared package behind the course on how convolution works.

- ``convlab.kernels``: convolution and pooling written from scratch on tensors.
- ``convlab.widgets``: live widgets (anywidget) that recompute in the browser.
- ``convlab.plots``: matplotlib helpers for the static figures.
"""

__version__ = "0.1.0"
