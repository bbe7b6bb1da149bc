// Reads [{fn, args}] as JSON on stdin, calls convmath.js's fn(...args) for each,
// and prints the results as JSON. tests/jsmath.py drives it to compare the
// browser's maths with convlab in Python.
import { readFileSync } from "node:fs";
import * as convmath from "../../src/convlab/widgets/static/convmath.js";

const cases = JSON.parse(readFileSync(0, "utf8"));
const results = cases.map(({ fn, args }) => {
  if (typeof convmath[fn] !== "function") throw new Error(`convmath.js exports no function ${fn}`);
  return convmath[fn](...args);
});
process.stdout.write(JSON.stringify(results));
