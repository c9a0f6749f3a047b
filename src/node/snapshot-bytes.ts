/** A snapshot image held in memory as the one-chunk stream storage imports. */
export async function* singleChunk(data: Uint8Array): AsyncIterable<Uint8Array> {
  yield data;
}

/** A snapshot image stream gathered into one buffer (Raft hands snapshots around whole). */
export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}
