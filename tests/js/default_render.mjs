// Imports each built bundle given as an argument and prints the ones whose default
// export has no render function (nothing when every bundle is a widget view).
import { pathToFileURL } from "node:url";

for (const path of process.argv.slice(2)) {
  const view = (await import(pathToFileURL(path).href)).default;
  if (typeof view?.render !== "function") console.log(`${path}: no default export with render`);
}
