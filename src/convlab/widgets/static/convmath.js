// convmath.js: the small amount of convolution maths the browser repeats so
// that sliders recompute on a static page with no Python kernel.
// Every function here mirrors one in convlab.kernels (Python); tests run this
// module in Node on random cases and compare with the Python results.
// Matrices are arrays of rows (arrays of numbers).

/** Output length along one axis: floor((n + 2p - d(k-1) - 1) / s) + 1. */
export function outputSize(n, k, stride = 1, padding = 0, dilation = 1) {
  return Math.floor((n + 2 * padding - dilation * (k - 1) - 1) / stride) + 1;
}

/** A rows x cols matrix filled with `value`. */
export function full(rows, cols, value = 0) {
  return Array.from({ length: rows }, () => new Array(cols).fill(value));
}

/** The kernel flipped top-to-bottom and left-to-right. */
export function flip2d(K) {
  return K.slice().reverse().map((row) => row.slice().reverse());
}

/** Surround X with `ph` rows of zeros above and below, `pw` columns left and right. */
export function pad2d(X, ph, pw = ph) {
  const cols = X[0].length + 2 * pw;
  const out = full(X.length + 2 * ph, cols);
  X.forEach((row, i) => row.forEach((v, j) => (out[i + ph][j + pw] = v)));
  return out;
}

/**
 * The input cells one output cell reads: [{row, col, x, k}] with row/col in the
 * padded input. Mirrors the window of convlab.kernels.conv2d.
 */
export function windowTerms(Xp, K, i, j, stride = [1, 1], dilation = [1, 1]) {
  const terms = [];
  K.forEach((krow, a) =>
    krow.forEach((k, b) => {
      const row = i * stride[0] + a * dilation[0];
      const col = j * stride[1] + b * dilation[1];
      terms.push({ row, col, x: Xp[row][col], k });
    }),
  );
  return terms;
}

/**
 * 2-D cross-correlation of one channel with per-axis stride, zero padding and
 * dilation, like convlab.kernels.conv2d on a (1, 1, H, W) input.
 * Returns null when the kernel does not fit (use conv2dProblem to say why).
 */
export function correlate2d(X, K, { stride = [1, 1], padding = [0, 0], dilation = [1, 1] } = {}) {
  const Xp = pad2d(X, padding[0], padding[1]);
  const oh = outputSize(X.length, K.length, stride[0], padding[0], dilation[0]);
  const ow = outputSize(X[0].length, K[0].length, stride[1], padding[1], dilation[1]);
  if (oh < 1 || ow < 1) return null;
  const Y = full(oh, ow);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      let s = 0;
      for (const t of windowTerms(Xp, K, i, j, stride, dilation)) s += t.x * t.k;
      Y[i][j] = s;
    }
  }
  return Y;
}

/** The plain corr2d of the course: no padding, stride 1. */
export function corr2d(X, K) {
  return correlate2d(X, K);
}

/** True convolution: cross-correlation with the kernel flipped both ways. */
export function convolve2d(X, K) {
  return correlate2d(X, flip2d(K));
}

/**
 * Why a kernel of size k (per axis) cannot slide over an input of size n, in
 * words with the numbers, or null when it fits. Same text as
 * convlab.widgets.stepper.size_problem in Python.
 */
export function sizeProblem(nh, nw, kh, kw) {
  for (const [axis, n, k] of [["row", nh, kh], ["column", nw, kw]]) {
    if (k > n) {
      return (
        `The kernel has ${k} ${axis}s but the input has only ${n}: a window must fit ` +
        `inside the input (k ≤ n), and n − k + 1 = ${n} − ${k} + 1 = ${n - k + 1} ` +
        `leaves no output ${axis}.`
      );
    }
  }
  return null;
}

/** A number as the widgets print it: integers as is, others with up to 3 decimals. */
export function formatNumber(v) {
  if (Number.isInteger(v)) return String(v);
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? "0" : String(r);
}

/** "0×0 + 1×1 + 3×2 + 4×3 = 19": one output cell's sum, spelled out. */
export function spelledSum(terms) {
  const show = (v) => (v < 0 ? `(${formatNumber(v)})` : formatNumber(v));
  const total = terms.reduce((s, t) => s + t.x * t.k, 0);
  return `${terms.map((t) => `${show(t.x)}×${show(t.k)}`).join(" + ")} = ${formatNumber(total)}`;
}

