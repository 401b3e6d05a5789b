import { useEffect, useState } from 'react';

/** Hash routes: survive reloads and need no server-side routing in either shell. */
export type Route =
  | { view: 'home' }
  | { view: 'new' }
  | { view: 'datasets' }
  | { view: 'benchmarks' }
  | { view: 'workers' }
  | { view: 'settings' }
  | { view: 'sweep'; id: number }
  | { view: 'analysis'; id: number }
  | { view: 'cell'; id: number; compare: number[] };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const num = (s: string | undefined): number => Number.parseInt(s ?? '', 10);
  if (parts[0] === 'new') return { view: 'new' };
  if (parts[0] === 'datasets') return { view: 'datasets' };
  if (parts[0] === 'benchmarks') return { view: 'benchmarks' };
  if (parts[0] === 'workers') return { view: 'workers' };
  if (parts[0] === 'settings') return { view: 'settings' };
  if (parts[0] === 'sweep' && num(parts[1]) > 0) {
    return parts[2] === 'analysis'
      ? { view: 'analysis', id: num(parts[1]) }
      : { view: 'sweep', id: num(parts[1]) };
  }
  if (parts[0] === 'cell' && num(parts[1]) > 0) {
    const compare = (new URLSearchParams(query).get('compare') ?? '')
      .split(',')
      .map(num)
      .filter((n) => n > 0);
    return { view: 'cell', id: num(parts[1]), compare };
  }
  return { view: 'home' };
}

export function href(route: Route): string {
  switch (route.view) {
    case 'home':
      return '#/';
    case 'new':
      return '#/new';
    case 'datasets':
      return '#/datasets';
    case 'benchmarks':
      return '#/benchmarks';
    case 'workers':
      return '#/workers';
    case 'settings':
      return '#/settings';
    case 'sweep':
      return `#/sweep/${route.id}`;
    case 'analysis':
      return `#/sweep/${route.id}/analysis`;
    case 'cell':
      return `#/cell/${route.id}${route.compare.length ? `?compare=${route.compare.join(',')}` : ''}`;
  }
}

export function navigate(route: Route): void {
  location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
