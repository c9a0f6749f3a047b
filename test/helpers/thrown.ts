/** What `run` throws, or null when it returns (for asserting an error's code and message). */
export function thrown(run: () => unknown): unknown {
  try {
    run();
    return null;
  } catch (error) {
    return error;
  }
}
