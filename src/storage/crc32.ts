/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), table driven. */
const TABLE: Uint32Array = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * Continue a CRC over `bytes`. Start with `crc32Update(0, first)`; the running value is the
 * finished CRC of everything fed so far, so streams can be checked chunk by chunk.
 */
export function crc32Update(crc: number, bytes: Uint8Array): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    c = (TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** CRC-32 of one buffer. */
export function crc32(bytes: Uint8Array): number {
  return crc32Update(0, bytes);
}
