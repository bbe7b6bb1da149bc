// Reads cases as JSON on stdin, runs each through convmath.js, prints results as JSON.
// Used by tests/test_convmath_js.py to compare the browser maths with convlab.kernels.
import { readFileSync } from "node:fs";
import * as cm from "../../src/convlab/widgets/static/convmath.js";

const cases = JSON.parse(readFileSync(0, "utf8"));
const results = cases.map(({ fn, args }) => {
  switch (fn) {
    case "correlate2d":
      return cm.correlate2d(args.X, args.K, args.options);
    case "convolve2d":
      return cm.convolve2d(args.X, args.K);
    case "outputSize":
      return cm.outputSize(...args);
    case "sizeProblem":
      return cm.sizeProblem(...args);
    case "formatNumber":
      return cm.formatNumber(args);
    case "spelledSum":
      return cm.spelledSum(args.map(([x, k]) => ({ x, k })));
    default:
      throw new Error(`unknown function ${fn}`);
  }
});
process.stdout.write(JSON.stringify(results));