// --- Chapter 4: padding and stride (ConvolutionExplorer) ---
// Mirrors of convlab.widgets.explorer; sizes and settings are [height, width] pairs.

/** The numbers 0, 1, 2, … row by row, counted modulo `modulo` (explorer.pattern_grid). */
export function patternGrid(rows, cols, modulo) {
  const row = (i) => Array.from({ length: cols }, (_, j) => (i * cols + j) % modulo);
  return Array.from({ length: rows }, (_, i) => row(i));
}

/** An integer with a typographic minus sign, as in the formulas. */
function signedText(v) {
  return v < 0 ? `−${-v}` : String(v);
}

/** The output-size formula for one axis with the numbers filled in (explorer.size_formula). */
export function sizeFormula(axis, n, k, s, p, d) {
  const top = n + 2 * p - d * (k - 1) - 1;
  return (
    `Output ${axis} = ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 = ` +
    `⌊(${n} + 2·${p} − ${d}·(${k} − 1) − 1)/${s}⌋ + 1 = ` +
    `⌊${signedText(top)}/${s}⌋ + 1 = ${signedText(Math.floor(top / s) + 1)}`
  );
}

/** The nn.Conv2d layer (one channel in and out, no bias) with these settings. */
export function conv2dCall(kernelSize, stride, padding, dilation) {
  const pair = ([a, b]) => `(${a}, ${b})`;
  return (
    `nn.Conv2d(1, 1, kernel_size=${pair(kernelSize)}, stride=${pair(stride)}, ` +
    `padding=${pair(padding)}, dilation=${pair(dilation)}, bias=False)`
  );
}

/**
 * Why the (dilated) kernel cannot slide over the padded input, in words with the
 * numbers, or null. Same text as explorer.conv2d_problem in Python.
 */
export function conv2dProblem(inputSize, kernelSize, padding = [0, 0], dilation = [1, 1]) {
  const sentences = [];
  ["row", "column"].forEach((axis, i) => {
    const [n, k, p, d] = [inputSize[i], kernelSize[i], padding[i], dilation[i]];
    const span = d * (k - 1) + 1;
    const padded = n + 2 * p;
    if (span > padded) {
      const kind = d === 1 ? "kernel" : "dilated kernel";
      sentences.push(
        `The ${kind} spans d·(k − 1) + 1 = ${d}·(${k} − 1) + 1 = ${span} ${axis}s, ` +
          `but the padded input has only n + 2p = ${n} + 2·${p} = ${padded}: a window ` +
          `must fit inside the padded input (d·(k − 1) + 1 ≤ n + 2p), so there is ` +
          `no output ${axis}.`,
      );
    }
  });
  return sentences.length ? sentences.join(" ") : null;
}

/** The input cells [row, col] that no window reads (explorer.unread_cells). */
export function unreadCells(inputSize, kernelSize, stride, padding, dilation) {
  const read = [0, 1].map((i) => {
    const [n, k, s, p, d] = [inputSize[i], kernelSize[i], stride[i], padding[i], dilation[i]];
    const count = Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
    const cells = new Set();
    for (let w = 0; w < count; w++) for (let a = 0; a < k; a++) cells.add(w * s + a * d - p);
    return cells;
  });
  const unread = [];
  for (let i = 0; i < inputSize[0]; i++) {
    for (let j = 0; j < inputSize[1]; j++) if (!read[0].has(i) || !read[1].has(j)) unread.push([i, j]);
  }
  return unread;
}

// --- Chapter 1: from dense layers to convolution (ParameterCounter, FirstOrderSystem) ---
// Mirrors of convlab.counting, convlab.signals, convlab.kernels.convolve1d and the
// text helpers of convlab.widgets.params / convlab.widgets.first_order.

/** 3600000100 -> "3,600,000,100" (params.format_count). */
export function groupDigits(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Bytes in decimal units with about 3 significant digits: "14.4 GB" (counting.format_bytes). */
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

/** About `digits` significant digits, trailing zeros dropped: 0.00497 (first_order.format_sig). */
export function formatSig(v, digits = 3) {
  if (v === 0) return "0";
  if (Math.abs(v) >= 1000) return String(Math.floor(v + 0.5));
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(v))));
  const scale = 10 ** decimals;
  let text = (Math.floor(v * scale + 0.5) / scale).toFixed(decimals);
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  return text === "-0" || text === "" ? "0" : text;
}

