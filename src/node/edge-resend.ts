import { ChronosError } from '../lib/index.js';
import type { StorageReader } from '../storage/index.js';
import { encodeSyncOp, resendOps, resendStamp, schemaDdl } from '../sync/index.js';
import type { SyncOp } from '../sync/index.js';

/** One op as shipped: its id and bytes. */
export interface ShippedOp {
  readonly id: number;
  readonly data: Uint8Array;
}

/**
 * One run of resending the edge's tables to a target that lost acknowledged ops (see
 * sync/resend.ts). The ops get the ids the target lost, from its cursor + 1 up to the edge's
 * last acknowledged id, so the outbox's queued ops (above that id) still come after them and
 * nothing the target applies is mistaken for a duplicate. The last op takes exactly that id,
 * which moves the target's cursor back to where the edge's outbox expects it. A batch stays
 * in hand until the target's cursor shows it applied, so a failed batch goes again with the
 * same ids (the target skips what it already holds).
 */
export class EdgeResend {
  readonly #reader: StorageReader;
  readonly #ops: AsyncIterator<SyncOp>;
  /** The id the last op takes (the edge's last acknowledged id). */
  readonly #ceiling: number;
  /** Sent last, with the ceiling as its id: the first table's CREATE TABLE IF NOT EXISTS again (a no-op). */
  readonly #seal: SyncOp;
  #nextId: number;
  #inHand: ShippedOp[] = [];
  #sealed = false;
  #sent = 0;
  /** Ops the whole resend ships, the seal included (counted once, from the same snapshot). */
  readonly #total: number;

  private constructor(reader: StorageReader, ops: AsyncIterator<SyncOp>, seal: SyncOp, range: { firstId: number; ceiling: number; total: number }) {
    this.#reader = reader;
    this.#ops = ops;
    this.#seal = seal;
    this.#nextId = range.firstId;
    this.#ceiling = range.ceiling;
    this.#total = range.total;
  }

  /**
   * A resend from the target's `cursor` up to `ceiling`, reading `reader` (closed by close());
   * null, with the reader closed, when the edge holds no table to send.
   */
  static async open(reader: StorageReader, nodeId: string, cursor: number, ceiling: number): Promise<EdgeResend | null> {
    const stamp = await resendStamp(reader, nodeId);
    const first = [...reader.catalog.tables()].sort((a, b) => (a.name < b.name ? -1 : 1))[0];
    if (stamp === null || first === undefined) {
      await reader.close();
      return null;
    }
    const seal: SyncOp = { kind: 'ddl', hlc: stamp, sql: schemaDdl(first)[0] as string };
    // Counted before sending, so GetSyncStatus's pendingOps shows the rows still to resend.
    let total = 1;
    const counting = resendOps(reader, stamp);
    while ((await counting.next()).done !== true) total += 1;
    return new EdgeResend(reader, resendOps(reader, stamp), seal, { firstId: cursor + 1, ceiling, total });
  }

  /** Ops resent so far (applied by the target). */
  get sent(): number {
    return this.#sent;
  }

  /** Ops of this resend the target does not hold yet. */
  get remaining(): number {
    return Math.max(0, this.#total - this.#sent);
  }

  /** The batch to ship: the one in hand until the target holds it, else up to `limit` new ops; empty when done. */
  async batch(limit: number): Promise<readonly ShippedOp[]> {
    if (this.#inHand.length > 0 || this.#sealed) return this.#inHand;
    while (this.#inHand.length < limit) {
      const next = await this.#ops.next();
      if (next.done === true) {
        this.#inHand.push({ id: this.#ceiling, data: encodeSyncOp(this.#seal) });
        this.#sealed = true;
        break;
      }
      if (this.#nextId >= this.#ceiling) {
        throw new ChronosError('RESOURCE_EXHAUSTED', `cannot resend this edge's tables: the target lost only ` +
          `op ids up to ${this.#ceiling}, fewer than the rows to resend (restore the target from a newer backup)`);
      }
      this.#inHand.push({ id: this.#nextId, data: encodeSyncOp(next.value) });
      this.#nextId += 1;
    }
    return this.#inHand;
  }

  /** The target's cursor after a batch: drops the batch in hand once the target holds it. */
  acknowledge(cursor: number): void {
    const last = this.#inHand.at(-1);
    if (last === undefined || cursor < last.id) return;
    this.#sent += this.#inHand.length;
    this.#inHand = [];
  }

  /** True when a target at `cursor` holds every op resent before the batch in hand. */
  heldThrough(cursor: number): boolean {
    return cursor >= (this.#inHand[0]?.id ?? this.#nextId) - 1;
  }

  /** True once the target holds the last op (its cursor is back at the ceiling). */
  get done(): boolean {
    return this.#sealed && this.#inHand.length === 0;
  }

  /** Releases the snapshot the resend reads. */
  async close(): Promise<void> {
    await this.#reader.close();
  }
}
