import { status } from '@grpc/grpc-js';
import { ChronosError } from '../lib/index.js';
import type { Random } from '../lib/index.js';
import type { PeerTransport } from '../node/index.js';
import type { RaftNode } from '../node/index.js';
import type { PeerIdentity } from '../transport/index.js';
import type { ForwardResult, PeerFailure } from '../transport/index.js';
import type { NodeId, RaftMessage } from '../raft/index.js';
import type { SimScheduler, TimerOwner } from './sim-scheduler.js';

/** Network faults of the driver simulation; delays are skewed (most short, a long tail). */
export interface DriverNetworkFaults {
  readonly dropRate: number;
  readonly duplicateRate: number;
  readonly delayMinMs: number;
  readonly delayMaxMs: number;
  /** Chance that a packet is held much longer (a stalled connection). */
  readonly tailRate: number;
  readonly tailMsMax: number;
}

/** A running node incarnation the network can deliver to. */
export interface Endpoint {
  readonly owner: TimerOwner;
  readonly node: RaftNode;
}

/** How long a caller waits for an RPC's answer before it calls the outcome unknown. */
const RPC_DEADLINE_MS = 2_000;
const ALWAYS: TimerOwner = { alive: true };

/** Peer addresses in the simulation are the node ids themselves. */
export function simAddress(id: NodeId): string {
  return `sim-${id}`;
}

/**
 * The simulated network between driver nodes: every packet (stream message, RPC request,
 * RPC answer) is dropped, duplicated or delayed by the seed; links are cut both ways or one
 * way. Nothing is delivered to a node that is down, and an answer reaches only the same
 * incarnation that asked.
 */
export class DriverNetwork {
  readonly #random: Random;
  readonly #scheduler: SimScheduler;
  readonly #timers;
  #faults: DriverNetworkFaults;
  readonly #endpoints = new Map<NodeId, Endpoint>();
  /** Directed links "from>to" that deliver nothing. */
  readonly #cut = new Set<string>();
  delivered = 0;

  constructor(random: Random, scheduler: SimScheduler, faults: DriverNetworkFaults) {
    this.#random = random;
    this.#scheduler = scheduler;
    this.#timers = scheduler.forOwner(ALWAYS);
    this.#faults = faults;
  }

  setFaults(faults: DriverNetworkFaults): void {
    this.#faults = faults;
  }

  /** Node `id` is up as `endpoint`, or down (null). */
  attach(id: NodeId, endpoint: Endpoint | null): void {
    if (endpoint === null) this.#endpoints.delete(id);
    else this.#endpoints.set(id, endpoint);
  }

  /** Cuts `from` → `to` (one way). */
  cut(from: NodeId, to: NodeId): void {
    this.#cut.add(`${from}>${to}`);
  }

  heal(): void {
    this.#cut.clear();
  }

  get partitioned(): boolean {
    return this.#cut.size > 0;
  }

  /** True when `to` is up and `from` → `to` is not cut. */
  reachable(from: NodeId, to: NodeId): boolean {
    return this.#endpoints.has(to) && !this.#cut.has(`${from}>${to}`);
  }

