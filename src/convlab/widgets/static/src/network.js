// Mirrors convlab.network: a network's layers in order, run on one digit. The
// network comes as the widget's state (convlab.widgets.digits.network_state): each
// layer's kind, geometry and output shape, its weight and bias as float64 in base64.

import { conv2dPlanes } from "./kernels/correlation.js";
import { poolPlanes } from "./kernels/pooling.js";

/** Float64 numbers, little-endian, from base64 (null stays null). */
function decodeFloats(text) {
  if (text === null || text === undefined) return null;
  const bytes = atob(text);
  const raw = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) raw[i] = bytes.charCodeAt(i);
  return new Float64Array(raw.buffer);
}

/** The layers of a network state, their weights and biases decoded. */
export function decodeNetwork(state) {
  const layers = state.layers.map((layer) => ({
    ...layer,
    weight: decodeFloats(layer.weight ?? null),
    bias: decodeFloats(layer.bias ?? null),
  }));
  return { input: state.input, layers };
}

/** y = W x + b for a weight of out × in numbers, row by row (nn.Linear). */
function linear(W, b, x) {
  const n = x.length;
  const y = new Float64Array(W.length / n);
  for (let o = 0; o < y.length; o++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += W[o * n + i] * x[i];
    y[o] = b ? s + b[o] : s;
  }
  return y;
}

/** Each value, or 0 where it is negative (nn.ReLU). */
function relu(x) {
  return x.map((v) => Math.max(v, 0));
}

/** The probabilities exp(s) / Σ exp(s), the largest score subtracted first (softmax). */
export function softmax(scores) {
  let top = -Infinity;
  for (const s of scores) top = Math.max(top, s);
  const e = scores.map((s) => Math.exp(s - top));
  const total = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / total);
}

/** One layer of a decoded network on X (values, shape): its output values and shape. */
function apply(layer, X, shape) {
  switch (layer.kind) {
    case "conv": {
      const [outChannels] = layer.shape;
      const { kernel, stride, padding, groups } = layer;
      return conv2dPlanes(X, shape, layer.weight, [outChannels, ...kernel], layer.bias, {
        stride,
        padding,
        groups,
      });
    }
    case "max":
    case "mean":
      return poolPlanes(X, shape, layer.kind, layer.kernel, layer.stride, layer.padding);
    case "relu":
      return { Y: relu(X), shape };
    case "flatten":
      return { Y: X, shape: [X.length] };
    case "linear":
      return { Y: linear(layer.weight, layer.bias, X), shape: layer.shape };
    default:
      throw new Error(`unknown layer kind ${layer.kind}`);
  }
}

/**
 * Every layer's output for one digit (`image`: 64 values, row by row), in order:
 * [{ name, kind, shape, values }]; the last is the ten scores (feature_maps).
 */
export function forward(network, image) {
  let [X, shape] = [Float64Array.from(image), network.input];
  return network.layers.map((layer) => {
    ({ Y: X, shape } = apply(layer, X, shape));
    return { name: layer.name, kind: layer.kind, shape, values: X };
  });
}

/**
 * For tests and plain JSON: every layer's output ({ name: [values] }) and the
 * probabilities of each image, the network decoded once.
 */
export function featureMaps(state, images, withMaps = true) {
  const network = decodeNetwork(state);
  return images.map((image) => {
    const maps = forward(network, image);
    const scores = maps[maps.length - 1].values;
    const out = { scores: Array.from(scores), probabilities: Array.from(softmax(scores)) };
    if (withMaps) {
      out.maps = Object.fromEntries(maps.map((m) => [m.name, Array.from(m.values)]));
      out.shapes = Object.fromEntries(maps.map((m) => [m.name, m.shape]));
    }
    return out;
  });
}
