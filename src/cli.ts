/**
 * argv → command. The one place that maps errors to exit codes: 2 for bad input,
 * 1 for operational failures (with a hint), and a stack trace for bugs.
 * Command modules are imported when their command runs, so `--help` and `version` stay fast.
 */
import { Command, CommanderError, Option } from 'commander';
import { OperationalError, PhaseError, UsageError } from './errors.js';
import { syncWrites } from './host/store.js';
import { parseGlobalOptions, processIo, type GlobalOptions, type Io } from './commands/global.js';
import type { InitFlags } from './config/load.js';
import type { AddSchedulerFlags, RemoveSchedulerFlags } from './commands/schedulers.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The init flags of SPEC, shared by `init` and `init phase`. */
function addInitFlags(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'configuration file (kind NodeConfiguration); flags override its fields')
    .option('--advertise-address <ip>', 'IP the API server advertises (default: the default-route interface IPv4)')
    .option('--node-name <name>', 'node name (default: the hostname)')
    .option('--kubernetes-version <version>', 'Kubernetes version, vX.Y or vX.Y.Z (default: newest supported)')
    .option('--pod-subnet <cidr>', 'pod network range; enables node CIDR allocation')
    .option('--service-subnet <cidr>', 'service virtual IP range (default 10.96.0.0/12)')
    .option('--control-plane-endpoint <host[:port]>', 'stable address for the API server (DNS name or IP)')
    .option('--apiserver-cert-extra-sans <list>', 'extra SANs for the API server certificate, comma-separated')
    .option('--cri-socket <url>', 'container runtime socket (default unix:///var/run/containerd/containerd.sock)')
    .option('--image-repository <repo>', 'registry for control-plane images (default registry.k8s.io)')
    .option('--extra-scheduler <name>', 'run an extra scheduler with this name (repeatable)', collect)
    .option('--skip-phases <list>', 'phases to skip, comma-separated (e.g. certs/apiserver,addon)')
    .option('--ignore-preflight-errors <list>', 'preflight checks to report as warnings, or all')
    .option('--prepare-host', 'install and configure the container runtime, kubelet and kernel settings')
    .option('--pod-network <bridge|none>', 'pod network: bridge (single-node CNI, default; --pod-subnet defaults to 10.244.0.0/16) or none (install your own)')
    .option('--allow-schedule-on-control-plane', 'do not taint the control-plane node, so ordinary pods run on it (single-node clusters)')
    .option('--standalone', 'a kubelet-only node that runs static pods with no control plane')
    .option('--manifests-dir <dir>', 'the kubelet\'s staticPodPath (default /etc/kubernetes/manifests; another directory with --standalone only)')
    .option('--encryption-algorithm <alg>', 'key algorithm: RSA-2048 (default), RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384 (v1.34+)')
    .option('--certificate-validity-period <duration>', 'validity of leaf and kubeconfig certificates (default 8760h)')
    .option('--ca-certificate-validity-period <duration>', 'validity of the CAs nodeadm creates (default 87600h)')
    .option('--certificate-renewal-timer', 'install a systemd timer that renews certificates expiring within 60 days')
    .option('--wait-timeout <duration>', 'how long wait-control-plane waits for the kubelet and each component (default 4m0s)');
}

