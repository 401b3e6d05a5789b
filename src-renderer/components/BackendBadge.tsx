import { useClient } from '../context';
import { useLive } from '../hooks';
import { href } from '../route';
import { backendLabel } from './backend-label';

/**
 * The workspace's compute backend (that of the worker heard from last, from its hello), linking
 * to the Workers page; read again when a cell changes state, as a starting worker says hello.
 * While the demo's base model pre-trains, it says so (that worker runs no cell).
 */
export function BackendBadge() {
  const { api } = useClient();
  const info = useLive(() => api['workspace:info']({}), [], ['cell:state'], 2000);
  const demo = useLive(() => api['demo:status']({}), [], ['demo:progress'], 2000);
  const backend = info.data?.backend ?? null;
  return (
    <a
      className="backend-badge"
      href={href({ view: 'workers' })}
      data-testid="backend-badge"
      title="compute backend of the worker heard from last (Workers page)"
    >
      {backendLabel(backend, demo.data)}
    </a>
  );
}
