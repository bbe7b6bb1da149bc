// Mirrors convlab.widgets.separable (chapter 7): what a standard, a grouped and a
// depthwise-separable convolution cost, and the rule for groups.

import { formatSig } from "./text.js";

/** Greatest common divisor of two positive whole numbers. */
function gcd(a, b) {
  return b === 0 ? a : gcd(b, a % b);
}

/** The values groups may take for m → n channels: the divisors of gcd(m, n) (valid_groups). */
export function validGroups(m, n) {
  const common = gcd(m, n);
  // Divisors come in pairs g · (common / g): trying g up to √common finds them all
  // (a slider move asks twice, and common can be 512).
  const [small, large] = [[], []];
  for (let g = 1; g * g <= common; g++) {
    if (common % g !== 0) continue;
    small.push(g);
    if (g * g !== common) large.unshift(common / g);
  }
  return [...small, ...large];
}

/** "standard", "grouped" or "depthwise" (groups_kind). */
export function groupsKind(m, groups) {
  if (groups === 1) return "standard";
  return groups === m ? "depthwise" : "grouped";
}

/** The rule for groups in words, with the numbers filled in (groups_rule). */
export function groupsRule(m, n) {
  const common = gcd(m, n);
  const rule =
    `groups must divide both m = ${m} and n = ${n}, so it is a divisor of ` +
    `gcd(${m}, ${n}) = ${common}: ${validGroups(m, n).join(", ")}.`;
  if (n % m === 0) {
    const kernels = `${n / m} kernel${n / m > 1 ? "s" : ""}`;
    return `${rule} groups = m = ${m} is depthwise: each input channel is a group, with n / m = ${kernels}.`;
  }
  return `${rule} Depthwise (groups = m = ${m}) would need n to be a multiple of ${m}.`;
}

/** Why groups does not fit these channels, or null (groups_problem). */
export function groupsProblem(m, n, groups) {
  if (m % groups === 0 && n % groups === 0) return null;
  const bad = [
    ["m", m],
    ["n", n],
  ]
    .filter(([, c]) => c % groups)
    .map(([name, c]) => `${name} = ${c} (${c} / ${groups} is not whole)`);
  return (
    `groups = ${groups} does not divide ${bad.join(" or ")}: each group needs the same ` +
    `whole number of input and output channels. Pick one of ${validGroups(m, n).join(", ")}.`
  );
}

/** "1/n + 1/k² = 1/64 + 1/9 = 0.0156 + 0.111 = 0.127, 7.89× fewer" (ratio_text). */
export function ratioText(n, k) {
  const ratio = 1 / n + 1 / (k * k);
  return (
    `1/n + 1/k² = 1/${n} + 1/${k * k} = ${formatSig(1 / n)} + ${formatSig(1 / (k * k))} ` +
    `= ${formatSig(ratio)}, ${formatSig(1 / ratio)}× fewer`
  );
}

/**
 * Multiply-adds and weights (no biases) of a standard, a grouped and a
 * depthwise-separable convolution from m to n channels with k × k kernels on a
 * size × size output (cost; grouped ones are null when groups does not fit).
 */
export function cost(m, n, k, size, groups) {
  const pixels = size * size;
  const problem = groupsProblem(m, n, groups);
  const standardParams = k * k * m * n;
  const depthwiseParams = k * k * m;
  const pointwiseParams = m * n;
  return {
    standardMacs: standardParams * pixels,
    depthwiseMacs: depthwiseParams * pixels,
    pointwiseMacs: pointwiseParams * pixels,
    separableMacs: (depthwiseParams + pointwiseParams) * pixels,
    standardParams,
    depthwiseParams,
    pointwiseParams,
    separableParams: depthwiseParams + pointwiseParams,
    groupedMacs: problem ? null : k * k * (m / groups) * n * pixels,
    groupedParams: problem ? null : k * k * (m / groups) * n,
    ratio: 1 / n + 1 / (k * k),
    problem,
  };
}
