import { listSchedulers, planExtraSchedulers, recordRbac, writeSchedulerFiles } from '../schedulers/manage.js';
import { OperationalError, UsageError } from '../errors.js';
import type { InitPhase } from './context.js';

/**
 * `init --extra-scheduler N` / `extraSchedulers`: the same plan and files as `add-scheduler`.
 * The lease RBAC is only recorded here (the API server is not running yet); post-init applies it.
 */
export const extraSchedulersPhase: InitPhase = {
  name: 'extra-schedulers',
  title: 'Write the configuration and static pod of each extra scheduler',
  guard: ({ config }) => (config.standalone ? 'a standalone node has no control plane to schedule for' : undefined),
  async run({ config, host }, out) {
    // Everything is planned (ports allocated, names and profiles checked) before the first write.
    let plans;
    try {
      plans = await planExtraSchedulers(host, config, config.extraSchedulers);
    } catch (error) {
      // The config itself was valid (checked before any phase); what clashes is something on
      // this node, e.g. a manifest preflight was told to ignore.
      if (error instanceof UsageError) throw new OperationalError(error.message, 'change that entry of extraSchedulers (omit its port to get a free one), or move the other manifest away');
      throw error;
    }
    for (const plan of plans) {
      await writeSchedulerFiles(host, plan);
      await recordRbac(host, plan, out);
      out.info(`${plan.spec.name}: ${plan.manifestPath}, port ${plan.port}, leader election ${plan.rbac.length > 0 ? 'on' : 'off'}`);
    }
    // Schedulers added later with add-scheduler are not in init's input: keep them, but say so.
    const configured = new Set(config.extraSchedulers.map((s) => s.name));
    for (const s of await listSchedulers(host, { ...config, extraSchedulers: [] })) {
      if (!s.default && !configured.has(s.name)) {
        out.warn(`extra scheduler ${s.name} (${s.manifest}) is not in this configuration and keeps running; add it to extraSchedulers to keep it, or: nodeadm remove-scheduler --name ${s.name}`);
      }
    }
  },
};
