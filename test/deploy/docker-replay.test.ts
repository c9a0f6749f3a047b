import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freeNodePort } from '../helpers/ports.js';
import { argsOf, execForm, parseDockerfile } from './dockerfile.js';
import type { Stage } from './dockerfile.js';

// No Docker engine runs on these machines, so this test replays the Dockerfile's steps on the
// host (Debian bookworm + Node 20, as node:20-bookworm-slim): the build stage in a clean copy
// of the build context, the run stage into a directory standing for the image's root, then
// starts the image's ENTRYPOINT + the guide's `docker run` arguments and its HEALTHCHECK.
const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const GUIDE_RUN_ARGS = ['node', '--id', 'node1', '--data-dir', '/data', '--address', '0.0.0.0:8000'];
// Creating the image's system user and chowning need root and the host's account database;
// the replay checks what they create instead of running them.
const ACCOUNT_COMMANDS = /^(groupadd|useradd|chown)\b/;

const work = mkdtempSync(join(tmpdir(), 'chronos-docker-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function stages(): { build: Stage; run: Stage } {
  const all = parseDockerfile(join(REPO, 'Dockerfile'));
  expect(all).toHaveLength(2);
  const [build, run] = all as [Stage, Stage];
  expect(build.name).toBe('build');
  expect(build.base).toBe(run.base);
  return { build, run };
}

/** COPY sources... dest, relative to WORKDIR /app; `--from=build` reads the build stage's root. */
function replayCopy(args: string, contextRoot: string, imageRoot: string): void {
  const parts = args.split(/\s+/);
  const fromBuild = parts[0] === '--from=build';
  const paths = fromBuild ? parts.slice(1) : parts;
  const dest = paths.pop() ?? '';
  for (const source of paths) {
    const from = fromBuild ? join(contextRoot, source) : join(contextRoot, source);
    const base = dest.endsWith('/') || dest === '.' ? join(dest, source.split('/').at(-1) ?? '') : dest;
    const to = base.startsWith('/') ? join(imageRoot, base) : join(imageRoot, 'app', base);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to, { recursive: true });
  }
}

/** Absolute image paths become paths under the directory standing for the image's root. */
function inImage(command: string, imageRoot: string): string {
  return command.replace(/(^|\s)(\/(?:app|data|usr\/local\/bin)\b)/g, `$1${imageRoot}$2`);
}

function replayRun(args: string, imageRoot: string, accounts: string[]): void {
  for (const part of args.split('&&').map((p) => p.trim())) {
    if (ACCOUNT_COMMANDS.test(part)) {
      accounts.push(part);
      continue;
    }
    execFileSync('bash', ['-c', inImage(part, imageRoot)], {
      cwd: join(imageRoot, 'app'),
      stdio: 'pipe',
      env: { ...process.env, NODE_ENV: undefined },
      timeout: 240_000,
    });
  }
}

describe('Dockerfile, replayed without a Docker engine', () => {
  it('is multi-stage, runs as the chronos user with the guide entry point, port and health', () => {
    const { run } = stages();
    expect(argsOf(run, 'USER')).toEqual(['chronos']);
    expect(execForm(argsOf(run, 'ENTRYPOINT')[0] ?? '[]')).toEqual(['chronos']);
    expect(argsOf(run, 'EXPOSE')[0]?.split(/\s+/)).toEqual(['8000', '9000']);
    expect(argsOf(run, 'VOLUME')).toEqual(['["/data"]']);
    expect(argsOf(run, 'HEALTHCHECK')[0]).toMatch(/CMD chronos admin status --http/);
    for (const copy of argsOf(run, 'COPY')) expect(copy).toMatch(/^--from=build /);
  });

  it('builds, prunes dev dependencies, and the image serves the guide docker run', async () => {
    const { build, run } = stages();
    const buildRoot = join(work, 'build');
    for (const copy of argsOf(build, 'COPY')) replayCopy(copy, REPO, buildRoot);
    const buildAccounts: string[] = [];
    for (const command of argsOf(build, 'RUN')) replayRun(command, buildRoot, buildAccounts);
    expect(buildAccounts).toEqual([]);

    const imageRoot = join(work, 'image');
    mkdirSync(join(imageRoot, 'app'), { recursive: true });
    mkdirSync(join(imageRoot, 'usr', 'local', 'bin'), { recursive: true });
    for (const copy of argsOf(run, 'COPY')) replayCopy(copy, join(buildRoot, 'app', '..'), imageRoot);
    const accounts: string[] = [];
    for (const command of argsOf(run, 'RUN')) replayRun(command, imageRoot, accounts);
    expect(accounts.join('\n')).toMatch(/groupadd --system --gid 10001 chronos/);
    expect(accounts.join('\n')).toMatch(/useradd --system --uid 10001 --gid chronos/);
    expect(accounts.join('\n')).toMatch(/chown chronos:chronos \/data/);
    expect(existsSync(join(imageRoot, 'data'))).toBe(true);

    // Production dependencies only.
    expect(existsSync(join(imageRoot, 'app/node_modules/typescript'))).toBe(false);
    expect(existsSync(join(imageRoot, 'app/node_modules/vitest'))).toBe(false);
    const appMb = Number(spawnSync('du', ['-sm', join(imageRoot, 'app')]).stdout.toString().split('\t')[0]);
    process.stdout.write(`image /app layer: ${appMb} MB (plus the node:20-bookworm-slim base)\n`);
    expect(appMb).toBeLessThan(150);

    await startImage(run, imageRoot);
  }, 360_000);
});

async function startImage(run: Stage, imageRoot: string): Promise<void> {
  const port = await freeNodePort();
  const argv = GUIDE_RUN_ARGS.map((arg) =>
    arg === '/data' ? join(imageRoot, 'data') : arg === '0.0.0.0:8000' ? `127.0.0.1:${port}` : arg);
  const [entry = ''] = execForm(argsOf(run, 'ENTRYPOINT')[0] ?? '[]');
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    PATH: `${join(imageRoot, 'usr/local/bin')}:${process.env['PATH'] ?? ''}`,
  };
  const child = spawn(entry, argv, { cwd: join(imageRoot, 'app'), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  try {
    const check = (argsOf(run, 'HEALTHCHECK')[0] ?? '').replace(/^.*?CMD\s+/, '');
    const healthEnv = { ...env, CHRONOS_ADMIN_PORT: String(port + 1000) };
    const deadline = Date.now() + 30_000;
    let healthy = false;
    while (!healthy && Date.now() < deadline) {
      healthy = spawnSync('sh', ['-c', check], { env: healthEnv }).status === 0;
      if (!healthy) await new Promise((r) => setTimeout(r, 200));
    }
    expect(healthy, output).toBe(true);
    const sql = spawnSync(entry, ['client', '--leader', `127.0.0.1:${port}`, '-e', 'SELECT 1 AS one'], {
      env, encoding: 'utf8', timeout: 30_000,
    });
    expect(sql.status, sql.stderr).toBe(0);
    expect(sql.stdout).toContain('one');
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
    if (code === 'timeout') child.kill('SIGKILL');
    expect(code, output).toBe(0);
  }
}
