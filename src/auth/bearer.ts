/**
 * The token of an `authorization: Bearer <token>` value, or null. HTTP headers and gRPC
 * metadata carry the same form, so both surfaces and the Raft server read it here.
 */
export function bearerToken(authorization: string | null | undefined): string | null {
  if (authorization === null || authorization === undefined) return null;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1] ?? null;
}
