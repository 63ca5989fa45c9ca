/** A page's JSON read from the API, refreshed every `everyMs` (0: once); `undefined` path: nothing read. */
import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.js';

export function useJson<T>(path: string | undefined, everyMs = 0): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  useEffect(() => {
    if (path === undefined) return;
    let live = true;
    const tick = () =>
      getJson<T>(path)
        .then((data) => live && setState({ data }))
        .catch((e: Error) => live && setState({ error: e.message }));
    void tick();
    const t = everyMs > 0 ? setInterval(tick, everyMs) : undefined;
    return () => {
      live = false;
      if (t) clearInterval(t);
    };
  }, [path, everyMs]);
  return state;
}
