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
import { MANIFESTS_DIR } from '../paths.js';
import { CONFIG_API_VERSION, CONFIG_KIND, type ExtraArg, type NodeConfig } from './types.js';
import { parseExtraArgs, parseKubeletConfigOverrides } from './component-args.js';
import type { FlagComponent } from '../manifests/flags/index.js';
import * as v from './validate.js';
import { DEFAULT_BRIDGE_POD_SUBNET } from '../addons/cni.js';
import { checkSchedulerProfiles } from '../schedulers/scheduler-config.js';
import { parseExtraSchedulers, toConfigEntry } from '../schedulers/spec.js';

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
  podNetwork?: string;
  allowScheduleOnControlPlane?: boolean;
  standalone?: boolean;
  manifestsDir?: string;
  encryptionAlgorithm?: string;
  certificateValidityPeriod?: string;
  caCertificateValidityPeriod?: string;
  certificateRenewalTimer?: boolean;
  waitTimeout?: string;
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
  { path: 'apiServer.extraArgs' },
  { path: 'controllerManager.extraArgs' },
  { path: 'scheduler.extraArgs' },
  { path: 'etcd.extraArgs' },
  { path: 'kubelet.extraArgs' },
  { path: 'kubelet.config' },
  { path: 'criSocket', flag: 'criSocket', flagName: '--cri-socket' },
  { path: 'imageRepository', flag: 'imageRepository', flagName: '--image-repository' },
  { path: 'extraSchedulers', flag: 'extraScheduler', flagName: '--extra-scheduler' },
  { path: 'clusterName' },
  { path: 'skipPhases', flag: 'skipPhases', flagName: '--skip-phases' },
  { path: 'ignorePreflightErrors', flag: 'ignorePreflightErrors', flagName: '--ignore-preflight-errors' },
  { path: 'prepareHost', flag: 'prepareHost', flagName: '--prepare-host' },
  { path: 'podNetwork', flag: 'podNetwork', flagName: '--pod-network' },
  { path: 'allowScheduleOnControlPlane', flag: 'allowScheduleOnControlPlane', flagName: '--allow-schedule-on-control-plane' },
  { path: 'standalone', flag: 'standalone', flagName: '--standalone' },
  { path: 'staticPodPath', flag: 'manifestsDir', flagName: '--manifests-dir' },
  { path: 'encryptionAlgorithm', flag: 'encryptionAlgorithm', flagName: '--encryption-algorithm' },
  { path: 'certificateValidityPeriod', flag: 'certificateValidityPeriod', flagName: '--certificate-validity-period' },
  { path: 'caCertificateValidityPeriod', flag: 'caCertificateValidityPeriod', flagName: '--ca-certificate-validity-period' },
  { path: 'certificateRenewalTimer', flag: 'certificateRenewalTimer', flagName: '--certificate-renewal-timer' },
  { path: 'waitTimeout', flag: 'waitTimeout', flagName: '--wait-timeout' },
];
const SECTIONS = ['networking', 'apiServer', 'controllerManager', 'scheduler', 'etcd', 'kubelet'];
const TOP_LEVEL = ['apiVersion', 'kind', ...new Set(FIELDS.map((f) => f.path.split('.')[0]!))];

