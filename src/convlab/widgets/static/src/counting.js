// Mirrors convlab.counting: sizes in words.

/** Bytes in decimal units with about 3 significant digits: "14.4 GB" (format_bytes). */
export function formatBytes(bytes) {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let power = 0;
  while (power < units.length - 1 && bytes >= 1000 ** (power + 1)) power += 1;
  const value = bytes / 1000 ** power;
  const decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  const scale = 10 ** decimals;
  let rounded = Math.floor(value * scale + 0.5) / scale;
  if (rounded >= 1000 && power < units.length - 1) [rounded, power] = [1, power + 1];
  let text = rounded.toFixed(decimals);
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return `${text} ${units[power]}`;
}

// Parameters and multiply-adds (the counts of convlab.counting, same names in camelCase).

/** How many numbers an image holds: channels · height · width (image_inputs). */
export function imageInputs(height, width, channels) {
  return channels * height * width;
}

/** Parameters of nn.Linear: in · out weights + out biases (dense_params). */
export function denseParams(inFeatures, outFeatures, bias = true) {
  return inFeatures * outFeatures + (bias ? outFeatures : 0);
}

/** Parameters of nn.Conv2d: c_o · c_i · k_h · k_w + c_o (conv2d_params; k a size or [k_h, k_w]). */
export function conv2dParams(inChannels, outChannels, k, bias = true) {
  const [kh, kw] = Array.isArray(k) ? k : [k, k];
  return outChannels * inChannels * kh * kw + (bias ? outChannels : 0);
}

/** Multiply-adds of one layer on one image: c_o·(c_i/groups)·k²·m_h·m_w (conv2d_macs). */
export function conv2dMacs(inChannels, outChannels, k, outputSize, groups = 1) {
  const [kh, kw] = Array.isArray(k) ? k : [k, k];
  const [mh, mw] = Array.isArray(outputSize) ? outputSize : [outputSize, outputSize];
  return outChannels * (inChannels / groups) * kh * kw * mh * mw;
}

/** Parameters of nn.Conv2d(..., groups): n·(m/groups)·k² + n (grouped_params). */
export function groupedParams(inChannels, outChannels, k, groups = 1, bias = true) {
  return conv2dMacs(inChannels, outChannels, k, 1, groups) + (bias ? outChannels : 0);
}

/** Multiply-adds of depthwise + pointwise: k²·m·h′·w′ + m·n·h′·w′ (separable_macs). */
export function separableMacs(inChannels, outChannels, k, outputSize) {
  return (
    conv2dMacs(inChannels, inChannels, k, outputSize, inChannels) +
    conv2dMacs(inChannels, outChannels, 1, outputSize)
  );
}

/** Parameters of depthwise + pointwise: k²·m + m·n, plus m + n biases (separable_params). */
export function separableParams(inChannels, outChannels, k, bias = true) {
  return (
    groupedParams(inChannels, inChannels, k, inChannels, bias) +
    conv2dParams(inChannels, outChannels, 1, bias)
  );
}

/** W[i, j, k, l]: one weight per (output pixel, input pixel) pair, (h·w)² (dense_image_weights). */
export function denseImageWeights(height, width) {
  return (height * width) ** 2;
}

/** One weight per offset after translation equivariance: (2h − 1)(2w − 1) (shared_weights). */
export function sharedWeights(height, width) {
  return (2 * height - 1) * (2 * width - 1);
}

/** A (2Δ + 1) × (2Δ + 1) kernel after locality (local_weights). */
export function localWeights(delta) {
  return (2 * delta + 1) ** 2;
}
