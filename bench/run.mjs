// npm run bench: nodeadm's speed against the openssl way and the key-generation floor, all
// measured side by side in this run. Reports medians and ratios; never a pass/fail test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

// RSA key generation is a random search for primes: the same 17 keys take from about 0.8 to 1.2
// times their median from one run to the next, so the medians need many rounds to settle.
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/nodeadm.js');
const node = process.execPath;
const initArgs = ['--yes', '--advertise-address', '192.0.2.10', '--node-name', 'cp-1'];
const scratch = mkdtempSync(join(tmpdir(), 'nodeadm-bench-'));
let counter = 0;
const freshDir = () => join(scratch, `r${counter++}`);

function run(cmd, args, opts = {}) {
  const started = performance.now();
  const result = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Every case runs once per round, rounds one after another: a machine that slows down part way
 * (another tenant, a thermal limit) slows every case alike, so the ratios stay fair. The first
 * round is a warm-up (page cache, CPU frequency); medians are over the RUNS rounds after it.
 * Before each case, untimed, `sync` writes back what the previous one left dirty: nodeadm fsyncs
 * its files, and an fsync commits the file system's journal with every dirty page of the
 * previous case in it (the openssl script fsyncs nothing, so init paid for its writes too).
 */
function measureRounds(cases) {
  const times = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let round = 0; round <= RUNS; round++) {
    for (const [name, once] of Object.entries(cases)) {
      spawnSync('sync');
      const value = once();
      if (round > 0) times[name].push(value);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, xs]) => [name, median(xs)]));
}

function countKeys(dir) {
  let n = 0;
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.key') || (name.endsWith('.conf') && readFileSync(p, 'utf8').includes('client-key-data'))) n++;
    }
  };
  walk(dir);
  return n;
}

function supportsEcdsa() {
  const r = spawnSync(node, [bin, 'init', 'phase', 'save-config', '--dry-run', '--root', freshDir(), ...initArgs, '--encryption-algorithm', 'ECDSA-P256'], { encoding: 'utf8' });
  return r.status === 0;
}

const probe = freshDir();
run(node, [bin, 'init', '--root', probe, ...initArgs]);
const keys = countKeys(probe);

const ecdsa = supportsEcdsa();
// The floors get a threadpool thread per core, as nodeadm's entry point gives itself
// (bin/nodeadm.js): libuv's default of 4 would leave cores idle on a larger machine.
const floorEnv = { ...process.env, UV_THREADPOOL_SIZE: String(Math.max(4, availableParallelism())) };
const results = measureRounds({
  init: () => run(node, [bin, 'init', '--root', freshDir(), ...initArgs]).ms,
  openssl: () => run('bash', [join(root, 'bench/openssl-pki.sh'), freshDir()]).ms,
  // Wall time of a whole process, start-up included, as for every other case.
  floor: () => run(node, [join(root, 'bench/keygen-floor.mjs'), String(keys)], { env: floorEnv }).ms,
  // What nodeadm's RSA keys are made of: the two primes of each, no more (src/pki/rsa.ts).
  primes: () => run(node, [join(root, 'bench/keygen-floor.mjs'), String(keys), 'primes'], { env: floorEnv }).ms,
  rerun: () => run(node, [bin, 'init', '--root', probe, ...initArgs]).ms,
  help: () => run(node, [bin, '--help']).ms,
  version: () => run(node, [bin, 'version']).ms,
  ...(ecdsa ? { ecdsa: () => run(node, [bin, 'init', '--root', freshDir(), ...initArgs, '--encryption-algorithm', 'ECDSA-P256']).ms } : {}),
  rss: () => {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', node, bin, 'init', '--root', freshDir(), ...initArgs], { encoding: 'utf8' });
    return Number(r.stderr.trim().split('\n').pop()) / 1024;
  },
});
const rss = results.rss;
rmSync(scratch, { recursive: true, force: true });

const fmt = (ms) => `${ms.toFixed(0)} ms`;
const rows = [
  ['1 init, empty root (all file phases)', fmt(results.init), `${(results.init / results.floor).toFixed(2)} × floor, ${(results.init / results.openssl).toFixed(2)} × openssl`, results.init <= 1.2 * results.floor && results.init <= 0.5 * results.openssl, '≤ 1.2 × floor and ≤ 0.5 × openssl'],
  [`2 openssl CLI script, same PKI (${keys} RSA-2048 keys)`, fmt(results.openssl), 'baseline', undefined, ''],
  [`3 floor: ${keys} RSA-2048 key pairs, native, all cores`, fmt(results.floor), 'baseline', undefined, ''],
  [`3b the ${2 * keys} 1024-bit primes of those keys, native, all cores`, fmt(results.primes), `init is ${(results.init / results.primes).toFixed(2)} × this`, undefined, ''],
  ['4 init re-run, nothing to do', fmt(results.rerun), '', results.rerun <= 300, '≤ 300 ms'],
  ['5a nodeadm --help', fmt(results.help), '', results.help <= 150, '≤ 150 ms'],
  ['5b nodeadm version', fmt(results.version), '', results.version <= 150, '≤ 150 ms'],
  ecdsa
    ? ['6 init, ECDSA-P256 keys', fmt(results.ecdsa), '', results.ecdsa <= 300, '≤ 300 ms']
    : ['6 init, ECDSA-P256 keys', 'n/a', 'algorithm not available', undefined, '≤ 300 ms'],
  ['7 peak memory of init', `${rss.toFixed(0)} MB`, '', rss <= 150, '≤ 150 MB'],
];
const mark = (ok) => (ok === undefined ? '' : ok ? 'met' : 'MISSED');
console.log(`nodeadm bench: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, median of ${RUNS} interleaved rounds after a warm-up round\n`);
console.log('| case | median | ratio | target | |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, value, ratio, ok, target] of rows) console.log(`| ${name} | ${value} | ${ratio} | ${target} | ${mark(ok)} |`);