export const DEFAULTS = {
  bindPort: 6443,
  serviceSubnet: '10.96.0.0/12',
  dnsDomain: 'cluster.local',
  criSocket: 'unix:///var/run/containerd/containerd.sock',
  imageRepository: 'registry.k8s.io',
  clusterName: 'kubernetes',
  encryptionAlgorithm: 'RSA-2048',
  certificateValidityPeriod: '8760h',
  caCertificateValidityPeriod: '87600h',
  waitTimeout: '4m0s',
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
  const config = await buildConfig(raw, options);
  // Profile files are input too: checked now, before anything is written.
  await checkSchedulerProfiles(config.extraSchedulers, raw.get('extraSchedulers')?.label ?? 'extraSchedulers');
  return config;
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
  const extraSchedulers = get('extraSchedulers', (value, label) => parseExtraSchedulers(value, label, bindPort)) ?? [];
  const clusterName = get('clusterName', v.dnsSubdomain) ?? DEFAULTS.clusterName;
  const skipPhases = get('skipPhases', v.identifierList) ?? [];
  const ignorePreflightErrors = get('ignorePreflightErrors', v.identifierList) ?? [];
  const prepareHost = get('prepareHost', v.asBoolean) ?? false;
  const componentArgs = (path: string, component: FlagComponent): ExtraArg[] | undefined =>
    get(path, (value, label) => parseExtraArgs(value, label, component, kubernetesVersion));
  const apiServerArgs = componentArgs('apiServer.extraArgs', 'kube-apiserver');
  const controllerManagerArgs = componentArgs('controllerManager.extraArgs', 'kube-controller-manager');
  const schedulerArgs = componentArgs('scheduler.extraArgs', 'kube-scheduler');
  const etcdArgs = componentArgs('etcd.extraArgs', 'etcd');
  const kubeletArgs = componentArgs('kubelet.extraArgs', 'kubelet');
  const kubeletConfig = get('kubelet.config', parseKubeletConfigOverrides);
  const standalone = get('standalone', v.asBoolean) ?? false;
  const encryptionAlgorithm = get('encryptionAlgorithm', (value, label) => v.encryptionAlgorithm(value, label, kubernetesVersion)) ?? DEFAULTS.encryptionAlgorithm;
  const certificateValidityHours = get('certificateValidityPeriod', v.validityPeriodHours) ?? v.validityPeriodHours(DEFAULTS.certificateValidityPeriod, 'certificateValidityPeriod');
  const caCertificateValidityHours = get('caCertificateValidityPeriod', v.validityPeriodHours) ?? v.validityPeriodHours(DEFAULTS.caCertificateValidityPeriod, 'caCertificateValidityPeriod');
  const certificateRenewalTimer = get('certificateRenewalTimer', v.asBoolean) ?? false;
  const waitTimeoutMs = get('waitTimeout', v.waitTimeoutMs) ?? v.waitTimeoutMs(DEFAULTS.waitTimeout, 'waitTimeout');
  const staticPodPath = get('staticPodPath', (value, label) => v.manifestsDir(value, label, standalone)) ?? MANIFESTS_DIR;
  if (standalone) v.noControlPlaneFields(['controlPlaneEndpoint', 'networking.podSubnet', 'apiServer.certSANs', 'extraSchedulers', 'podNetwork', 'allowScheduleOnControlPlane'].map((p) => raw.get(p)));
  const podNetwork = standalone ? 'none' : (get('podNetwork', v.podNetwork) ?? 'bridge');
  const allowScheduleOnControlPlane = get('allowScheduleOnControlPlane', v.asBoolean) ?? false;
  // The bridge network needs a pod subnet: nodeadm picks one only then, and only when none is given.
  const bridgeSubnet = podSubnet === undefined && podNetwork === 'bridge' ? defaultBridgePodSubnet(serviceSubnet, serviceLabel) : undefined;
  // Last: detection may prompt, and every other value should be checked before the user is asked.
  // A standalone node advertises nothing (no API server, no etcd): loopback, never a prompt.
  const advertiseAddress = get('advertiseAddress', v.ipAddress) ?? (standalone ? '127.0.0.1' : await detectAdvertiseAddress(options.chooseAddress));

  return {
    kubernetesVersion,
    nodeName,
    advertiseAddress,
    bindPort,
    ...(controlPlaneEndpoint ? { controlPlaneEndpoint } : {}),
    networking: { ...((podSubnet ?? bridgeSubnet) ? { podSubnet: podSubnet ?? bridgeSubnet } : {}), serviceSubnet, dnsDomain },
    apiServer: { certSANs, ...(apiServerArgs ? { extraArgs: apiServerArgs } : {}) },
    ...(controllerManagerArgs ? { controllerManager: { extraArgs: controllerManagerArgs } } : {}),
    ...(schedulerArgs ? { scheduler: { extraArgs: schedulerArgs } } : {}),
    ...(etcdArgs ? { etcd: { extraArgs: etcdArgs } } : {}),
    ...(kubeletArgs || kubeletConfig ? { kubelet: { ...(kubeletArgs ? { extraArgs: kubeletArgs } : {}), ...(kubeletConfig ? { config: kubeletConfig } : {}) } } : {}),
    criSocket,
    imageRepository,
    extraSchedulers,
    clusterName,
    skipPhases,
    ignorePreflightErrors,
    prepareHost,
    podNetwork,
    allowScheduleOnControlPlane,
    standalone,
    staticPodPath,
    encryptionAlgorithm,
    certificateValidityHours,
    caCertificateValidityHours,
    certificateRenewalTimer,
    waitTimeoutMs,
  };
}

/** 10.244.0.0/16 (fd00:10:244::/56 for IPv6) per service-subnet family, checked like a given --pod-subnet. */
function defaultBridgePodSubnet(serviceSubnet: string, serviceLabel: string): string {
  const families = serviceSubnet.split(',').map((s) => (s.includes(':') ? DEFAULT_BRIDGE_POD_SUBNET.ipv6 : DEFAULT_BRIDGE_POD_SUBNET.ipv4));
  return v.podSubnet(families.join(','), '--pod-subnet (default for --pod-network bridge)', serviceSubnet, serviceLabel);
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
    ...(config.controllerManager ? { controllerManager: config.controllerManager } : {}),
    ...(config.scheduler ? { scheduler: config.scheduler } : {}),
    ...(config.etcd ? { etcd: config.etcd } : {}),
    ...(config.kubelet ? { kubelet: config.kubelet } : {}),
    criSocket: config.criSocket,
    imageRepository: config.imageRepository,
    extraSchedulers: config.extraSchedulers.map(toConfigEntry),
    clusterName: config.clusterName,
    skipPhases: config.skipPhases,
    ignorePreflightErrors: config.ignorePreflightErrors,
    prepareHost: config.prepareHost,
    podNetwork: config.podNetwork,
    allowScheduleOnControlPlane: config.allowScheduleOnControlPlane,
    standalone: config.standalone,
    staticPodPath: config.staticPodPath,
    encryptionAlgorithm: config.encryptionAlgorithm,
    certificateValidityPeriod: `${config.certificateValidityHours}h`,
    caCertificateValidityPeriod: `${config.caCertificateValidityHours}h`,
    certificateRenewalTimer: config.certificateRenewalTimer,
    waitTimeout: `${config.waitTimeoutMs / 1000}s`,
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
