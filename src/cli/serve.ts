/**
 * Runs an App until SIGINT/SIGTERM (or an optional duration), then stops it in
 * order. Shared by `wattgate start` and `wattgate demo`.
 */
import type { App } from '../app.js';

export async function serveUntilSignal(app: App, durationMs?: number, onStarted?: () => void): Promise<void> {
  await app.start();
  onStarted?.();
  await new Promise<void>((resolve) => {
    // Signal listeners do not keep Node's event loop alive: hold it open until stopped,
    // so a service with nothing listening (every part switched off) still runs.
    const keepAlive = setInterval(() => {}, 1 << 30);
    const done = (reason: string) => {
      clearInterval(keepAlive);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      if (timer) clearTimeout(timer);
      void app.stop(reason).then(resolve, resolve);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const timer =
      durationMs === undefined ? undefined : setTimeout(() => done('duration elapsed'), durationMs);
  });
}
