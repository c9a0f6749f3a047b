import { errorMessage } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import type { RaftCore, NodeId } from '../raft/index.js';
import type { PeerIdentity } from '../transport/index.js';
import { encodeReplicatedCommand } from './replicated-command.js';

/** What naming the cluster needs from the node. */
export interface BirthPort {
  identify(address: string): Promise<PeerIdentity>;
  /** The other members' addresses as this node dials them. */
  memberAddresses(): ReadonlyMap<NodeId, string>;
  /** Runs `operation` in the node's loop, where the core may be called. */
  enqueue(operation: () => void): void;
  /** The node's clock, in milliseconds. */
  nowMs(): number;
}

/** How often a leader asks the members again while one of them has not answered. */
const MEMBER_CHECK_INTERVAL_MS = 1_000;

/**
 * A leader of a cluster with no id (new, or made before cluster ids) names it by proposing
 * `clusterBirth`, once per term; two leaders racing both propose and the first applied wins.
 * It first asks every other member who it is (Identify): a member that doesn't answer may be
 * down, or run a version that doesn't know the command and would stop when applying it (a
 * rolling upgrade), so the birth waits until every member answers.
 */
export class ClusterBirth {
  readonly #port: BirthPort;
  readonly #log: Logger;
  #proposedTerm = 0;
  #checking = false;
  #nextCheckMs = 0;

  constructor(port: BirthPort, log: Logger) {
    this.#port = port;
    this.#log = log;
  }

  /** Called every loop cycle while the cluster has no id; `clusterId` is the id to give it. */
  consider(core: Pick<RaftCore, 'status' | 'propose'>, clusterId: () => string): void {
    const { role, term, voters, learners } = core.status();
    if (role !== 'Leader' || this.#proposedTerm === term || this.#checking || this.#port.nowMs() < this.#nextCheckMs) return;
    this.#checking = true;
    const self = core.status().id;
    const others = new Set([...voters, ...learners].filter((id) => id !== self));
    void this.#everyMemberAnswers(others).then((ready) => {
      this.#checking = false;
      this.#nextCheckMs = this.#port.nowMs() + MEMBER_CHECK_INTERVAL_MS;
      if (ready) this.#port.enqueue(() => this.#propose(core, term, clusterId));
    });
  }

  async #everyMemberAnswers(others: ReadonlySet<NodeId>): Promise<boolean> {
    const addresses = this.#port.memberAddresses();
    if ([...others].some((id) => !addresses.has(id))) return false;
    const answers = await Promise.all([...others].map((id) => this.#port.identify(addresses.get(id) ?? '')));
    return answers.every((answer) => answer.kind === 'answered');
  }

  #propose(core: Pick<RaftCore, 'status' | 'propose'>, term: number, clusterId: () => string): void {
    const status = core.status();
    if (status.role !== 'Leader' || status.term !== term || this.#proposedTerm === term) return;
    this.#proposedTerm = term;
    try {
      core.propose(encodeReplicatedCommand({ kind: 'clusterBirth', clusterId: clusterId() }));
    } catch (error) {
      // Leadership is being handed over since the check: the next leader proposes.
      this.#log.debug('cluster birth not proposed', { error: errorMessage(error) });
    }
  }
}
