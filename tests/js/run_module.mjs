// Reads [{fn, args}] as JSON on stdin, calls fn(...args) of the ES module whose
// path is the first argument, and prints the results as JSON. tests/jsmath.py
// drives it to compare a widget's own maths (in its bundled module) with Python.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const module = await import(pathToFileURL(process.argv[2]).href);
const cases = JSON.parse(readFileSync(0, "utf8"));
const results = cases.map(({ fn, args }) => {
  if (typeof module[fn] !== "function") throw new Error(`${process.argv[2]} exports no function ${fn}`);
  return module[fn](...args);
});
process.stdout.write(JSON.stringify(results));
