/**
 * The RS-485 line of the RTU benchmark, run as its own process: the
 * baud-accurate relay (sim/relay.ts, ideal-slave mode: a reply starts exactly
 * t3.5 after the request, the zero-turnaround slave of the theoretical rate)
 * between the master's pty pair and the slaves' pty pair, and the RTU slave
 * simulator on the slaves' pair.
 *
 *   tsx bench/support/rtu-line.ts --master-end P1B --slave-end P2A --sim-path P2B
 *                                 --baud 9600 [--bits 11] [--units 1,2,3,4]
 *
 * Prints `{"event":"ready"}`, then answers one JSON line per command read
 * from stdin: `{"cmd":"clear"}` (forget the timeline and counters) and
 * `{"cmd":"report","timeoutMs":N}` (timeline summary, relay and simulator
 * statistics). Exits when stdin closes. Raises its own scheduling priority
 * when allowed (the relay's timing suffers most from preemption).
 */
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startRtuSlave } from '../../sim/modbus/rtu-slave.js';
import { startRelay } from '../../sim/relay.js';
import { type BusByte, type LineTiming, splitFrames, summarise } from '../../sim/relay-timeline.js';

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? null;

/** Gaps before slave replies, and the bus transaction rate (request starts) of the window. */
function busExtras(timeline: readonly BusByte[], timing: LineTiming) {
  const frames = splitFrames(timeline, timing);
  const replyGaps: number[] = [];
  const requestStarts: number[] = [];
  frames.forEach((f, i) => {
    const prev = frames[i - 1];
    if (f.dir === 's2m' && prev?.dir === 'm2s') replyGaps.push(f.start - prev.end);
    if (f.dir === 'm2s') requestStarts.push(f.start);
  });
  const n = requestStarts.length;
  const span = n > 1 ? (requestStarts[n - 1] ?? 0) - (requestStarts[0] ?? 0) : 0;
  return { medianReplyGapMs: median(replyGaps), busTxPerS: span > 0 ? ((n - 1) * 1000) / span : null };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'master-end': { type: 'string' },
      'slave-end': { type: 'string' },
      'sim-path': { type: 'string' },
      baud: { type: 'string', default: '9600' },
      bits: { type: 'string', default: '11' },
      units: { type: 'string', default: '1,2,3,4' },
    },
  });
  const [masterPath, slavePath, simPath] = [values['master-end'], values['slave-end'], values['sim-path']];
  if (!masterPath || !slavePath || !simPath)
    throw new Error('--master-end, --slave-end and --sim-path are required');
  try {
    setPriority(-10);
  } catch {
    // not allowed: run at normal priority
  }
  const baud = Number(values.baud);
  const units = values.units.split(',').map(Number);
  const relay = await startRelay({
    masterPath,
    slavePath,
    baud,
    bitsPerChar: Number(values.bits),
    idealSlave: true,
  });
  const sim = await startRtuSlave({ path: simPath, baud, units, pattern: true });
  const answer = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  answer({ event: 'ready', charMs: relay.timing.charMs, t35Ms: relay.timing.t35Ms });
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const cmd = JSON.parse(line) as { cmd: string; timeoutMs?: number };
    if (cmd.cmd === 'clear') {
      relay.clear();
      sim.resetStats();
      answer({ ok: true });
    } else if (cmd.cmd === 'report') {
      const tl = relay.timeline();
      const summary = summarise(tl, relay.timing, cmd.timeoutMs);
      answer({ summary, ...busExtras(tl, relay.timing), relay: relay.stats(), sim: sim.stats() });
    } else answer({ error: `unknown command ${cmd.cmd}` });
  });
  rl.once('close', () => {
    void Promise.all([relay.close(), sim.close()]).then(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`rtu-line: ${(e as Error).message}\n`);
  process.exit(1);
});
