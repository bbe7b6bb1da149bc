// Mirrors convlab.counting: sizes in words.

/** Bytes in decimal units with about 3 significant digits: "14.4 GB" (format_bytes). */
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
