/**
 * Appends `items` to `target` one by one. `target.push(...items)` passes every item as an argument
 * on the stack: past ~120,000 items it throws RangeError (a 150,000-row columnar INSERT stopped
 * every node of a cluster, and again at each restart as the entry was replayed).
 */
export function appendAll<T>(target: T[], items: Iterable<T>): void {
  for (const item of items) target.push(item);
}