/** dense ÷ conv for the table: "1,285,639", "2.5" or "1 / 3,600" (params.format_ratio). */
export function formatRatio(dense, conv) {
  const ratio = dense / conv;
  if (ratio >= 10) return groupDigits(Math.floor(ratio + 0.5));
  if (ratio >= 0.01) return formatNumber(ratio);
  return `1 / ${groupDigits(Math.floor(conv / dense + 0.5))}`;
}

/**
 * Parameters (weights + biases) of nn.Linear(c·n², hidden) and of
 * nn.Conv2d(c, outChannels, kernel) on an n × n image with c channels, and their
 * float32 bytes (params.count; conv is null when the kernel does not fit).
 */
export function paramCounts(side, channels, hidden, outChannels, kernel) {
  const inputs = channels * side * side;
  const dense = inputs * hidden + hidden;
  const fits = paramsProblem(side, kernel) === null;
  const conv = fits ? outChannels * channels * kernel * kernel + outChannels : null;
  return { inputs, dense, conv, denseBytes: 4 * dense, convBytes: fits ? 4 * conv : null };
}

/** Why a k × k kernel cannot slide over an n × n image, or null (params.size_problem). */
export function paramsProblem(side, kernel) {
  if (kernel <= side) return null;
  return (
    `The kernel (${kernel}×${kernel}) is larger than the image (${side}×${side}): ` +
    `a window must fit inside the image (k ≤ n), and n − k + 1 = ${side} − ${kernel} ` +
    `+ 1 = ${side - kernel + 1} leaves no output pixel.`
  );
}

/**
 * True 1-D convolution, full length: y[n] = Σ_k x[k] h[n − k] (kernels.convolve1d).
 * Sample k of x adds a copy of h scaled by x[k], starting at k; zero samples add
 * nothing, so they are skipped (same sums, much faster for a short pulse).
 */
export function convolve1d(x, h) {
  const y = new Array(x.length + h.length - 1).fill(0);
  for (let k = 0; k < x.length; k++) {
    if (x[k] === 0) continue;
    for (let i = 0; i < h.length; i++) y[k + i] += x[k] * h[i];
  }
  return y;
}

/** Closed-form answer of h(t) = e^(−t/T)/T to a pulse of width W (signals.rectangle_response). */
export function firstOrderPulse(t, T, W) {
  if (t < 0) return 0;
  if (t <= W) return 1 - Math.exp(-t / T);
  return Math.exp((W - t) / T) - Math.exp(-t / T); // (e^(W/T) − 1) e^(−t/T), the afterglow
}

/**
 * The pulse sampled every dt, convolved with the sampled h: y ≈ dt · (x * h), next
 * to the closed form, on t = 0 … ⌈W + 5T⌉ (signals.simulate_rectangle).
 */
export function firstOrderSimulation(T, W, dt) {
  const tMax = Math.ceil(W + 5 * T);
  const n = Math.floor(tMax / dt + 0.5) + 1;
  const ones = Math.floor(W / dt + 0.5);
  const t = Array.from({ length: n }, (_, k) => k * dt);
  const x = t.map((_, k) => (k < ones ? 1 : 0));
  const h = t.map((tk) => Math.exp(-tk / T) / T);
  const y = convolve1d(x, h)
    .slice(0, n)
    .map((v) => dt * v);
  const exact = t.map((tk) => firstOrderPulse(tk, T, W));
  const maxError = y.reduce((m, v, k) => Math.max(m, Math.abs(v - exact[k])), 0);
  return { t, x, y, exact, maxError };
}