  /**
   * One packet from → to: delivered after a delay unless dropped or cut. Raft messages may
   * arrive twice (a resent append); an RPC's request or answer never does (gRPC over one
   * HTTP/2 stream does not repeat a call).
   */
  #packet(from: NodeId, to: NodeId, deliver: (endpoint: Endpoint) => void, duplicable = false): void {
    if (this.#random.chance(this.#faults.dropRate)) return;
    const copies = duplicable && this.#random.chance(this.#faults.duplicateRate) ? 2 : 1;
    for (let copy = 0; copy < copies; copy += 1) {
      this.#timers.after(this.#delayMs(), () => {
        const endpoint = this.#endpoints.get(to);
        if (endpoint === undefined || this.#cut.has(`${from}>${to}`)) return;
        this.delivered += 1;
        deliver(endpoint);
      });
    }
  }

  #delayMs(): number {
    const { delayMinMs, delayMaxMs, tailRate, tailMsMax } = this.#faults;
    const skewed = (this.#random.int(1_000_000) / 1_000_000) ** 3;
    const tail = this.#random.chance(tailRate) ? this.#random.int(tailMsMax + 1) : 0;
    return Math.round(delayMinMs + (delayMaxMs - delayMinMs) * skewed) + tail;
  }

  /**
   * A request/answer call: `serve` runs on the target, its answer travels back. Resolves with
   * the answer, or with `lost` (the request never connected: `sent` false; it or its answer
   * was lost: `sent` true) once the deadline passes.
   */
  #call<T>(from: NodeId, owner: TimerOwner, to: NodeId, serve: (node: RaftNode) => Promise<T>,
    lost: (sent: boolean) => T): Promise<T> {
    if (!this.reachable(from, to)) return Promise.resolve(lost(false));
    return new Promise<T>((resolve) => {
      let settled = false;
      const settle = (value: T): void => {
        if (settled || !owner.alive) return;
        settled = true;
        resolve(value);
      };
      this.#scheduler.forOwner(owner).after(RPC_DEADLINE_MS, () => settle(lost(true)));
      this.#packet(from, to, (endpoint) => {
        void serve(endpoint.node).then((answer) => {
          if (endpoint.owner.alive) this.#packet(to, from, () => settle(answer));
        });
      });
    });
  }

  /** The transport node `id`'s incarnation `owner` uses. */
  transport(id: NodeId, owner: TimerOwner): PeerTransport {
    const call = <T>(to: NodeId, serve: (node: RaftNode) => Promise<T>, lost: (sent: boolean) => T): Promise<T> =>
      this.#call(id, owner, to, serve, lost);
    const fail = (to: NodeId, sent: boolean): ChronosError => new ChronosError('UNAVAILABLE',
      sent ? `call to ${to} got no answer within ${RPC_DEADLINE_MS} ms` : `No connection established to ${to}`);
    const raise = async <T>(to: NodeId, serve: (node: RaftNode) => Promise<T>): Promise<T> => {
      const answer = await call<{ ok: true; value: T } | { ok: false; error: unknown }>(to,
        (node) => serve(node).then((value) => ({ ok: true, value }), (error: unknown) => ({ ok: false, error })),
        (sent) => ({ ok: false, error: fail(to, sent) }));
      if (answer.ok) return answer.value;
      throw answer.error;
    };
    return {
      updatePeers: () => undefined, // every node is reachable by id; cuts decide the rest
      stream: (message) => {
        if (owner.alive) this.#packet(id, message.to, (endpoint) => endpoint.node.receiveStreamed(message), true);
        return owner.alive;
      },
      send: (message: RaftMessage) => call(message.to, (node) => node.handleRaftRequest(message), () => null),
      forwardSql: (to, statements, caller): Promise<ForwardResult> => call<ForwardResult>(to,
        async (node) => ({ ok: true, outcomes: await node.handleForward(statements, { ...caller, peer: simAddress(id) }) }),
        (sent) => ({ ok: false, failure: forwardFailure(to, sent) })),
      forwardCommand: (to, data) => raise(to, (node) => node.handleForwardedCommand(data)),
      changeMembership: (to, change) => raise(to, (node) => node.changeMembership(change)),
      identify: async (address) => {
        const to = address.replace(/^sim-/, '');
        return call<PeerIdentity>(to, async (node) => ({ kind: 'answered', clusterId: node.clusterId }),
          () => ({ kind: 'unanswered', message: `no answer from ${address}` }));
      },
      close: () => undefined,
    };
  }
}

/** A failed forward as grpc-js reports it: no connection (never sent), or a passed deadline. */
function forwardFailure(to: NodeId, sent: boolean): PeerFailure {
  return sent
    ? { to, address: simAddress(to), rpc: 'ForwardSql', reason: 'deadline', grpcStatus: status.DEADLINE_EXCEEDED,
      message: `Deadline exceeded after ${RPC_DEADLINE_MS} ms (remote_addr ${simAddress(to)})` }
    : { to, address: simAddress(to), rpc: 'ForwardSql', reason: 'unavailable', grpcStatus: status.UNAVAILABLE,
      message: 'No connection established' };
}
