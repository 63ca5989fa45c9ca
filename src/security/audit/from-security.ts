/**
 * Security events (auth service, API routes) as audit entries (SECURITY D1).
 * One table-like switch, so every event type is either recorded or listed as
 * deliberately not recorded:
 * - `token.used` is not recorded: every API call by an integration would fill
 *   the ring within hours; the token's `lastUsedAt` keeps its last use, and a
 *   refused token (`token.refused`) IS recorded.
 * The attempted name of a failed login is user input: it is recorded as the
 * actor only when such an account exists; otherwise as `anonymous` with the
 * (escaped, length-capped) attempted name in the details.
 * A failed first start (wrong device code, or a password the rules refuse) is
 * recorded as `anonymous` with the reason and the broken rules: never the
 * code nor the password.
 */
import type { SecurityEvent, Via } from '../auth-service.js';
import type { AuditActor, AuditEntry } from './record.js';

const account = (name: string): AuditActor => ({ kind: 'account', name });
const iso = (ms: number) => new Date(ms).toISOString();

export function auditFromSecurity(e: SecurityEvent): AuditEntry | null {
  switch (e.type) {
    case 'login.success':
      return {
        category: 'auth',
        event: e.type,
        actor: account(e.account),
        source: e.source,
        result: 'success',
      };
    case 'login.failure': {
      const storage = e.storage === undefined ? {} : { storage: e.storage };
      return e.known
        ? {
            category: 'auth',
            event: e.type,
            actor: account(e.account),
            source: e.source,
            result: 'failure',
            ...(e.storage === undefined ? {} : { details: storage }),
          }
        : {
            category: 'auth',
            event: e.type,
            actor: { kind: 'anonymous', name: null },
            source: e.source,
            result: 'failure',
            details: { attemptedName: e.account, known: false, ...storage },
          };
    }
    case 'login.locked':
    case 'login.refused-locked':
      return {
        category: 'auth',
        event: e.type,
        actor: account(e.account),
        source: e.source,
        result: e.type === 'login.locked' ? 'failure' : 'denied',
        details: { lockedUntil: iso(e.lockedUntil) },
      };
    case 'first-start.failure':
      return {
        category: 'auth',
        event: e.type,
        actor: { kind: 'anonymous', name: null },
        source: e.source,
        result: 'failure',
        details:
          e.rules === undefined
            ? { account: 'admin', reason: e.reason }
            : { account: 'admin', reason: e.reason, rules: [...e.rules] },
      };
    case 'logout':
      return {
        category: 'session',
        event: e.type,
        actor: account(e.account),
        source: e.source,
        result: 'success',
      };
    default:
      return adminEvent(e);
  }
}

function adminEvent(e: SecurityEvent): AuditEntry | null {
  switch (e.type) {
    case 'sessions.ended':
      return change('session', e.type, e.actor, e.source, { account: e.account, count: e.count }, e.via);
    case 'account.created':
      return change('account', e.type, e.actor, e.source, { account: e.account, role: e.role });
    case 'account.unlocked':
      return change('account', e.type, e.actor, e.source, { account: e.account }, e.via);
    case 'account.role-changed':
      return change('account', e.type, e.actor, e.source, { account: e.account, from: e.from, to: e.to });
    case 'account.deleted':
      return change('account', e.type, e.actor, e.source, { account: e.account, role: e.role });
    case 'password.changed':
      return change('account', e.type, e.actor, undefined, { account: e.account });
    case 'first-start.done':
      return {
        category: 'account',
        event: e.type,
        actor: { kind: 'anonymous', name: null },
        source: e.source,
        result: 'success',
        details: { account: 'admin', proof: 'device code' },
      };
    case 'token.created':
      return change('token', e.type, e.actor, undefined, {
        tokenName: e.token,
        role: e.role,
        expiresAt: iso(e.expiresAt),
      });
    case 'token.revoked':
      return change('token', e.type, e.actor, undefined, { tokenName: e.token });
    case 'token.refused':
      return {
        category: 'auth',
        event: e.type,
        actor: e.token === undefined ? { kind: 'anonymous', name: null } : { kind: 'token', name: e.token },
        source: e.source,
        result: 'denied',
        details: { reason: e.reason },
      };
    case 'certificate.replaced':
      return change('certificate', e.type, e.actor, undefined, { fingerprintSha256: e.fingerprintSha256 });
    default:
      return null;
  }
}

function change(
  category: AuditEntry['category'],
  event: string,
  actor: string,
  source: string | undefined,
  details: NonNullable<AuditEntry['details']>,
  via: Via = 'session',
): AuditEntry {
  const who: AuditActor = via === 'token' ? { kind: 'token', name: actor } : account(actor);
  return { category, event, actor: who, source: source ?? null, result: 'success', details };
}
