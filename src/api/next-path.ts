/**
 * The `next` parameter of /login (SECURITY B1): only a local absolute path is
 * accepted — it starts with one `/`, has no second `/` or `\` right after it,
 * no scheme, no control characters, and is at most 512 characters. Anything
 * else (`//evil`, `https://evil`, `/\evil`, `javascript:` …) falls back to `/`.
 */
const MAX = 512;

export function safeNext(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  if ([...raw].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || c === '\\')) return '/';
  if (raw.startsWith('/login') || raw.startsWith('/first-start')) return '/';
  try {
    const u = new URL(raw, 'https://wattgate.invalid');
    if (u.origin !== 'https://wattgate.invalid') return '/';
    return `${u.pathname}${u.search}`;
  } catch {
    return '/';
  }
}

export function loginRedirect(url: string): string {
  return `/login?next=${encodeURIComponent(safeNext(url))}`;
}
