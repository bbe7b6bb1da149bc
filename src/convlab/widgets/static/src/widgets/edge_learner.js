// Mirrors convlab.widgets.edge_learner (chapter 3): train the 1×2 kernel on the
// course's edge example, and say whether the learning rate converges, with the numbers.

import { learnKernel, lossHessian, symmetricEigenvalues } from "../training.js";
import { formatShort } from "./text.js";

const LOSS_CAP = 1e6; // a run whose loss passes this has diverged: stop drawing it

/** "a, b and c", each number as formatShort writes it. */
function listing(values) {
  const words = values.map(formatShort);
  return words.length === 1
    ? words[0]
    : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/**
 * Whether gradient descent with this learning rate converges on a quadratic loss
 * with these Hessian eigenvalues, in words with the numbers (edge_learner.rate_report).
 * Along an eigenvector, one step multiplies the error by 1 − lr·λ.
 */
export function rateReport(lr, eigenvalues) {
  const lams = eigenvalues.slice().sort((x, y) => y - x);
  const lamMax = lams[0];
  const factors = lams.map((lam) => 1 - lr * lam);
  // A direction with λ = 0 is one the loss cannot see: no step changes it.
  const worst = Math.max(...factors.filter((_, i) => lams[i] > 1e-12 * lamMax).map(Math.abs));
  const count = { 1: "one", 2: "two", 3: "three" }[lams.length] || String(lams.length);
  const curvature =
    `Along its ${count} main directions the loss has curvature λ = ${listing(lams)} ` +
    `(the eigenvalues of its Hessian), so the largest stable learning rate is ` +
    `2/λ_max = 2/${formatShort(lamMax)} = ${formatShort(2 / lamMax)}.`;
  const rate = formatShort(lr);
  if (worst < 1 - 1e-12) {
    const verdict =
      `lr ${rate} is below it: a step multiplies the error along those directions by ` +
      `1 − lr·λ = ${listing(factors)}, so training converges and the loss ends up ` +
      `shrinking ×${formatShort(worst ** 2)} per step.`;
    return { curvature, verdict, diverging: false };
  }
  if (worst > 1 + 1e-12) {
    const verdict =
      `lr ${rate} is above it: each step overshoots. Along the steepest direction a step ` +
      `multiplies the error by 1 − ${rate}·${formatShort(lamMax)} = ${formatShort(factors[0])}, ` +
      `so the error grows ×${formatShort(worst)} and the loss ×${formatShort(worst ** 2)} per step.`;
    return { curvature, verdict, diverging: true };
  }
  const verdict =
    `lr ${rate} is right at it: along the steepest direction each step multiplies ` +
    "the error by −1, so the loss neither shrinks nor grows.";
  return { curvature, verdict, diverging: true };
}

/** What the edge learner says when it stops a diverging run (edge_learner.stop_text). */
export function stopText(stepsDone, steps, loss, cap = LOSS_CAP) {
  return `Training stopped after step ${stepsDone} of ${steps}: the loss, ${formatShort(loss)}, passed ${formatShort(cap)}.`;
}

/**
 * Train the kernel K0 (and the bias b0 when `bias`) to map X to Y, as the widget
 * does (learn_edge): the run, stopped once its loss passes LOSS_CAP, the
 * eigenvalues of the loss's Hessian, largest first, what they say about this
 * learning rate, and the stop text when the run was cut short (else null).
 */
export function learnEdge(X, Y, K0, b0, { lr, steps, loss, bias }) {
  const history = learnKernel(X, Y, K0, b0, { lr, steps, loss, bias, stopAbove: LOSS_CAP });
  const eigenvalues = symmetricEigenvalues(lossHessian(X, K0.length, K0[0].length, loss, bias));
  const done = history.losses.length - 1;
  const stopped = history.stopped ? stopText(done, steps, history.losses[done]) : null;
  return { history, eigenvalues, report: rateReport(lr, eigenvalues), stopped };
}
