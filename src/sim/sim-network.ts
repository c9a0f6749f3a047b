import type { Random } from '../lib/index.js';
import type { NodeId, RaftMessage } from '../raft/index.js';
import { PacketQueue } from './packet-queue.js';

/** Network fault rates; delays are drawn per packet, so packets reorder naturally. */
export interface NetworkFaults {
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
  /** Chance that a packet is held for one to three seconds (a retransmission, a stalled link). */
  readonly lateRate: number;
}

const LATE_MS_MIN = 1_000;
const LATE_MS_MAX = 3_000;

/** Bound on packets in flight: a runaway sender is a bug, not something to buffer. */
const PACKETS_IN_FLIGHT_MAX = 100_000;

/** A seeded network that drops, delays, duplicates, reorders and partitions messages. */
export class SimNetwork {
  readonly #random: Random;
  #faults: NetworkFaults;
  readonly #packets = new PacketQueue<RaftMessage>(PACKETS_IN_FLIGHT_MAX);
  #sequence = 0;
  /** Pairs "a|b" that cannot talk (symmetric). */
  readonly #cut = new Set<string>();
  delivered = 0;

  constructor(random: Random, faults: NetworkFaults) {
    this.#random = random;
    this.#faults = faults;
  }

  setFaults(faults: NetworkFaults): void {
    this.#faults = faults;
  }

  #key(a: NodeId, b: NodeId): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }

  connected(a: NodeId, b: NodeId): boolean {
    return !this.#cut.has(this.#key(a, b));
  }

  /** Splits the nodes into two sides; every link across is cut until heal(). */
  partition(sideA: readonly NodeId[], sideB: readonly NodeId[]): void {
    for (const a of sideA) for (const b of sideB) this.#cut.add(this.#key(a, b));
  }

  heal(): void {
    this.#cut.clear();
  }

  get partitioned(): boolean {
    return this.#cut.size > 0;
  }

  send(message: RaftMessage, nowMs: number): void {
    if (!this.connected(message.from, message.to)) return;
    if (this.#random.chance(this.#faults.dropRate)) return;
    const copies = this.#random.chance(this.#faults.duplicateRate) ? 2 : 1;
    for (let copy = 0; copy < copies; copy += 1) {
      const delayMs = this.#random.chance(this.#faults.lateRate)
        ? this.#random.between(LATE_MS_MIN, LATE_MS_MAX)
        : this.#random.between(this.#faults.delayMinMs, this.#faults.delayMaxMs);
      this.#sequence += 1;
      this.#packets.push({ deliverAtMs: nowMs + delayMs, sequence: this.#sequence,
        payload: message });
    }
  }

  /** Removes and returns the packets due by `nowMs`, in delivery order. */
  due(nowMs: number): RaftMessage[] {
    const due: RaftMessage[] = [];
    for (let packet = this.#packets.popDue(nowMs); packet !== undefined;
      packet = this.#packets.popDue(nowMs)) {
      // A partition that started while a packet was in flight also stops it.
      if (this.connected(packet.payload.from, packet.payload.to)) due.push(packet.payload);
    }
    this.delivered += due.length;
    return due;
  }
}