function globals(cmd: Command): GlobalOptions {
  return parseGlobalOptions(cmd.optsWithGlobals());
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('nodeadm')
    .description('Bootstrap a Kubernetes node whose control plane runs as static pods')
    .option('--root <dir>', 'operate on a node image in DIR instead of this machine', '/')
    .option('--dry-run', 'show every file and command, change nothing')
    .option('--yes', 'never prompt')
    .option('--verbose', 'more detail')
    .option('--no-color', 'no colours')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
    });

  const init = addInitFlags(program.command('init'))
    .description('make this machine a control-plane node: every init phase in order')
    .action(async (flags: InitFlags, cmd: Command) => {
      const global = globals(cmd);
      // The input, and the keys it implies, before the phases' modules load (see init-input.ts).
      const { readInitInput } = await import('./commands/init-input.js');
      const input = await readInitInput(global, flags, io, { startKeys: true });
      const { runInit } = await import('./commands/init.js');
      setExit(await runInit(global, flags, io, undefined, input));
    });

  const phaseCmd = addInitFlags(init.command('phase'))
    .description('run one phase of init (or one sub-phase, e.g. "certs apiserver")')
    .argument('<name>', 'phase')
    .argument('[sub]', 'sub-phase, or "all"')
    .action(async (name: string, sub: string | undefined, flags: InitFlags, cmd: Command) => {
      const { runInit } = await import('./commands/init.js');
      // commander hands an init flag given after "phase X" to the parent `init`, which declares it too.
      const merged: InitFlags = { ...(cmd.parent?.opts() as InitFlags), ...flags };
      setExit(await runInit(globals(cmd), merged, io, { name, ...(sub !== undefined ? { sub } : {}) }));
    });
  phaseCmd.addHelpText('after', () => `\n${phaseListing()}`);

  const config = program.command('config').description('print or validate configuration');
  config
    .command('print')
    .description('print configuration')
    .argument('<what>', 'init-defaults')
    .action(async (what: string, _opts: unknown, cmd: Command) => {
      const { printConfig } = await import('./commands/config.js');
      setExit(await printConfig(globals(cmd), what, io));
    });
  config
    .command('validate')
    .description('check a configuration file; exit 2 with the first problem')
    .requiredOption('--config <file>', 'configuration file')
    .action(async (opts: { config: string }, cmd: Command) => {
      const { validateConfig } = await import('./commands/config.js');
      setExit(await validateConfig(globals(cmd), opts.config, io));
    });

  program
    .command('add-scheduler')
    .description('add (or update) an extra scheduler as a static pod on this control-plane node')
    .requiredOption('--name <name>', 'scheduler name: profiles[0].schedulerName, the value pods give in spec.schedulerName')
    .option('--port <port>', 'secure port (default: the next free port from 10260)')
    .option('--image <image>', 'scheduler image (default: the control plane\'s kube-scheduler image)')
    .option('--leader-elect', 'elect a leader with lease kube-system/NAME (and the RBAC it needs)')
    .option('--profile-config <file>', 'a KubeSchedulerConfiguration or single profile (plugins, pluginConfig) to use')
    .action(async (opts: AddSchedulerFlags, cmd: Command) => {
      const { addScheduler } = await import('./commands/schedulers.js');
      setExit(await addScheduler(globals(cmd), opts, io));
    });
  program
    .command('remove-scheduler')
    .description('remove an extra scheduler: its static pod, configuration and RBAC, and nothing else')
    .requiredOption('--name <name>', 'scheduler name')
    .option('--ignore-not-found', 'succeed when there is no such scheduler')
    .action(async (opts: RemoveSchedulerFlags, cmd: Command) => {
      const { removeScheduler } = await import('./commands/schedulers.js');
      setExit(await removeScheduler(globals(cmd), opts, io));
    });
  program
    .command('list-schedulers')
    .description('the default and extra schedulers: name, port, image, leader election; state and health on a live node')
    .action(async (_opts: unknown, cmd: Command) => {
      const { listSchedulersCommand } = await import('./commands/schedulers.js');
      setExit(await listSchedulersCommand(globals(cmd), io));
    });

  const certs = program.command('certs').description('certificate lifecycle: expiry, renewal, CSRs for an external CA');
  certs
    .command('check-expiration')
    .description('list every certificate (kubeconfigs included) and CA with its expiry; warn under 30 days')
    .action(async (_opts: unknown, cmd: Command) => {
      const { checkExpiration } = await import('./commands/certs.js');
      setExit(await checkExpiration(globals(cmd), io));
    });
  certs
    .command('renew')
    .description('renew certificates from the existing CAs and restart what uses them (one at a time)')
    .argument('<name...>', 'certificate names as check-expiration lists them, or all')
    .option('--if-expiring-within <duration>', 'renew only what expires within this time, e.g. 60d')
    .action(async (names: string[], opts: { ifExpiringWithin?: string }, cmd: Command) => {
      const { renewCommand } = await import('./commands/certs.js');
      setExit(await renewCommand(globals(cmd), names, opts, io));
    });
  certs
    .command('generate-csr')
    .description('write keys and certificate signing requests for an external CA')
    .action(async (_opts: unknown, cmd: Command) => {
      const { generateCsrCommand } = await import('./commands/certs.js');
      setExit(await generateCsrCommand(globals(cmd), io));
    });

  const pod = program.command('pod').description('validated static pod management on any node (standalone or control-plane)');
  pod
    .command('add')
    .description('validate Pod manifests and write each as NAME.yaml into the kubelet\'s manifests directory')
    .argument('<file>', 'YAML file with one or more Pod documents, or - for stdin')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      const { podAdd } = await import('./commands/pod.js');
      setExit(await podAdd(globals(cmd), file, io));
    });
  pod
    .command('remove')
    .description('remove a static pod that "pod add" wrote')
    .argument('<name>', 'the pod\'s metadata.name')
    .option('--force', 'also remove a manifest nodeadm did not write (never a control-plane or scheduler manifest)')
    .action(async (name: string, opts: { force?: boolean }, cmd: Command) => {
      const { podRemove } = await import('./commands/pod.js');
      setExit(await podRemove(globals(cmd), name, opts.force === true, io));
    });
  pod
    .command('list')
    .description('every manifest in the kubelet\'s manifests directory with its owner and, on a live node, its containers\' state')
    .action(async (_opts: unknown, cmd: Command) => {
      const { podList } = await import('./commands/pod.js');
      setExit(await podList(globals(cmd), io));
    });

  program
    .command('status')
    .description('the node: static pods with their container state and health, kubelet state, certificate expiry')
    .action(async (_opts: unknown, cmd: Command) => {
      const { runStatus } = await import('./commands/status.js');
      setExit(await runStatus(globals(cmd), io));
    });

  program
    .command('reset')
    .description('undo what nodeadm did on this node: static pods, the files it created, and (confirmed) etcd data')
    .action(async (_opts: unknown, cmd: Command) => {
      const { runReset } = await import('./commands/reset.js');
      setExit(await runReset(globals(cmd), io));
    });

  program
    .command('version')
    .description('print the nodeadm version and the supported Kubernetes versions')
    .action(async (_opts: unknown, cmd: Command) => {
      const { printVersion } = await import('./commands/version.js');
      setExit(printVersion(globals(cmd), io));
    });

  return program;
}

