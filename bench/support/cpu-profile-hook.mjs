// CPU profile on demand, for a process started by a benchmark (bench/gateway.ts
// --cpu-prof DIR): loaded first with NODE_OPTIONS="--import=<this file>" and
// WATTGATE_BENCH_CPU_PROF_DIR=DIR in the environment. The first SIGUSR2 starts
// V8's sampling profiler (through node:inspector, in-process, 500 µs interval);
// the next one stops it and writes DIR/cpu-<pid>-<n>.cpuprofile (DevTools
// format; written to a temporary name, then renamed, so a reader never sees a
// partial file). Without the variable it does nothing. Only the window between
// the two signals is profiled, not start-up or shutdown; the inspector session
// is opened at the first signal, so the measurements before it run without one.
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.WATTGATE_BENCH_CPU_PROF_DIR;
if (dir) {
  let session;
  let running = false;
  let n = 0;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      if (session === undefined) {
        session = new Session(); // connected at the first signal: no inspector in the process before
        session.connect();
      }
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')),
      );
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) {
        process.stderr.write(`cpu-profile-hook: ${error.message}\n`);
        return;
      }
      const file = join(dir, `cpu-${process.pid}-${++n}.cpuprofile`);
      writeFileSync(`${file}.tmp`, JSON.stringify(result.profile));
      renameSync(`${file}.tmp`, file);
    });
  });
}
