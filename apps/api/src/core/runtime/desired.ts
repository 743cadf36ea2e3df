/**
 * What should run: each app's current release × its formation → one DesiredProcess per
 * process (`web.1`, `web.2`, `worker.1`…). Pure: the orchestrator loads the inputs from the
 * store and hands the result to the runtime driver, whichever it is.
 */
import { type DesiredProcess, dynoSizeOrDefault, STOP_TIMEOUT_MAX_SECONDS, WEB_PORT } from '@paas/shared';
import { RELEASE_TYPE } from '../procfile.js';

export interface DesiredInput {
  app: { id: string; name: string };
  release: {
    id: string;
    version: number;
    image: string;
    config: Record<string, string>;
    processTypes: Record<string, string | null>;
  };
  /** Each type's quantity and dyno size (an unknown stored size runs as the default). */
  formation: { type: string; quantity: number; size?: string }[];
  /** Restart requests: scope ('' = the app, a type, or a process name) → when. */
  restarts: Map<string, string>;
  /** The app's network, when it has add-ons (its processes join it to reach them). */
  network?: string;
}

export interface DesiredDefaults {
  /** Seconds between SIGTERM and SIGKILL (an app's PAAS_STOP_TIMEOUT overrides). */
  stopTimeout: number;
  /** Seconds a new web process has to answer on $PORT (an app's PAAS_BOOT_TIMEOUT overrides). */
  bootTimeout: number;
}

const seconds = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

/** The latest restart request that covers this process, or '' if none ever did. */
export function generationOf(restarts: Map<string, string>, type: string, name: string): string {
  return (
    [restarts.get(''), restarts.get(type), restarts.get(name)]
      .filter((at): at is string => at !== undefined)
      .sort()
      .at(-1) ?? ''
  );
}

export function desiredProcesses(inputs: DesiredInput[], defaults: DesiredDefaults): DesiredProcess[] {
  const processes: DesiredProcess[] = [];
  for (const { app, release, formation, restarts, network } of inputs) {
    // Capped here too: a release made before the ceiling may carry more.
    const stopTimeout = Math.min(
      seconds(release.config.PAAS_STOP_TIMEOUT, defaults.stopTimeout),
      STOP_TIMEOUT_MAX_SECONDS,
    );
    const bootTimeout = seconds(release.config.PAAS_BOOT_TIMEOUT, defaults.bootTimeout);
    for (const row of formation) {
      // A formation row for a type the current release does not have runs nothing.
      // Nor does `release`: the release phase's command runs once per release, not as a process.
      if (!Object.hasOwn(release.processTypes, row.type) || row.type === RELEASE_TYPE) continue;
      const web = row.type === 'web';
      for (let index = 1; index <= row.quantity; index++) {
        const name = `${row.type}.${index}`;
        processes.push({
          key: `${app.id}:${name}`,
          app: app.name,
          appId: app.id,
          type: row.type,
          index,
          name,
          release: { id: release.id, version: release.version },
          image: release.image,
          command: release.processTypes[row.type] ?? null,
          env: { ...release.config, PORT: String(WEB_PORT), DYNO: name, PAAS_RELEASE: `v${release.version}` },
          stopTimeout,
          generation: generationOf(restarts, row.type, name),
          healthCheckPath: web ? (release.config.PAAS_HEALTHCHECK_PATH ?? null) : null,
          ...(web ? { bootTimeout } : {}),
          ...(network ? { network } : {}),
          size: dynoSizeOrDefault(row.size).name,
        });
      }
    }
  }
  return processes;
}

/** A one-off that has not ended, with the release it runs (see core/one-offs.ts). */
export interface OneOffInput {
  app: { id: string; name: string };
  /** The app's network, when it has add-ons (a one-off reaches them as the app's processes do). */
  network?: string;
  oneOff: {
    id: string;
    number: number;
    type: string;
    /** '' = the image's own CMD. */
    command: string;
    env: Record<string, string>;
    attach: boolean;
    tty: boolean;
    timeout: number;
    /** Its dyno size (`run --size`, else the formation's). */
    size?: string;
  };
  release: { id: string; version: number; image: string; config: Record<string, string> };
}

/** One DesiredProcess per unfinished one-off (`run.N`, `release.N`): its release's config, then its `-e`. */
export function oneOffProcesses(inputs: OneOffInput[], defaults: DesiredDefaults): DesiredProcess[] {
  return inputs.map(({ app, oneOff, release, network }) => {
    const name = `${oneOff.type}.${oneOff.number}`;
    return {
      key: `${app.id}:${name}`,
      app: app.name,
      appId: app.id,
      type: oneOff.type,
      index: oneOff.number,
      name,
      release: { id: release.id, version: release.version },
      image: release.image,
      command: oneOff.command === '' ? null : oneOff.command,
      env: {
        ...release.config,
        ...oneOff.env,
        PORT: String(WEB_PORT),
        DYNO: name,
        PAAS_RELEASE: `v${release.version}`,
      },
      stopTimeout: Math.min(seconds(release.config.PAAS_STOP_TIMEOUT, defaults.stopTimeout), STOP_TIMEOUT_MAX_SECONDS),
      generation: '',
      healthCheckPath: null,
      oneOff: { id: oneOff.id, attach: oneOff.attach, tty: oneOff.tty, timeout: oneOff.timeout },
      ...(network ? { network } : {}),
      size: dynoSizeOrDefault(oneOff.size).name,
    };
  });
}
