"""How big is the output? One formula for convolution and pooling alike."""

from convlab.checks import as_pair, check_fits

IntOrPair = int | tuple[int, int]


def output_size(
    n: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> IntOrPair:
    """Output length per axis: ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1.

    ``n + 2p`` is the padded input, ``d·(k − 1) + 1`` the span of the dilated
    kernel; the kernel fits at ``(n + 2p − span) / s`` further positions after
    the first. Returns an int when every argument is an int, otherwise a
    ``(height, width)`` pair (ints count for both axes).
    """
    args = (n, kernel_size, stride, padding, dilation)
    sizes = as_pair(n, "n", minimum=1)
    kernel = as_pair(kernel_size, "kernel_size", minimum=1)
    strides = as_pair(stride, "stride", minimum=1)
    pads = as_pair(padding, "padding", minimum=0)
    dilations = as_pair(dilation, "dilation", minimum=1)
    check_fits("kernel_size", kernel, sizes, (2 * pads[0], 2 * pads[1]), dilations)
    out = tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1  # plain ints: exact however large
        for n, k, s, p, d in zip(sizes, kernel, strides, pads, dilations, strict=True)
    )
    if any(isinstance(arg, (tuple, list)) for arg in args):
        return out
    return out[0]
