// Mirrors convlab.widgets.first_order (chapter 1, the first-order system).

import { formatNumber } from "./text.js";

/** Why samples dt apart cannot represent this pulse and system, or null (step_problem). */
export function stepProblem(T, W, dt) {
  const steps = W / dt;
  if (Math.abs(steps - Math.floor(steps + 0.5)) > 1e-9 * Math.max(1, steps)) {
    const [w, d] = [formatNumber(W), formatNumber(dt)];
    return (
      `The pulse must last a whole number of steps, but W / dt = ${w} / ${d} = ${formatNumber(steps)}. ` +
      `Sampled every ${d}, it would last ${formatNumber(Math.floor(steps) * dt)} or ` +
      `${formatNumber(Math.ceil(steps) * dt)}, not ${w}: choose a dt that divides W.`
    );
  }
  if (dt > T) {
    return (
      `The step dt = ${formatNumber(dt)} is longer than the time constant ` +
      `T = ${formatNumber(T)}: within one step h(t) falls to e^(−dt/T) = ` +
      `${formatNumber(Math.exp(-dt / T))} of its start, too fast for the samples ` +
      "to follow. Choose dt ≤ T."
    );
  }
  return null;
}
