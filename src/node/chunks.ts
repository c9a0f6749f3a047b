/** A byte array as a one-chunk stream. */
export async function* singleChunk(data: Uint8Array): AsyncIterable<Uint8Array> {
  yield data;
}

/** Every chunk of a stream, joined. */
export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}
