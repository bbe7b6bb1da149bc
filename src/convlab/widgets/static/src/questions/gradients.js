// Mirrors convlab.questions.gradients: the kernel's and the bias's gradients
// (chapter 3), one entry of the input's gradient (chapter 9).

import { conv2dInputGradient } from "../kernels/backward.js";
import { corr2d, flip2d } from "../kernels/correlation.js";
import { number, question, signed, spelled } from "./base.js";
import { Draw } from "./seeds.js";

/** Chapter 3: one entry of ∂L/∂K for a 1 × 2 kernel, the residual given (kernel_gradient_question). */
export function kernelGradientQuestion(seed) {
  const r = new Draw(seed);
  const X = r.grid(2, 4, 0, 3);
  const R = r.grid(2, 3, -2, 2);
  const b = r.whole(0, 1);
  // ∂L/∂K = 2·corr2d(X, R) (convlab.training.kernel_gradient)
  const G = corr2d(X, R).map((row) => row.map((v) => 2 * v));
  const terms = [0, 1].flatMap((i) => [0, 1, 2].map((j) => [R[i][j], X[i][j + b]]));
  return question("kernel-gradient", seed, {
    title: "The gradient is a cross-correlation",
    prompt:
      "A 1 × 2 kernel K = [k₀, k₁] is applied to X by corr2d; R = Ŷ − Y is the residual of " +
      `the summed squared loss L = Σ (ŷ − y)². What is ∂L/∂k_${b}?`,
    grids: [
      ["input X", X],
      ["residual R = Ŷ − Y", R],
    ],
    answer: G[0][b],
    mistakes: [
      ["forgetting the factor 2", G[0][b] / 2, "The derivative of r² is 2r."],
      [
        "taking the residual the other way round",
        -G[0][b],
        "R is Ŷ − Y; with Y − Ŷ every term changes sign.",
      ],
      [
        "pairing the residual with the other tap's pixels",
        G[0][1 - b],
        `k_${b} multiplies x[i, j + ${b}] in output (i, j): pair r[i, j] with that pixel.`,
      ],
    ],
    hint: "∂L/∂k_b = Σ 2·r[i, j]·x[i, j + b]: every residual times the pixel k_b multiplied there.",
    solution: [
      `Σ r[i, j]·x[i, j + ${b}] = ${spelled(terms)}.`,
      `Times 2: ∂L/∂k_${b} = ${number(G[0][b])}.`,
    ],
    params: { X, R, b },
  });
}

/** Chapter 3: the bias's gradient under the mean loss (bias_gradient). */
export function biasGradient(seed) {
  const r = new Draw(seed);
  let R;
  let total;
  do {
    R = r.grid(2, 4, -3, 3);
    total = R.flat().reduce((s, v) => s + v, 0);
  } while (total === 0);
  const n = 8;
  const answer = (2 * total) / n;
  const shown = total < 0 ? `(${signed(total)})` : signed(total);
  return question("bias-gradient", seed, {
    title: "A mean loss and a bias",
    prompt:
      "A layer adds a bias b to every output; the loss is the mean L = (1/N) Σ (ŷ − y)² over " +
      "the N outputs. With the residual R = Ŷ − Y below, what is ∂L/∂b? (Two decimals are enough.)",
    grids: [["residual R = Ŷ − Y", R]],
    answer,
    mistakes: [
      ["forgetting to divide by N", 2 * total, `The mean divides the sum by the N = ${n} outputs.`],
      ["forgetting the factor 2", total / n, "The derivative of r² is 2r."],
    ],
    hint: "∂ŷ/∂b = 1 for every output, so ∂L/∂b = (2/N) Σ r.",
    solution: [
      `Σ r = ${signed(total)}, over N = ${n} outputs.`,
      `∂L/∂b = (2/N)·Σ r = 2·${shown}/${n} = ${signed(answer)}.`,
    ],
    params: { R },
  });
}

/** Chapter 3: one step of gradient descent on one weight (gd_step). */
export function gdStep(seed) {
  const r = new Draw(seed);
  const k = r.whole(-8, 8) / 4;
  const g = r.pick([-6, -4, -3, -2, -1, 1, 2, 3, 4, 6]);
  const lr = r.pick([0.05, 0.1, 0.25, 0.5]);
  const answer = k - lr * g;
  return question("gd-step", seed, {
    title: "One step downhill",
    prompt:
      `A weight is k = ${signed(k)} and the loss's gradient there is ∂L/∂k = ${signed(g)}. ` +
      `What is k after one gradient-descent step with learning rate η = ${number(lr)}?`,
    answer,
    mistakes: [
      ["adding the gradient", k + lr * g, "Descent moves against the gradient: k − η·∂L/∂k."],
      ["forgetting the learning rate", k - g, "The step is the gradient times η."],
    ],
    hint: "k ← k − η·∂L/∂k.",
    solution: [`k − η·∂L/∂k = ${signed(k)} − ${number(lr)}·(${signed(g)}) = ${signed(answer)}.`],
    params: { k, g, lr },
  });
}

/** Chapter 9: one entry of ∂L/∂X for Y = corr2d(X, K), given ∂L/∂Y (input_gradient). */
export function inputGradient(seed) {
  const r = new Draw(seed);
  const K = r.grid(2, 2, -2, 3);
  const G = r.grid(2, 2, -2, 2);
  const i = r.whole(0, 2);
  const j = r.whole(0, 2);
  const dX = conv2dInputGradient(G, K, [3, 3]);
  const unflipped = conv2dInputGradient(G, flip2d(K), [3, 3]);
  const reached = [];
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 2; b++) {
      if (i - a >= 0 && i - a < 2 && j - b >= 0 && j - b < 2) reached.push([a, b]);
    }
  }
  const terms = reached.map(([a, b]) => [G[i - a][j - b], K[a][b]]);
  return question("input-gradient", seed, {
    title: "The gradient with respect to the input",
    prompt:
      "Y = corr2d(X, K) for a 3 × 3 input X and the 2 × 2 kernel K below; G = ∂L/∂Y is " +
      `the gradient arriving from above. What is ∂L/∂X[${i}, ${j}]?`,
    grids: [
      ["kernel K", K],
      ["G = ∂L/∂Y", G],
    ],
    answer: dX[i][j],
    mistakes: [
      [
        "not flipping the kernel",
        unflipped[i][j],
        "∂L/∂X is G padded and convolved with K: K turned by 180°, or equally each g " +
          "scattering a copy of K as it stands.",
      ],
      [
        "keeping only the output cell of the same index",
        i < 2 && j < 2 ? G[i][j] * K[0][0] : 0,
        `X[${i}, ${j}] is read by every output whose window covers it, through a different tap each time.`,
      ],
    ],
    hint: "X[i, j] reaches Y[i − a, j − b] through tap K[a, b]: add G[i − a, j − b]·K[a, b] over the outputs that exist.",
    solution: [
      `The outputs that read X[${i}, ${j}]: ${reached.map(([a, b]) => `Y[${i - a}, ${j - b}] through K[${a}, ${b}]`).join(", ")}.`,
      `∂L/∂X[${i}, ${j}] = ${spelled(terms)}.`,
    ],
    params: { K, G, i, j },
  });
}