/** Why samples dt apart cannot represent this pulse and system, or null (first_order.step_problem). */
export function firstOrderProblem(T, W, dt) {
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

// --- Chapter 3: learning an edge detector (EdgeLearner) ---
// Mirrors of convlab.training (learn_kernel, loss_hessian) and of the text helpers
// of convlab.widgets.edge_learner. Gradient descent on a kernel (and a bias) with
// the closed-form gradient: ∂L/∂K = 2·corr2d(X, Ŷ − Y), ∂L/∂b = 2·Σ(Ŷ − Y), ÷N for a mean.

/**
 * Learn a kernel that maps X to Y, starting from K0 (and b0 when `bias`).
 * Entry t of losses/kernels/biases belongs to the weights after t updates; a run
 * stops early once its loss passes `stopAbove` or is not finite (learn_kernel).
 */
export function learnKernel(X, Y, K0, b0, { lr, steps, loss = "sum", bias = false, stopAbove = Infinity }) {
  const scale = loss === "mean" ? 1 / (Y.length * Y[0].length) : 1;
  let K = K0.map((row) => row.slice());
  let b = bias ? b0 : 0;
  const losses = [];
  const kernels = [];
  const biases = bias ? [] : null;
  for (let t = 0; ; t++) {
    const Yhat = corr2d(X, K).map((row) => row.map((v) => v + b));
    const R = Yhat.map((row, i) => row.map((v, j) => v - Y[i][j]));
    let squares = 0;
    let residualSum = 0;
    R.forEach((row) => row.forEach((r) => ((squares += r * r), (residualSum += r))));
    const L = squares * scale;
    losses.push(L);
    kernels.push(K);
    if (bias) biases.push(b);
    const stopped = !Number.isFinite(L) || L > stopAbove;
    if (t === steps || stopped) return { losses, kernels, biases, output: Yhat, stopped };
    const G = correlate2d(X, R); // the kernel's gradient is a cross-correlation
    K = K.map((row, a) => row.map((k, c) => k - lr * 2 * scale * G[a][c]));
    if (bias) b -= lr * 2 * scale * residualSum;
  }
}

/**
 * The Hessian of the squared loss: 2·Σ x xᵀ over the kh × kw windows x of X
 * (a 1 appended for the bias), ÷ the number of windows for a mean (loss_hessian).
 */
export function lossHessian(X, kh, kw, loss = "sum", bias = false) {
  const windows = [];
  for (let i = 0; i + kh <= X.length; i++) {
    for (let j = 0; j + kw <= X[0].length; j++) {
      const x = [];
      for (let a = 0; a < kh; a++) for (let c = 0; c < kw; c++) x.push(X[i + a][j + c]);
      if (bias) x.push(1);
      windows.push(x);
    }
  }
  const p = windows[0].length;
  const scale = loss === "mean" ? 2 / windows.length : 2;
  return Array.from({ length: p }, (_, r) =>
    Array.from({ length: p }, (_, c) => scale * windows.reduce((s, x) => s + x[r] * x[c], 0)),
  );
}

/** Eigenvalues of a small symmetric matrix, largest first (Jacobi rotations). */
export function symmetricEigenvalues(M) {
  const n = M.length;
  const A = M.map((row) => row.slice());
  const norm = A.reduce((s, row) => s + row.reduce((t, v) => t + v * v, 0), 0);
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p][q] * A[p][q];
    if (off <= 1e-32 * norm) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (A[p][q] === 0) continue;
        // Rotate in the (p, q) plane so that A[p][q] becomes 0.
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [kp, kq] = [A[k][p], A[k][q]];
          A[k][p] = c * kp - s * kq;
          A[k][q] = s * kp + c * kq;
        }
        for (let k = 0; k < n; k++) {
          const [pk, qk] = [A[p][k], A[q][k]];
          A[p][k] = c * pk - s * qk;
          A[q][k] = s * pk + c * qk;
        }
      }
    }
  }
  return A.map((row, i) => row[i]).sort((x, y) => y - x);
}

/** 3 significant digits, exponent form when large or small: 0.0333, 25, 4.37e-4, 2.05e7 (format_short). */
export function formatShort(v) {
  if (v === 0) return "0";
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const [mantissa, exponent] = v.toExponential(2).split("e");
    return `${mantissa.replace(/\.?0+$/, "")}e${Number(exponent)}`;
  }
  return String(Number(v.toPrecision(3)));
}

