/** History-API routing: the current path as a signal the app re-renders on. */
type Listener = (path: string) => void;
const listeners = new Set<Listener>();

export function currentPath(): string {
  return location.pathname;
}

export function navigate(to: string): void {
  if (to === location.pathname + location.search) return;
  history.pushState(null, '', to);
  for (const l of listeners) l(location.pathname);
  window.scrollTo(0, 0);
}

export function onNavigate(fn: Listener): () => void {
  listeners.add(fn);
  const pop = () => fn(location.pathname);
  window.addEventListener('popstate', pop);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('popstate', pop);
  };
}
