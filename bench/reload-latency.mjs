/**
 * Hot-reload latency: how long after a save new calls get the new version
 * (the registry the runner routes new calls by), with the default debounce.
 *
 *   npm run build && node bench/reload-latency.mjs [rounds]
 *
 * Scenarios: an in-place save, an editor's save-by-rename, and a `git checkout`
 * switching 50 files (also counts the reloads it caused).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = (p) => import(pathToFileURL(join(process.cwd(), 'dist', p)).href);
const { ScriptReloader } = await dist('reload/reloader.js');
const { ScriptRegistry } = await dist('runtime/script-registry.js');
const { silentLogger } = await dist('log/logger.js');

const rounds = Number(process.argv[2] ?? 20);
const script = (n, label) => `numbers: ["+6560000${String(n).padStart(3, '0')}"]\nsteps:\n  menu:\n    gather: "${label}. Press 1."\n    branches: { "1": bye }\n  bye:\n    hangup: Bye.\n`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(check) {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > 10_000) throw new Error('timed out');
    await sleep(1);
  }
  return performance.now() - start;
}

function stats(label, values) {
  const sorted = [...values].sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(0);
  console.log(`${label}: n=${sorted.length} median ${pct(50)} ms, p90 ${pct(90)} ms, max ${sorted.at(-1).toFixed(0)} ms`);
}

async function withReloader(dir, fn) {
  const registry = new ScriptRegistry();
  let reloads = 0;
  const log = silentLogger();
  const reloader = new ScriptReloader({ paths: [dir], registry, log, git: false });
  const original = reloader.reload.bind(reloader);
  reloader.reload = (t) => {
    if (t === 'watch') reloads++;
    return original(t);
  };
  await reloader.reload('initial');
  await reloader.watch();
  try {
    await fn(registry, () => reloads);
  } finally {
    await reloader.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'cs-bench-reload-'));
try {
  writeFileSync(join(dir, 'menu.yaml'), script(1, 'v0'));
  await withReloader(dir, async (registry) => {
    const inPlace = [];
    const byRename = [];
    for (let i = 1; i <= rounds; i++) {
      const before = registry.current('menu').version;
      writeFileSync(join(dir, 'menu.yaml'), script(1, `in place ${i}`));
      inPlace.push(await until(() => registry.current('menu').version !== before));
      await sleep(50);
      const again = registry.current('menu').version;
      writeFileSync(join(dir, '.menu.yaml.swp'), script(1, `renamed ${i}`));
      renameSync(join(dir, '.menu.yaml.swp'), join(dir, 'menu.yaml'));
      byRename.push(await until(() => registry.current('menu').version !== again));
      await sleep(50);
    }
    stats('save in place → new calls on the new version', inPlace);
    stats('save by rename → new calls on the new version', byRename);
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const repo = mkdtempSync(join(tmpdir(), 'cs-bench-git-'));
try {
  const git = (...args) => execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo }).toString().trim();
  git('init', '-q');
  const release = (label) => {
    for (let i = 0; i < 50; i++) writeFileSync(join(repo, `s${String(i).padStart(2, '0')}.yaml`), script(100 + i, `${label} ${i}`));
  };
  release('A');
  git('add', '-A');
  git('commit', '-q', '-m', 'A');
  const a = git('rev-parse', 'HEAD');
  release('B');
  git('commit', '-q', '-am', 'B');
  const b = git('rev-parse', 'HEAD');
  await withReloader(repo, async (registry, reloads) => {
    const times = [];
    const counts = [];
    for (let i = 0; i < Math.max(3, Math.floor(rounds / 4)); i++) {
      const target = i % 2 === 0 ? a : b;
      const before = new Map(registry.list().map((s) => [s.name, s.version]));
      const r0 = reloads();
      git('checkout', '-q', target);
      times.push(await until(() => registry.list().every((s) => s.version !== before.get(s.name))));
      await sleep(800); // longer than the debounce's longest wait: any further reload would have happened
      counts.push(reloads() - r0);
    }
    stats('git checkout of 50 files → every script switched', times);
    console.log(`reloads per checkout: ${counts.join(', ')}`);
  });
} finally {
  rmSync(repo, { recursive: true, force: true });
}
