// Reads [{fn, args}] as JSON on stdin, calls fn(...args) exported by the ES module
// whose path is the first argument, and prints the results as JSON. tests/jsmath.py
// drives it to compare the widgets' maths (static/src/, one module per Python
// module it mirrors) with convlab in Python.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const path = process.argv[2];
const exported = new Map(Object.entries(await import(pathToFileURL(path).href)));
const cases = JSON.parse(readFileSync(0, "utf8"));
const results = cases.map(({ fn, args }) => {
  const f = exported.get(fn);
  if (typeof f !== "function") throw new Error(`${path} exports no function ${fn}`);
  return f(...args);
});
process.stdout.write(JSON.stringify(results));
