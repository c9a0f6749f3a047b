/** Resolves after `ms` (the driver's polling waits: leader known, loop idle, transfer done). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