function edgeListing(values) {
  const words = values.map(formatShort);
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
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
    `Along its ${count} main directions the loss has curvature λ = ${edgeListing(lams)} ` +
    `(the eigenvalues of its Hessian), so the largest stable learning rate is ` +
    `2/λ_max = 2/${formatShort(lamMax)} = ${formatShort(2 / lamMax)}.`;
  const rate = formatShort(lr);
  if (worst < 1 - 1e-12) {
    const verdict =
      `lr ${rate} is below it: a step multiplies the error along those directions by ` +
      `1 − lr·λ = ${edgeListing(factors)}, so training converges and the loss ends up ` +
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
export function stopText(stepsDone, steps, loss, cap) {
  return `Training stopped after step ${stepsDone} of ${steps}: the loss, ${formatShort(loss)}, passed ${formatShort(cap)}.`;
}

// --- Chapter 7: depthwise-separable convolution (SeparableCost) ---
// Mirrors of convlab.counting (conv2d_macs, grouped_params, separable_ratio) and of
// convlab.widgets.separable (valid_groups, groups_rule, groups_problem, ratio_text, cost).

/** Greatest common divisor of two positive whole numbers. */
function channelGcd(a, b) {
  return b === 0 ? a : channelGcd(b, a % b);
}

/** The values groups may take for m → n channels: the divisors of gcd(m, n) (separable.valid_groups). */
export function validGroups(m, n) {
  const common = channelGcd(m, n);
  return Array.from({ length: common }, (_, i) => i + 1).filter((g) => common % g === 0);
}

/** "standard", "grouped" or "depthwise" (separable.groups_kind). */
export function groupsKind(m, groups) {
  if (groups === 1) return "standard";
  return groups === m ? "depthwise" : "grouped";
}

/** The rule for groups in words, with the numbers filled in (separable.groups_rule). */
export function groupsRule(m, n) {
  const common = channelGcd(m, n);
  const rule =
    `groups must divide both m = ${m} and n = ${n}, so it is a divisor of ` +
    `gcd(${m}, ${n}) = ${common}: ${validGroups(m, n).join(", ")}.`;
  if (n % m === 0) {
    const kernels = `${n / m} kernel${n / m > 1 ? "s" : ""}`;
    return `${rule} groups = m = ${m} is depthwise: each input channel is a group, with n / m = ${kernels}.`;
  }
  return `${rule} Depthwise (groups = m = ${m}) would need n to be a multiple of ${m}.`;
}

/** Why groups does not fit these channels, or null (separable.groups_problem). */
export function groupsProblem(m, n, groups) {
  if (m % groups === 0 && n % groups === 0) return null;
  const bad = [["m", m], ["n", n]]
    .filter(([, c]) => c % groups)
    .map(([name, c]) => `${name} = ${c} (${c} / ${groups} is not whole)`);
  return (
    `groups = ${groups} does not divide ${bad.join(" or ")}: each group needs the same ` +
    `whole number of input and output channels. Pick one of ${validGroups(m, n).join(", ")}.`
  );
}

/** "1/n + 1/k² = 1/64 + 1/9 = 0.0156 + 0.111 = 0.127, 7.89× fewer" (separable.ratio_text). */
export function separableRatioText(n, k) {
  const ratio = 1 / n + 1 / (k * k);
  return (
    `1/n + 1/k² = 1/${n} + 1/${k * k} = ${formatSig(1 / n)} + ${formatSig(1 / (k * k))} ` +
    `= ${formatSig(ratio)}, ${formatSig(1 / ratio)}× fewer`
  );
}

/**
 * Multiply-adds and weights (no biases) of a standard, a grouped and a
 * depthwise-separable convolution from m to n channels with k × k kernels on a
 * size × size output (separable.cost; grouped ones are null when groups does not fit).
 */
export function separableCosts(m, n, k, size, groups) {
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
    groupedMacs: problem ? null : (k * k * (m / groups) * n) * pixels,
    groupedParams: problem ? null : k * k * (m / groups) * n,
    ratio: 1 / n + 1 / (k * k),
    problem,
  };
}

// --- Chapter 5: multiple input and output channels (MultiChannelConv) ---
// Mirrors of convlab.widgets.channels; X is [c][i][j], W is [o][c][a][b].

/** The input X[c][i][j] = (c·n² + i·n + j) mod 20 (channels.channel_input). */
export function channelInput(inChannels, n) {
  return Array.from({ length: inChannels }, (_, c) =>
    Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (c * n * n + i * n + j) % 20)),
  );
}

