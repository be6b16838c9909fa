/**
 * The error hierarchy. cli.ts is the only place that turns these into exit codes:
 * UsageError → 2 (bad input, nothing written), OperationalError → 1 (with a hint),
 * anything else is a bug and shows its stack.
 */

/** Bad input: a flag, field, argument or file the user gave. Always one line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Something on the node or in the run went wrong; `hint` says what to do about it. */
export class OperationalError extends Error {
  override readonly name: string = 'OperationalError';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** The PKI on disk is inconsistent (a key not matching its certificate, a foreign CA…). */
export class PkiError extends OperationalError {
  override readonly name = 'PkiError';
}

/** A phase failed; carries the phase path so the user can resume it. */
export class PhaseError extends OperationalError {
  override readonly name = 'PhaseError';
  constructor(
    readonly phase: string,
    override readonly cause: unknown,
    hint?: string,
  ) {
    super(`phase ${phase} failed: ${cause instanceof Error ? cause.message : String(cause)}`, hint);
  }
}
