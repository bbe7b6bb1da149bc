// Mirrors convlab.questions.registry: each chapter's kinds of question, drawn from a seed.

import {
  denseParamsQuestion,
  groupedParamsQuestion,
  im2colElements,
  im2colShape,
  layerMacs,
  layerParams,
  lenetFeatures,
  lenetParams,
  localWeightsQuestion,
  loopCalls,
  separableMacsQuestion,
  separableParamsQuestion,
  sharedWeightsQuestion,
} from "./costs.js";
import { dilatedCells, stackField, strideCells } from "./fields.js";
import { biasGradient, gdStep, inputGradient, kernelGradientQuestion } from "./gradients.js";
import {
  corrSize,
  dilatedSize,
  lenetSide,
  paddedSize,
  poolSize,
  samePadding,
  stridedSize,
  transposedSize,
} from "./sizes.js";
import {
  avgPoolPadded,
  convValue,
  corrValue,
  maxPoolValue,
  multiInValue,
  transposedValue,
} from "./values.js";

// Each chapter's kinds, in the order the quiz shows them (CHAPTERS).
const CHAPTERS = {
  ch01: ["dense-params", "local-weights", "shared-weights"],
  ch02: ["corr-size", "corr-value", "conv-value"],
  ch03: ["kernel-gradient", "bias-gradient", "gd-step"],
  ch04: ["padded-size", "strided-size", "same-padding", "stride-cells"],
  ch05: ["multi-in-value", "layer-params", "layer-macs"],
  ch06: ["pool-size", "max-pool-value", "avg-pool-padded"],
  ch07: ["grouped-params", "separable-params", "separable-macs"],
  ch08: ["dilated-size", "dilated-cells", "stack-field"],
  ch09: ["transposed-size", "transposed-value", "input-gradient"],
  ch10: ["lenet-side", "lenet-features", "lenet-params"],
  appendix: ["loop-calls", "im2col-shape", "im2col-elements"],
};

/** The kinds of question `chapter` asks, in order (chapter_kinds). */
export function chapterKinds(chapter) {
  return CHAPTERS[chapter] ?? [];
}

const KINDS = {
  "dense-params": denseParamsQuestion,
  "local-weights": localWeightsQuestion,
  "shared-weights": sharedWeightsQuestion,
  "corr-size": corrSize,
  "corr-value": corrValue,
  "conv-value": convValue,
  "kernel-gradient": kernelGradientQuestion,
  "bias-gradient": biasGradient,
  "gd-step": gdStep,
  "padded-size": paddedSize,
  "strided-size": stridedSize,
  "same-padding": samePadding,
  "stride-cells": strideCells,
  "multi-in-value": multiInValue,
  "layer-params": layerParams,
  "layer-macs": layerMacs,
  "pool-size": poolSize,
  "max-pool-value": maxPoolValue,
  "avg-pool-padded": avgPoolPadded,
  "grouped-params": groupedParamsQuestion,
  "separable-params": separableParamsQuestion,
  "separable-macs": separableMacsQuestion,
  "dilated-size": dilatedSize,
  "dilated-cells": dilatedCells,
  "stack-field": stackField,
  "transposed-size": transposedSize,
  "transposed-value": transposedValue,
  "input-gradient": inputGradient,
  "lenet-side": lenetSide,
  "lenet-features": lenetFeatures,
  "lenet-params": lenetParams,
  "loop-calls": loopCalls,
  "im2col-shape": im2colShape,
  "im2col-elements": im2colElements,
};

/** The question of `kind` drawn from `seed` (draw). */
export function draw(kind, seed) {
  const make = KINDS[kind];
  if (!make) throw new Error(`no question kind "${kind}"`);
  return make(seed);
}