/** The weight W[o][c][a][b] = ((c·k² + a·k + b) mod 10) + o (channels.channel_weights). */
export function channelWeights(outChannels, inChannels, k) {
  return Array.from({ length: outChannels }, (_, o) =>
    Array.from({ length: inChannels }, (_, c) =>
      Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => ((c * k * k + a * k + b) % 10) + o)),
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

/** Why a k×k kernel cannot slide over n×n channels, or null (channels.channels_problem). */
export function channelsProblem(n, k) {
  if (k <= n) return null;
  return (
    `The kernel is ${k}×${k} but each input channel is only ${n}×${n}: a window must fit ` +
    `inside the input (k ≤ n), and m = n − k + 1 = ${n} − ${k} + 1 = ${n - k + 1} leaves ` +
    `no output. The weight still has its shape and its ${k}·${k} taps per channel pair; ` +
    `only the multiply-adds need an output.`
  );
}

/** Weight shape, parameters, output shape and multiply-adds, filled in (channels.count_texts). */
export function channelCounts(ci, co, k, n) {
  const m = n - k + 1;
  const texts = {
    weight: `Weight shape (c_o, c_i, k_h, k_w) = (${co}, ${ci}, ${k}, ${k})`,
    params: `Parameters = c_o·c_i·k_h·k_w + c_o = ${co}·${ci}·${k}·${k} + ${co} = ${groupDigits(co * ci * k * k + co)}`,
  };
  if (m < 1) {
    texts.output = `Output shape (c_o, m_h, m_w): none, since m = ${n} − ${k} + 1 = ${m}`;
    texts.macs = "Multiply-adds: none, there is no output";
  } else {
    texts.output = `Output shape (c_o, m_h, m_w) = (${co}, ${m}, ${m}), m = n − k + 1 = ${n} − ${k} + 1`;
    texts.macs =
      `Multiply-adds = c_o·c_i·k_h·k_w·m_h·m_w = ${co}·${ci}·${k}·${k}·${m}·${m} = ` +
      groupDigits(co * ci * k * k * m * m);
  }
  return texts;
}

// --- Chapter 8: dilation and receptive fields (ReceptiveFieldExplorer) ---
// Mirrors convlab.receptive_field. A layer is [k, s, d, p]: kernel size, stride,
// dilation, padding per side, along one axis.

/** Size, jump and start of each layer's receptive field, by the recurrence (receptive_field). */
export function receptiveField(layers) {
  let [size, jump, start] = [1, 1, 0];
  return layers.map(([k, s, d, p = 0]) => {
    size += (k - 1) * d * jump;
    start -= p * jump;
    jump *= s;
    return { size, jump, start };
  });
}

/** The closed form 1 + Σ (k_l − 1)·d_l·Π_{i<l} s_i (receptive_field_size). */
export function receptiveFieldSize(layers) {
  let [total, product] = [1, 1];
  for (const [k, s, d] of layers) {
    total += (k - 1) * d * product;
    product *= s;
  }
  return total;
}

/** The cells of the input and of each layer while there are any (layer_lengths). */
export function stackLengths(n, layers) {
  const lengths = [n];
  for (const [k, s, d, p = 0] of layers) {
    const top = lengths[lengths.length - 1] + 2 * p - d * (k - 1) - 1;
    if (top < 0) break;
    lengths.push(Math.floor(top / s) + 1);
  }
  return lengths;
}

/** Why the stack leaves no output for an input of n cells, or "" (stack_problem). */
export function stackProblem(n, layers) {
  const lengths = stackLengths(n, layers);
  if (lengths.length > layers.length) return "";
  const number = lengths.length;
  const [k, , d, p = 0] = layers[number - 1];
  const below = number === 1 ? "the input has" : `layer ${number - 1} has`;
  const padded = p === 0 ? "" : ` even with ${p} cell${p > 1 ? "s" : ""} of padding per side`;
  let need = 1;
  for (const [kk, ss, dd, pp = 0] of layers.slice().reverse()) {
    need = Math.max(1, (need - 1) * ss + dd * (kk - 1) + 1 - 2 * pp);
  }
  return (
    `Layer ${number} has no output: its kernel spans d·(k − 1) + 1 = ` +
    `${d}·(${k} − 1) + 1 = ${d * (k - 1) + 1} cells, but ${below} only ` +
    `${lengths[lengths.length - 1]}${padded}. This stack needs an input of at least ${need} cells; ` +
    `the input has ${n}.`
  );
}

/** The cells output cell `index` depends on, per layer from the input up (dependencies). */
export function stackDependencies(layers, index, n) {
  const lengths = stackLengths(n, layers);
  let cells = [index];
  const out = [cells];
  for (let l = layers.length - 1; l >= 0; l--) {
    const [k, s, d, p = 0] = layers[l];
    const below = new Set();
    for (const i of cells) {
      for (let t = 0; t < k; t++) {
        const c = i * s + t * d - p;
        if (c >= 0 && c < lengths[l]) below.add(c);
      }
    }
    cells = [...below].sort((a, b) => a - b);
    out.unshift(cells);
  }
  return out;
}

/** Cells as runs, "0–4, 6, 8–10", or "0, 2, …, 12 (every second)" (format_cells). */
export function formatCells(cells) {
  const c = cells.slice().sort((a, b) => a - b);
  if (!c.length) return "none";
  if (c.length > 3) {
    const step = c[1] - c[0];
    if (step > 1 && c.every((v, i) => i === 0 || v - c[i - 1] === step)) {
      const nth = { 2: "second", 3: "third" }[step] || `${step}th`;
      return `${c[0]}, ${c[1]}, …, ${c[c.length - 1]} (every ${nth})`;
    }
  }
  const runs = [];
  let first = c[0];
  c.forEach((v, i) => {
    if (i === c.length - 1 || c[i + 1] !== v + 1) {
      runs.push(v === first ? String(v) : `${first}–${v}`);
      first = c[i + 1];
    }
  });
  return runs.join(", ");
}

/** r = 1 + Σ (k − 1)·d·j with the numbers filled in (receptive_field.size_formula). */
export function receptiveSizeFormula(layers) {
  const fields = receptiveField(layers);
  const jumps = [1, ...fields.slice(0, -1).map((f) => f.jump)];
  const terms = layers.map(([k, , d], l) => `(${k} − 1)·${d}·${jumps[l]}`).join(" + ");
  return `r = 1 + Σ (k − 1)·d·j = 1 + ${terms} = ${fields[fields.length - 1].size}`;
}

/** j = s₁·…·s_L with the numbers filled in (receptive_field.jump_formula). */
export function jumpFormula(layers) {
  const strides = layers.map(([, s]) => s);
  return `j = s₁·…·s_L = ${strides.join("·")} = ${strides.reduce((a, b) => a * b, 1)}`;
}

// --- Chapter 6: pooling (PoolingExplorer) ---
// Mirrors of convlab.kernels.max_pool2d / avg_pool2d and convlab.widgets.pooling_explorer.
// Sizes and settings are [height, width] pairs.

/**
 * Max or mean pooling of one channel, like convlab.kernels.max_pool2d / avg_pool2d
 * (PyTorch's defaults): for "max" the padding cells hold −∞ and never win; for
 * "mean" they hold zeros and count in the mean (count_include_pad=True).
 * Returns null when the window does not fit (use poolProblem to say why).
 */
export function pool2dLayer(X, mode, kernel, stride = kernel, padding = [0, 0]) {
  const fill = mode === "max" ? -Infinity : 0;
  const Xp = full(X.length + 2 * padding[0], X[0].length + 2 * padding[1], fill);
  X.forEach((row, i) => row.forEach((v, j) => (Xp[i + padding[0]][j + padding[1]] = v)));
  const oh = outputSize(X.length, kernel[0], stride[0], padding[0]);
  const ow = outputSize(X[0].length, kernel[1], stride[1], padding[1]);
  if (oh < 1 || ow < 1) return null;
  const Y = full(oh, ow);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      const values = [];
      for (let a = 0; a < kernel[0]; a++) {
        for (let b = 0; b < kernel[1]; b++) values.push(Xp[i * stride[0] + a][j * stride[1] + b]);
      }
      Y[i][j] = mode === "max" ? Math.max(...values) : values.reduce((s, v) => s + v, 0) / values.length;
    }
  }
  return Y;
}