let listing: (() => string) | undefined;
/** Filled by commands/init.ts's tree; kept lazy so --help does not load the phases. */
function phaseListing(): string {
  return listing ? listing() : 'Run "nodeadm init phase --help" after a build to list phases.';
}
export function setPhaseListing(fn: () => string): void {
  listing = fn;
}

function describeError(error: unknown, io: Io, json: boolean): number {
  if (json && (error instanceof UsageError || error instanceof OperationalError)) {
    const exitCode = error instanceof UsageError ? 2 : 1;
    const hint = error instanceof OperationalError ? error.hint : undefined;
    io.out(JSON.stringify({ error: error.message, ...(hint ? { hint } : {}), exitCode }, null, 2));
    return exitCode;
  }
  if (error instanceof UsageError) {
    io.err(`error: ${error.message}`);
    return 2;
  }
  if (error instanceof OperationalError) {
    io.err(`error: ${error.message}`);
    if (error.hint) io.err(`hint: ${error.hint}`);
    if (error instanceof PhaseError && !(error.cause instanceof OperationalError) && error.cause instanceof Error) {
      io.err(error.cause.stack ?? String(error.cause));
    }
    return 1;
  }
  io.err(`nodeadm: unexpected error (a bug; please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 70;
}

function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--output=json' || a === '-ojson' || ((a === '-o' || a === '--output') && argv[i + 1] === 'json'));
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  if (argv.includes('--no-color')) process.env.NO_COLOR = '1';
  let code = 0;
  if (argv.length >= 2 && argv[0] === 'init' && argv[1] === 'phase' && (argv.includes('--help') || argv.includes('-h'))) {
    const { phaseHelp } = await import('./commands/init.js');
    setPhaseListing(phaseHelp);
  }
  const program = buildProgram(io, (c) => (code = c));
  const exitCode = await run(program, argv, io, () => code);
  // What the command wrote is on disk before it exits, whether it succeeded or not.
  try {
    await syncWrites();
  } catch (error) {
    const failure = new OperationalError(`written files could not be made durable: ${error instanceof Error ? error.message : String(error)}`, 'check the disk (dmesg), then run the command again');
    return Math.max(exitCode, describeError(failure, io, wantsJson(argv)));
  }
  return exitCode;
}

async function run(program: Command, argv: readonly string[], io: Io, code: () => number): Promise<number> {
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return code();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      // commander has already printed its one-line message.
      return 2;
    }
    return describeError(error, io, wantsJson(argv));
  }
}
