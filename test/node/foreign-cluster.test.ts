import { describe, expect, it } from 'vitest';
import { ForeignClusterWatch, foreignDirLine } from '../../src/node/foreign-cluster.js';

const A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const C = 'cccccccccccccccccccccccccccccccc';

describe('deciding that this node, not its peer, is in the wrong cluster', () => {
  it('takes a strict majority of the other members: one foreign peer of two is not enough', () => {
    const watch = new ForeignClusterWatch('node1');
    const members = ['node1', 'node2', 'node3'];
    expect(watch.refused('node3', B)).toBe(true);
    expect(watch.refused('node3', B)).toBe(false);
    expect(watch.majorityCluster(members)).toBeNull();
    watch.refused('node2', B);
    expect(watch.majorityCluster(members)).toBe(B);
  });

  it('needs 3 of 4 others in a 5-node cluster, and names the cluster most of them are in', () => {
    const watch = new ForeignClusterWatch('node1');
    const members = ['node1', 'node2', 'node3', 'node4', 'node5'];
    watch.refused('node2', A);
    watch.refused('node3', A);
    expect(watch.majorityCluster(members)).toBeNull();
    watch.refused('node4', C);
    expect(watch.majorityCluster(members)).toBe(A);
  });

  it('forgets a peer once it accepts us again (it was wiped and rejoined), and ignores non-members', () => {
    const watch = new ForeignClusterWatch('node1');
    watch.refused('node2', B);
    watch.refused('node9', B);
    watch.accepted('node2');
    expect(watch.majorityCluster(['node1', 'node2', 'node3'])).toBeNull();
    expect(watch.majorityCluster(['node1'])).toBeNull();
  });

  it('says what is wrong and what to do in one line', () => {
    const line = foreignDirLine('node3', B, A);
    expect(line).not.toContain('\n');
    expect(line).toBe(`node3's data dir belongs to cluster ${B} but its peers are cluster ${A}: this dir is ` +
      'from another cluster; wipe it to join as a new node, see "Replacing a failed node" in docs/operations.md');
  });
});
