/**
 * The host layer: the only way nodeadm touches the machine. Paths are node-absolute
 * ("/etc/kubernetes/pki/ca.crt") and are resolved under the host's root.
 */

export type WriteResult = 'created' | 'updated' | 'unchanged';

export interface WriteOptions {
  /** Explicit file mode, e.g. 0o600. Applied on create and corrected on update. */
  mode: number;
  /** Private material (keys, kubeconfigs): dry-run never shows the content or a diff. */
  secret?: boolean;
}

/** What happened (or, in dry-run, would happen) to one file or directory. */
export interface FileChange {
  kind: 'file' | 'dir' | 'remove';
  path: string;
  mode?: number;
  action: WriteResult | 'removed';
  secret: boolean;
  /** Dry-run only: full content of a new non-secret file. */
  content?: string;
  /** Dry-run only: unified diff against the existing non-secret file. */
  diff?: string;
}

export interface CommandRecord {
  argv: string[];
  /** false when dry-run recorded a mutating command instead of running it. */
  ran: boolean;
}

export type HostEvent = { type: 'file'; change: FileChange } | { type: 'command'; command: CommandRecord };

export interface RunOptions {
  /** Changes the machine: dry-run records it instead of running it. Read-only commands always run. */
  mutating?: boolean;
  input?: string;
  timeoutMs?: number;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs one command line; the production one wraps execa, tests inject a fake keyed by command line. */
export type CommandRunner = (argv: readonly string[], options: RunOptions) => Promise<RunResult>;

export interface Host {
  /** Absolute path of the root directory ("/" on a live host). */
  readonly root: string;
  readonly dryRun: boolean;
  /** True when root is "/": phases that need the running machine may run. */
  readonly isLiveRoot: boolean;
  /** Absolute path on this machine for a node-absolute path; throws if it would escape the root. */
  resolve(nodePath: string): string;
  readFile(nodePath: string): Promise<Buffer | undefined>;
  readText(nodePath: string): Promise<string | undefined>;
  exists(nodePath: string): Promise<boolean>;
  /** File names (not paths) in a directory, sorted; [] when it does not exist. */
  listDir(nodePath: string): Promise<string[]>;
  /** Atomic write: dot-file in the same directory, fsync, rename. Parent dirs are created 0755. */
  writeFile(nodePath: string, content: string | Uint8Array, options: WriteOptions): Promise<WriteResult>;
  /** Creates a directory (and parents, 0755) with an explicit mode; corrects the mode if it differs. */
  ensureDir(nodePath: string, mode: number): Promise<WriteResult>;
  /**
   * The filesystem device (st_dev, from lstat) that holds a path on disk; undefined when absent.
   * `reset` compares it with the root's so it never deletes across a mount point.
   */
  device(nodePath: string): Promise<number | undefined>;
  /** Removes a file or directory tree; false when it was not there. */
  remove(nodePath: string): Promise<boolean>;
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
}

export interface HostOptions {
  root: string;
  dryRun?: boolean;
  runner?: CommandRunner;
  /** Receives every file change and command, for the reporter. */
  onEvent?: (event: HostEvent) => void;
}
