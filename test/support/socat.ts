/**
 * Virtual serial lines for tests: the socat pty pair of sim/pty-pair.ts, and
 * whether socat is there (a peer: under CI=true its absence fails the tests).
 */
import { hasCommand } from './peers.js';

export { openPtyPair, type PtyPair } from '../../sim/pty-pair.js';

export const hasSocat = (): Promise<boolean> => hasCommand('socat', ['-V']);
