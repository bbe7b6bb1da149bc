// Prints {path: [exported names]} as JSON for every ES module path given as an argument.
import { pathToFileURL } from "node:url";

const found = {};
for (const path of process.argv.slice(2)) {
  found[path] = Object.keys(await import(pathToFileURL(path).href)).sort();
}
process.stdout.write(JSON.stringify(found));
