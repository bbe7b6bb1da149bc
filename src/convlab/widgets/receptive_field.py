"""The receptive-field explorer: a stack of 1-D layers and the cells one output sees.

Up to five layers, each with its own kernel size, stride and dilation (no
padding, so every layer is smaller than the one below). The view draws the
input and every layer as a row of cells, highlights the cells that one output
cell depends on in each layer, and tabulates the receptive field's size and
jump per layer with the formula filled in.
"""

from __future__ import annotations

from dataclasses import dataclass

from convlab.receptive_field import (
    Field,
    Layer,
    as_layers,
    dependencies,
    format_cells,
    jump_formula,
    layer_lengths,
    receptive_field,
    size_formula,
    stack_problem,
)
from convlab.widgets._assets import STATIC, STYLESHEET
from convlab.widgets._settings import POSITION, Row, SettingsWidget, Whole

MAX_LAYERS = 5
# The range of every slider, (lowest, highest): the constructor accepts the same.
LIMITS = {
    "input_size": (1, 64),
    "kernel_size": (1, 5),
    "stride": (1, 3),
    "dilation": (1, 8),
}
DEFAULT_LAYER = Layer(3, 1, 1)  # what a layer slid into view starts as
SLIDERS = {name: Whole(1, low, high, owner="explorer") for name, (low, high) in LIMITS.items()}
# The widget's traits. The lists hold one entry per possible layer; only the first
# `layers` are used. The defaults are the course's two 3-wide layers over 5 cells.
SETTINGS = {
    "input_size": Whole(5, *LIMITS["input_size"], owner="explorer"),
    "layers": Whole(2, 1, MAX_LAYERS, owner="explorer"),
    "kernel_sizes": Row((3,) * MAX_LAYERS, SLIDERS["kernel_size"], "kernel_size"),
    "strides": Row((1,) * MAX_LAYERS, SLIDERS["stride"], "stride"),
    "dilations": Row((1,) * MAX_LAYERS, SLIDERS["dilation"], "dilation"),
    "position": POSITION,
}


@dataclass(frozen=True)
class StackView:
    """What the explorer shows for one setting."""

    layers: tuple[Layer, ...]
    lengths: tuple[int, ...]  # cells of the input and of each layer (shorter if none left)
    fields: tuple[Field, ...]  # size, jump, start after each layer
    position: int  # the output cell picked (clamped to the last one)
    cells: tuple[tuple[int, ...], ...]  # the cells it depends on: input, layer 1, …, output
    size_text: str  # r = 1 + Σ … = 5
    jump_text: str  # j = s₁·…·s_L = 1·1 = 1
    problem: str | None  # why there is no output, in words


def explore_stack(input_size: int, layers, position: int = 0) -> StackView:
    """The receptive field of output cell ``position`` of the stack (past the end: the last).

    An input too small for the stack is not an error: there is no output, and
    ``problem`` says why with the numbers.
    """
    position = POSITION.check(position, "position")
    stack = as_layers(layers)
    lengths = tuple(layer_lengths(input_size, stack))
    fields = tuple(receptive_field(stack))
    texts = size_formula(stack), jump_formula(stack)
    problem = stack_problem(input_size, stack)
    if problem:
        return StackView(stack, lengths, fields, 0, (), *texts, problem)
    at = min(int(position), lengths[-1] - 1)
    cells = tuple(dependencies(stack, at, input_size))
    return StackView(stack, lengths, fields, at, cells, *texts, None)


class ReceptiveFieldExplorer(SettingsWidget, settings=SETTINGS):
    """A slider for the number of layers, kernel/stride/dilation sliders per layer,
    the input and the layers as rows of cells with one output cell's dependencies
    highlighted, and the size and jump of its receptive field per layer.

    The default is the course's example along one axis: two 3-wide layers turn 5
    input cells into 3 and then 1, and that last cell sees all 5.
    """

    _esm = STATIC / "receptive_field.js"
    _css = STYLESHEET

    def __init__(self, input_size: int = 5, layers=((3, 1, 1), (3, 1, 1)), *, position: int = 0):
        stack = as_layers(layers)
        if len(stack) > MAX_LAYERS:
            raise ValueError(
                f"layers: the explorer shows at most {MAX_LAYERS} layers, got {len(stack)}"
            )
        for i, layer in enumerate(stack):
            for name in ("kernel_size", "stride", "dilation"):
                SLIDERS[name].check(getattr(layer, name), f"layers[{i}] {name}")
            if layer.padding:
                raise ValueError(
                    f"layers: the explorer has no padding (p = 0), got p = {layer.padding}"
                )
        filled = [*stack, *[DEFAULT_LAYER] * (MAX_LAYERS - len(stack))]
        super().__init__(
            input_size=input_size,
            layers=len(stack),
            kernel_sizes=[layer.kernel_size for layer in filled],
            strides=[layer.stride for layer in filled],
            dilations=[layer.dilation for layer in filled],
            position=position,
        )

    def stack(self) -> tuple[Layer, ...]:
        """The layers in use, as (kernel, stride, dilation, padding 0)."""
        return tuple(
            Layer(self.kernel_sizes[i], self.strides[i], self.dilations[i])
            for i in range(self.layers)
        )

    def compute(self) -> StackView:
        """What the view shows for the current traits."""
        return explore_stack(self.input_size, self.stack(), self.position)

    def __repr__(self) -> str:
        v = self.compute()
        layers = ", ".join(f"({k}, {s}, {d})" for k, s, d, _ in v.layers)
        head = f"ReceptiveFieldExplorer(n {self.input_size}, layers (k, s, d) {layers}"
        if v.problem:
            return f"{head}: {v.problem})"
        sizes = " → ".join(map(str, v.lengths))
        return (
            f"{head}; cells {sizes}; output cell {v.position} sees input "
            f"{format_cells(v.cells[0])}; r = {v.fields[-1].size}, j = {v.fields[-1].jump})"
        )