/** The pooling explorer's input: zeros, a 3×3 square of ones moved `shift` columns right. */
export function squareInput(shift, grid = 8, [top, left, side] = [2, 1, 3]) {
  const X = full(grid, grid);
  for (let i = top; i < top + side; i++) for (let j = left + shift; j < left + shift + side; j++) X[i][j] = 1;
  return X;
}

/** The PyTorch layer with these settings (pooling_explorer.pool_call). */
export function poolCall(mode, k, s, p) {
  const name = mode === "max" ? "MaxPool2d" : "AvgPool2d";
  return `nn.${name}(kernel_size=${k}, stride=${s}, padding=${p})`;
}

/** How many cells of two equally shaped matrices differ. */
export function countChanged(A, B) {
  return A.reduce((n, row, i) => n + row.filter((v, j) => v !== B[i][j]).length, 0);
}

/**
 * Why a k×k pool with padding p cannot run on a map of `size`, in words, or null.
 * Same text as pooling_explorer.pool_problem in Python.
 */
export function poolProblem(size, k, p) {
  if (2 * p > k) {
    return (
      `Padding ${p} is more than half the window ${k}: pooling needs p ≤ k/2 ` +
      `(2·${p} = ${2 * p} > ${k}); with more, a corner window would hold more ` +
      `padding than map. PyTorch refuses it too.`
    );
  }
  const sentences = [];
  ["rows", "columns"].forEach((axis, i) => {
    const n = size[i];
    if (k > n + 2 * p) {
      sentences.push(
        `The window spans ${k} ${axis}, but the padded map has only ` +
          `n + 2p = ${n} + 2·${p} = ${n + 2 * p}: a window must fit inside ` +
          `the padded map (k ≤ n + 2p).`,
      );
    }
  });
  return sentences.length ? sentences.join(" ") : null;
}

