/**
 * Runs an App until SIGINT/SIGTERM (or an optional duration), then stops it in
 * order. Shared by `wattgate start` and `wattgate demo`. The signal handlers
 * are installed before the parts start: a SIGTERM that arrives while they
 * start (or right after "started" is logged) still stops the app cleanly,
 * once the start has finished, instead of killing the process mid-way.
 */
import type { App } from '../app.js';

export async function serveUntilSignal(app: App, durationMs?: number, onStarted?: () => void): Promise<void> {
  let reason: string | undefined;
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
  try {
    await app.start();
    if (reason === undefined) {
      onStarted?.();
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (reason !== undefined) resolve();
        if (durationMs !== undefined) timer = setTimeout(() => stop('duration elapsed'), durationMs);
      });
    }
    await app.stop(reason).then(
      () => {},
      () => {},
    );
  } finally {
    clearInterval(keepAlive);
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
