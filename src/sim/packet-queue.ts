import { assert } from '../lib/index.js';

/** A packet with its delivery time; `sequence` breaks ties in send order. */
export interface QueuedPacket<T> {
  readonly deliverAtMs: number;
  readonly sequence: number;
  readonly payload: T;
}

function before<T>(a: QueuedPacket<T>, b: QueuedPacket<T>): boolean {
  return a.deliverAtMs < b.deliverAtMs ||
    (a.deliverAtMs === b.deliverAtMs && a.sequence < b.sequence);
}

/** A binary min-heap of packets by (deliverAtMs, sequence), bounded by `capacity`. */
export class PacketQueue<T> {
  readonly #heap: QueuedPacket<T>[] = [];
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#heap.length;
  }

  push(packet: QueuedPacket<T>): void {
    assert(this.#heap.length < this.#capacity, 'packet queue overflow');
    const heap = this.#heap;
    heap.push(packet);
    let at = heap.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const up = heap[parent];
      if (up === undefined || !before(packet, up)) break;
      heap[at] = up;
      at = parent;
    }
    heap[at] = packet;
  }

  /** Removes and returns the earliest packet due by `nowMs`, if any. */
  popDue(nowMs: number): QueuedPacket<T> | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined || top.deliverAtMs > nowMs) return undefined;
    const last = heap.pop();
    if (last !== undefined && heap.length > 0) {
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        const right = left + 1;
        let smallest = at;
        let smallestPacket = last;
        const leftPacket = heap[left];
        const rightPacket = heap[right];
        if (leftPacket !== undefined && before(leftPacket, smallestPacket)) {
          smallest = left;
          smallestPacket = leftPacket;
        }
        if (rightPacket !== undefined && before(rightPacket, smallestPacket)) {
          smallest = right;
          smallestPacket = rightPacket;
        }
        if (smallest === at) break;
        heap[at] = smallestPacket;
        at = smallest;
      }
      heap[at] = last;
    }
    return top;
  }
}
