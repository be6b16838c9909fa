/**
 * Flags + config file → validated NodeConfig. Everything the user typed is checked here,
 * before any phase runs; a bad value throws a one-line UsageError (exit 2).
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import yaml from 'js-yaml';
import { UsageError } from '../errors.js';
import { DEFAULT_VERSION, resolveVersion } from '../versions/index.js';
import { detectAdvertiseAddress, type AddressChooser } from './advertise.js';
import { CONFIG_API_VERSION, CONFIG_KIND, type NodeConfig } from './types.js';
import * as v from './validate.js';

/** Init flags as the CLI parsed them (all optional; strings as typed). */
export interface InitFlags {
  config?: string;
  kubernetesVersion?: string;
  nodeName?: string;
  advertiseAddress?: string;
  controlPlaneEndpoint?: string;
  podSubnet?: string;
  serviceSubnet?: string;
  apiserverCertExtraSans?: string;
  criSocket?: string;
  imageRepository?: string;
  extraScheduler?: string[];
  skipPhases?: string;
  ignorePreflightErrors?: string;
  prepareHost?: boolean;
}

/** One config field: where it sits in the file and which flag overrides it. */
interface Field {
  path: string;
  flag?: keyof InitFlags;
  flagName?: string;
}

const FIELDS: Field[] = [
  { path: 'kubernetesVersion', flag: 'kubernetesVersion', flagName: '--kubernetes-version' },
  { path: 'nodeName', flag: 'nodeName', flagName: '--node-name' },
  { path: 'advertiseAddress', flag: 'advertiseAddress', flagName: '--advertise-address' },
  { path: 'bindPort' },
  { path: 'controlPlaneEndpoint', flag: 'controlPlaneEndpoint', flagName: '--control-plane-endpoint' },
  { path: 'networking.podSubnet', flag: 'podSubnet', flagName: '--pod-subnet' },
  { path: 'networking.serviceSubnet', flag: 'serviceSubnet', flagName: '--service-subnet' },
  { path: 'networking.dnsDomain' },
  { path: 'apiServer.certSANs', flag: 'apiserverCertExtraSans', flagName: '--apiserver-cert-extra-sans' },
  { path: 'criSocket', flag: 'criSocket', flagName: '--cri-socket' },
  { path: 'imageRepository', flag: 'imageRepository', flagName: '--image-repository' },
  { path: 'extraSchedulers', flag: 'extraScheduler', flagName: '--extra-scheduler' },
  { path: 'clusterName' },
  { path: 'skipPhases', flag: 'skipPhases', flagName: '--skip-phases' },
  { path: 'ignorePreflightErrors', flag: 'ignorePreflightErrors', flagName: '--ignore-preflight-errors' },
  { path: 'prepareHost', flag: 'prepareHost', flagName: '--prepare-host' },
];
const SECTIONS = ['networking', 'apiServer'];
const TOP_LEVEL = ['apiVersion', 'kind', ...new Set(FIELDS.map((f) => f.path.split('.')[0]!))];

export const DEFAULTS = {
  bindPort: 6443,
  serviceSubnet: '10.96.0.0/12',
  dnsDomain: 'cluster.local',
  criSocket: 'unix:///var/run/containerd/containerd.sock',
  imageRepository: 'registry.k8s.io',
  clusterName: 'kubernetes',
} as const;

/** A raw value and the label that names its source in errors. */
interface Sourced {
  value: unknown;
  label: string;
}

/** Reads and structurally checks a config file: apiVersion, kind, no unknown fields. */
export async function readConfigFile(path: string, label = '--config'): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${label}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseConfigText(text, path);
}

