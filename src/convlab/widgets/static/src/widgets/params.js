// Mirrors convlab.widgets.params (chapter 1, the parameter counter): a dense layer
// against a convolutional layer on an n × n image.

/** Why a k × k kernel cannot slide over an n × n image, or null (size_problem). */
export function sizeProblem(side, kernel) {
  if (kernel <= side) return null;
  return (
    `The kernel (${kernel}×${kernel}) is larger than the image (${side}×${side}): ` +
    `a window must fit inside the image (k ≤ n), and n − k + 1 = ${side} − ${kernel} ` +
    `+ 1 = ${side - kernel + 1} leaves no output pixel.`
  );
}

/**
 * Parameters (weights + biases) of nn.Linear(c·n², hidden) and of
 * nn.Conv2d(c, outChannels, kernel) on an n × n image with c channels, and their
 * float32 bytes (count; conv is null when the kernel does not fit).
 */
export function count(side, channels, hidden, outChannels, kernel) {
  const inputs = channels * side * side;
  const dense = inputs * hidden + hidden;
  const fits = sizeProblem(side, kernel) === null;
  const conv = fits ? outChannels * channels * kernel * kernel + outChannels : null;
  return { inputs, dense, conv, denseBytes: 4 * dense, convBytes: fits ? 4 * conv : null };
}
