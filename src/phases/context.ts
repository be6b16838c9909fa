import type { DerivedValues, NodeConfig } from '../config/types.js';
import type { Host } from '../host/types.js';
import type { PkiContext } from '../pki/index.js';
import type { Phase } from '../workflow/phase.js';

/** Everything an init phase needs, typed; host access is injected, never built inside a phase. */
export interface InitContext {
  config: NodeConfig;
  derived: DerivedValues;
  host: Host;
  /** The run's PKI state: key pool, clock, CAs loaded so far. */
  pki: PkiContext;
  /** Whether a phase path (e.g. "kubeconfig") is part of this run and not skipped. */
  willRun: (path: string) => boolean;
  /** This machine's hostname: the kubelet needs --hostname-override when the node name differs. */
  osHostname: string;
}

export type InitPhase = Phase<InitContext>;
