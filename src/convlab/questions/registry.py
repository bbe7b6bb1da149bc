"""Which question kinds each chapter asks, and how to draw one from a seed."""

from __future__ import annotations

from collections.abc import Callable

from convlab.questions import costs, fields, gradients, sizes, values

# Each chapter's kinds, in the order the quiz shows them; each kind once in the book.
CHAPTERS: dict[str, tuple[str, ...]] = {
    "ch01": ("dense-params", "local-weights", "shared-weights"),
    "ch02": ("corr-size", "corr-value", "conv-value"),
    "ch03": ("kernel-gradient", "bias-gradient", "gd-step"),
    "ch04": ("padded-size", "strided-size", "same-padding", "stride-cells"),
    "ch05": ("multi-in-value", "layer-params", "layer-macs"),
    "ch06": ("pool-size", "max-pool-value", "avg-pool-padded"),
    "ch07": ("grouped-params", "separable-params", "separable-macs"),
    "ch08": ("dilated-size", "dilated-cells", "stack-field"),
    "ch09": ("transposed-size", "transposed-value", "input-gradient"),
    "ch10": ("lenet-side", "lenet-features", "lenet-params"),
    "appendix": ("loop-calls", "im2col-shape", "im2col-elements"),
}

KINDS: dict[str, Callable[[int], dict]] = {
    "dense-params": costs.dense_params,
    "local-weights": costs.local_weights,
    "shared-weights": costs.shared_weights,
    "corr-size": sizes.corr_size,
    "corr-value": values.corr_value,
    "conv-value": values.conv_value,
    "kernel-gradient": gradients.kernel_gradient_question,
    "bias-gradient": gradients.bias_gradient,
    "gd-step": gradients.gd_step,
    "padded-size": sizes.padded_size,
    "strided-size": sizes.strided_size,
    "same-padding": sizes.same_padding,
    "stride-cells": fields.stride_cells,
    "multi-in-value": values.multi_in_value,
    "layer-params": costs.layer_params,
    "layer-macs": costs.layer_macs,
    "pool-size": sizes.pool_size,
    "max-pool-value": values.max_pool_value,
    "avg-pool-padded": values.avg_pool_padded,
    "grouped-params": costs.grouped_params,
    "separable-params": costs.separable_params,
    "separable-macs": costs.separable_macs,
    "dilated-size": sizes.dilated_size,
    "dilated-cells": fields.dilated_cells,
    "stack-field": fields.stack_field,
    "transposed-size": sizes.transposed_size,
    "transposed-value": values.transposed_value,
    "input-gradient": gradients.input_gradient,
    "lenet-side": sizes.lenet_side,
    "lenet-features": costs.lenet_features,
    "lenet-params": costs.lenet_params,
    "loop-calls": costs.loop_calls,
    "im2col-shape": costs.im2col_shape,
    "im2col-elements": costs.im2col_elements,
}