export function parseConfigText(text: string, file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    const reason = e instanceof yaml.YAMLException ? e.reason : String(e);
    const line = e instanceof yaml.YAMLException ? ` at line ${e.mark.line + 1}` : '';
    throw new UsageError(`${file}: malformed YAML${line}: ${reason}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${file}: expected a mapping of configuration fields`);
  const obj = doc as Record<string, unknown>;
  if (obj.apiVersion !== CONFIG_API_VERSION) {
    throw new UsageError(`${file}: apiVersion: invalid value ${v.show(obj.apiVersion)}: expected ${CONFIG_API_VERSION}`);
  }
  if (obj.kind !== CONFIG_KIND) throw new UsageError(`${file}: kind: invalid value ${v.show(obj.kind)}: expected ${CONFIG_KIND}`);
  for (const key of Object.keys(obj)) {
    if (!TOP_LEVEL.includes(key)) throw new UsageError(`${file}: unknown field "${key}" (accepted: ${TOP_LEVEL.join(', ')})`);
  }
  for (const section of SECTIONS) {
    const value = obj[section];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${file}: ${section}: expected a mapping`);
    const accepted = FIELDS.filter((f) => f.path.startsWith(`${section}.`)).map((f) => f.path.slice(section.length + 1));
    for (const key of Object.keys(value)) {
      if (!accepted.includes(key)) {
        throw new UsageError(`${file}: unknown field "${section}.${key}" (accepted in ${section}: ${accepted.join(', ')})`);
      }
    }
  }
  return obj;
}

function getPath(obj: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

export interface ResolveOptions {
  /** Asks the user to pick among candidate addresses; absent when prompting is not allowed. */
  chooseAddress?: AddressChooser;
  /** The OS hostname (default node name). */
  osHostname?: string;
}

/** Merges the config file (if any) and flags (which win), validates everything, applies defaults. */
export async function resolveInitConfig(flags: InitFlags, options: ResolveOptions = {}): Promise<NodeConfig> {
  const file = flags.config === undefined ? {} : await readConfigFile(flags.config);
  const fileName = flags.config ?? '';
  const raw = new Map<string, Sourced>();
  for (const field of FIELDS) {
    const fromFile = getPath(file, field.path);
    if (fromFile !== undefined && fromFile !== null) raw.set(field.path, { value: fromFile, label: `${fileName}: ${field.path}` });
    const fromFlag = field.flag === undefined ? undefined : flags[field.flag];
    const isEmptyList = Array.isArray(fromFlag) && fromFlag.length === 0;
    if (fromFlag !== undefined && !isEmptyList && field.flagName) raw.set(field.path, { value: fromFlag, label: field.flagName });
  }
  return buildConfig(raw, options);
}

async function buildConfig(raw: Map<string, Sourced>, options: ResolveOptions): Promise<NodeConfig> {
  const get = <T>(path: string, parse: (value: unknown, label: string) => T): T | undefined => {
    const s = raw.get(path);
    return s === undefined ? undefined : parse(s.value, s.label);
  };
  const labelOf = (path: string, fallback: string): string => raw.get(path)?.label ?? fallback;

  const kubernetesVersion = get('kubernetesVersion', (value, label) => resolveVersion(v.asString(value, label), label)) ?? resolveVersion(DEFAULT_VERSION.minor);
  const nodeName =
    get('nodeName', v.dnsSubdomain) ?? v.dnsSubdomain((options.osHostname ?? hostname()).toLowerCase(), '--node-name (defaulted from the hostname)');
  const bindPort = get('bindPort', v.port) ?? DEFAULTS.bindPort;
  const controlPlaneEndpoint = get('controlPlaneEndpoint', (value, label) => v.endpoint(value, label, bindPort));
  const serviceSubnet = get('networking.serviceSubnet', v.serviceSubnet) ?? DEFAULTS.serviceSubnet;
  const serviceLabel = labelOf('networking.serviceSubnet', '--service-subnet (default)');
  const podSubnet = get('networking.podSubnet', (value, label) => v.podSubnet(value, label, serviceSubnet, serviceLabel));
  const dnsDomain = get('networking.dnsDomain', v.dnsSubdomain) ?? DEFAULTS.dnsDomain;
  const certSANs = get('apiServer.certSANs', (value, label) => v.asList(value, label).map((s, i) => v.certSan(s, Array.isArray(value) ? `${label}[${i}]` : label))) ?? [];
  const criSocket = get('criSocket', v.criSocket) ?? DEFAULTS.criSocket;
  const imageRepository = get('imageRepository', v.imageRepository) ?? DEFAULTS.imageRepository;
  const extraSchedulers =
    get('extraSchedulers', (value, label) => {
      const names = v.asList(value, label).map((n) => v.schedulerName(n, label));
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup !== undefined) throw new UsageError(`${label}: scheduler "${dup}" is given twice; names must be unique`);
      return names;
    }) ?? [];
  const clusterName = get('clusterName', v.dnsSubdomain) ?? DEFAULTS.clusterName;
  const skipPhases = get('skipPhases', v.identifierList) ?? [];
  const ignorePreflightErrors = get('ignorePreflightErrors', v.identifierList) ?? [];
  const prepareHost = get('prepareHost', v.asBoolean) ?? false;
  // Last: detection may prompt, and every other value should be checked before the user is asked.
  const advertiseAddress = get('advertiseAddress', v.ipAddress) ?? (await detectAdvertiseAddress(options.chooseAddress));

  return {
    kubernetesVersion,
    nodeName,
    advertiseAddress,
    bindPort,
    ...(controlPlaneEndpoint ? { controlPlaneEndpoint } : {}),
    networking: { ...(podSubnet ? { podSubnet } : {}), serviceSubnet, dnsDomain },
    apiServer: { certSANs },
    criSocket,
    imageRepository,
    extraSchedulers,
    clusterName,
    skipPhases,
    ignorePreflightErrors,
    prepareHost,
  };
}

/** The file form of a NodeConfig: what `config print init-defaults` shows and init saves. */
export function toConfigFile(config: NodeConfig): Record<string, unknown> {
  const cpe = config.controlPlaneEndpoint;
  return {
    apiVersion: CONFIG_API_VERSION,
    kind: CONFIG_KIND,
    kubernetesVersion: config.kubernetesVersion.tag,
    nodeName: config.nodeName,
    advertiseAddress: config.advertiseAddress,
    bindPort: config.bindPort,
    ...(cpe ? { controlPlaneEndpoint: `${cpe.host.includes(':') ? `[${cpe.host}]` : cpe.host}:${cpe.port}` } : {}),
    networking: config.networking,
    apiServer: config.apiServer,
    criSocket: config.criSocket,
    imageRepository: config.imageRepository,
    extraSchedulers: config.extraSchedulers,
    clusterName: config.clusterName,
    skipPhases: config.skipPhases,
    ignorePreflightErrors: config.ignorePreflightErrors,
    prepareHost: config.prepareHost,
  };
}

/** Reads a saved config (etc/kubernetes/nodeadm/config.yaml) back into a NodeConfig. */
export async function configFromText(text: string, file: string): Promise<NodeConfig> {
  const obj = parseConfigText(text, file);
  const raw = new Map<string, Sourced>();
  for (const field of FIELDS) {
    const value = getPath(obj, field.path);
    if (value !== undefined && value !== null) raw.set(field.path, { value, label: `${file}: ${field.path}` });
  }
  if (!raw.has('advertiseAddress')) throw new UsageError(`${file}: advertiseAddress: missing`);
  return buildConfig(raw, {});
}
