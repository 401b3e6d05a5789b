/**
 * What tables, figures and the app call a model or dataset: a built-in name as is, a path by
 * its last component without the extension (`/data/alpaca.jsonl` → `alpaca`,
 * `~/.cache/plw-studio/pretrained/<key>/demo-base` → `demo-base`).
 */
export function shortName(nameOrPath: string): string {
  if (!/[\\/]/.test(nameOrPath)) return nameOrPath;
  const last =
    nameOrPath
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? nameOrPath;
  const dot = last.lastIndexOf('.');
  return dot > 0 ? last.slice(0, dot) : last;
}
