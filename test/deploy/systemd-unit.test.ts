import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CHRONOS_BIN, health, startNode, waitFor } from '../helpers/node-process.js';
import { freeNodePort } from '../helpers/ports.js';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const UNIT = readFileSync(join(REPO, 'deploy/chronos.service'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'chronos-systemd-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `Key=value` settings of the unit, continuation lines joined. */
function settings(unit: string): Map<string, string> {
  const joined = unit.replace(/\s*\\\n\s*/g, ' ');
  const map = new Map<string, string>();
  for (const line of joined.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match !== null) map.set(match[1] ?? '', (match[2] ?? '').trim());
  }
  return map;
}

/** KEY=VALUE lines of an EnvironmentFile (comments and blanks skipped), as systemd reads them. */
function environmentFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match !== null) env[match[1] ?? ''] = match[2] ?? '';
  }
  return env;
}

describe('deploy/chronos.service', () => {
  it("is the guide's unit: user, environment file, restart policy, the guide's ExecStart", () => {
    const unit = settings(UNIT);
    expect(unit.get('User')).toBe('chronos');
    expect(unit.get('Group')).toBe('chronos');
    expect(unit.get('Type')).toBe('simple');
    expect(unit.get('WorkingDirectory')).toBe('/var/lib/chronos');
    expect(unit.get('EnvironmentFile')).toBe('/etc/chronos/chronos.env');
    expect(unit.get('Restart')).toBe('on-failure');
    expect(unit.get('RestartSec')).toBe('5s');
    expect(unit.get('After')).toBe('network.target');
    expect(unit.get('WantedBy')).toBe('multi-user.target');
    expect(unit.get('ExecStart')).toBe(
      '/usr/local/bin/chronos node --id node1 --data-dir /var/lib/chronos/cluster ' +
        '--address 10.0.0.1:8000 --peers node2=10.0.0.2:8001,node3=10.0.0.3:8002',
    );
  });

  it('passes systemd-analyze verify with the binary where it is installed', () => {
    const copy = join(work, 'chronos.service');
    writeFileSync(copy, UNIT.replace('/usr/local/bin/chronos', CHRONOS_BIN));
    const verify = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    expect(verify.error, 'systemd-analyze must be installed (Debian package systemd)').toBeUndefined();
    expect(verify.stderr + verify.stdout).toBe('');
    expect(verify.status).toBe(0);
  });

  it("runs ExecStart with the example environment and stops on SIGTERM within systemd's 90 s", async () => {
    const env = environmentFile(join(REPO, 'deploy/chronos.env.example'));
    expect(env['CHRONOS_LOG_LEVEL']).toBe('info');
    const args = (settings(UNIT).get('ExecStart') ?? '').split(/\s+/);
    expect(args.slice(0, 2)).toEqual(['/usr/local/bin/chronos', 'node']);
    // The unit's flags as written; only the address (loopback, a free port) and the data dir
    // (a temp dir) change, and the peers go so that the node forms a cluster on its own.
    const id = args[args.indexOf('--id') + 1] ?? '';
    const port = await freeNodePort();
    const node = startNode({ id, dataDir: join(work, 'cluster'), port, peers: new Map(), env });
    await waitFor('the node to lead', 20_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
    const started = Date.now();
    node.child.kill('SIGTERM');
    const code = await node.exited();
    expect(code, node.output()).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