/** One pooled cell spelled out (pooling_explorer.window_text): "P[0, 1] = max(0, 1) = 1". */
export function poolWindowText(mode, row, col, values, result) {
  const show = (v) => (v === -Infinity ? "−∞" : formatNumber(v).replace("-", "−"));
  const listed = values.map(show).join(", ");
  if (mode === "max") return `P[${row}, ${col}] = max(${listed}) = ${show(result)}`;
  const total = values.reduce((s, v) => s + v, 0);
  return `P[${row}, ${col}] = mean(${listed}) = ${show(total)}/${values.length} = ${show(result)}`;
}

/**
 * Everything the pooling explorer shows (pooling_explorer.explore_pooling): the
 * shifted input, its [1, −1] edge map, the pooled map, the cells changed compared
 * with shift 0, and the window of pooled cell number `position`.
 */
export function explorePooling(k, s, p, mode, shift, position = 0) {
  const X = squareInput(shift);
  const X0 = squareInput(0);
  const edge = [[1, -1]];
  const feature = corr2d(X, edge);
  const feature0 = corr2d(X0, edge);
  const size = [feature.length, feature[0].length];
  const problem = poolProblem(size, k, p);
  const base = { X, feature, pooled: null, row: 0, col: 0, window: [], values: [], text: "", problem };
  if (problem) return { ...base, changed: [countChanged(X, X0), countChanged(feature, feature0), 0] };
  const pooled = pool2dLayer(feature, mode, [k, k], [s, s], [p, p]);
  const pooled0 = pool2dLayer(feature0, mode, [k, k], [s, s], [p, p]);
  const changed = [countChanged(X, X0), countChanged(feature, feature0), countChanged(pooled, pooled0)];
  const ow = pooled[0].length;
  const at = Math.min(position, pooled.length * ow - 1);
  const [row, col] = [Math.floor(at / ow), at % ow];
  const window = [];
  const values = [];
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const [r, c] = [row * s + a, col * s + b];
      window.push([r, c]);
      const [i, j] = [r - p, c - p];
      const inside = i >= 0 && i < size[0] && j >= 0 && j < size[1];
      values.push(inside ? feature[i][j] : mode === "max" ? -Infinity : 0);
    }
  }
  const text = poolWindowText(mode, row, col, values, pooled[row][col]);
  return { ...base, pooled, changed, row, col, window, values, text, problem: null };
}
