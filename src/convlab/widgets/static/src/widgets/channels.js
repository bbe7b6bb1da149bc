// Mirrors convlab.widgets.channels (chapter 5): multiple input and output
// channels. X is [c][i][j], W is [o][c][a][b].

import { corr2d } from "../kernels/correlation.js";
import { formatCount } from "./text.js";

/** The input X[c][i][j] = (c·n² + i·n + j) mod 20 (channel_input). */
export function channelInput(inChannels, n) {
  return Array.from({ length: inChannels }, (_, c) =>
    Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => (c * n * n + i * n + j) % 20),
    ),
  );
}

/** The weight W[o][c][a][b] = ((c·k² + a·k + b) mod 10) + o (channel_weights). */
export function channelWeights(outChannels, inChannels, k) {
  return Array.from({ length: outChannels }, (_, o) =>
    Array.from({ length: inChannels }, (_, c) =>
      Array.from({ length: k }, (_, a) =>
        Array.from({ length: k }, (_, b) => ((c * k * k + a * k + b) % 10) + o),
      ),
    ),
  );
}

/**
 * Every output channel o: the correlations X[c] ⋆ W[o][c] (partials[o][c]) and
 * their sum plus b[o] (output[o]). Null when the kernel does not fit.
 */
export function multiChannelConv(X, W, b) {
  const partials = W.map((kernels) => kernels.map((K, c) => corr2d(X[c], K)));
  if (partials.some((row) => row.some((P) => P === null))) return null;
  const output = partials.map((row, o) =>
    row[0].map((line, i) => line.map((_, j) => row.reduce((s, P) => s + P[i][j], 0) + b[o])),
  );
  return { partials, output };
}

/** Why a k×k kernel cannot slide over n×n channels, or null (channels_problem). */
export function channelsProblem(n, k) {
  if (k <= n) return null;
  return (
    `The kernel is ${k}×${k} but each input channel is only ${n}×${n}: a window must fit ` +
    `inside the input (k ≤ n), and m = n − k + 1 = ${n} − ${k} + 1 = ${n - k + 1} leaves ` +
    `no output. The weight still has its shape and its ${k}·${k} taps per channel pair; ` +
    `only the multiply-adds need an output.`
  );
}

/** Weight shape, parameters, output shape and multiply-adds, filled in (count_texts). */
export function countTexts(ci, co, k, n) {
  const m = n - k + 1;
  const texts = {
    weight: `Weight shape (c_o, c_i, k_h, k_w) = (${co}, ${ci}, ${k}, ${k})`,
    params: `Parameters = c_o·c_i·k_h·k_w + c_o = ${co}·${ci}·${k}·${k} + ${co} = ${formatCount(co * ci * k * k + co)}`,
  };
  if (m < 1) {
    texts.output = `Output shape (c_o, m_h, m_w): none, since m = ${n} − ${k} + 1 = ${m}`;
    texts.macs = "Multiply-adds: none, there is no output";
  } else {
    texts.output = `Output shape (c_o, m_h, m_w) = (${co}, ${m}, ${m}), m = n − k + 1 = ${n} − ${k} + 1`;
    texts.macs =
      `Multiply-adds = c_o·c_i·k_h·k_w·m_h·m_w = ${co}·${ci}·${k}·${k}·${m}·${m} = ` +
      formatCount(co * ci * k * k * m * m);
  }
  return texts;
}
