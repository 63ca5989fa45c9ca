/**
 * Runs an App until SIGINT/SIGTERM (or an optional duration), then stops it in
 * order. Shared by `wattgate start` and `wattgate demo`. The signal handlers
 * are installed before the parts start: a SIGTERM that arrives while they
 * start (or right after "started" is logged) still stops the app cleanly,
 * once the start has finished, instead of killing the process mid-way.
 *
 * Restart (Maintenance → Restart, `app.restart-requested`): the running app
 * stops in order and `create` makes a new one from the stored configuration,
 * in the same process — so it works the same under systemd, in a terminal and
 * in the demo. A signal during a restart ends the loop.
 */
import type { App } from '../app.js';

type Outcome = 'stop' | 'restart';

export async function serveUntilSignal(
  create: () => App,
  durationMs?: number,
  onStarted?: (app: App) => void,
): Promise<void> {
  let reason: string | undefined;
  let restart = false;
  let wake: () => void = () => {};
  const stop = (why: string) => {
    reason ??= why;
    wake();
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  // Signal listeners do not keep Node's event loop alive: hold it open until stopped,
  // so a service with nothing listening (every part switched off) still runs.
  const keepAlive = setInterval(() => {}, 1 << 30);
  let timer: NodeJS.Timeout | undefined;
  const runOnce = async (app: App): Promise<Outcome> => {
    const off = app.ctx.events.on('app.restart-requested', () => {
      restart = true;
      wake();
    });
    try {
      await app.start();
      // The duration counts from the first "started" (a slow start must not eat it), across restarts.
      if (durationMs !== undefined && timer === undefined)
        timer = setTimeout(() => stop('duration elapsed'), durationMs);
      if (reason === undefined && !restart) {
        onStarted?.(app);
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (reason !== undefined || restart) resolve();
        });
      }
      const outcome: Outcome = reason === undefined && restart ? 'restart' : 'stop';
      await app.stop(outcome === 'restart' ? 'restart requested' : reason).then(
        () => {},
        () => {},
      );
      return outcome;
    } finally {
      off();
    }
  };
  try {
    let app = create();
    while ((await runOnce(app)) === 'restart') {
      restart = false;
      app = create();
    }
  } finally {
    clearInterval(keepAlive);
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
