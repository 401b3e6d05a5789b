import { useClient } from '../context';
import { useLive } from '../hooks';
import { href } from '../route';

/**
 * The workspace's compute backend (that of the worker heard from last, from its hello), linking
 * to the Workers page; read again when a cell changes state, as a starting worker says hello.
 */
export function BackendBadge() {
  const { api } = useClient();
  const info = useLive(() => api['workspace:info']({}), [], ['cell:state'], 2000);
  const backend = info.data?.backend ?? null;
  return (
    <a
      className="backend-badge"
      href={href({ view: 'workers' })}
      data-testid="backend-badge"
      title="compute backend of the worker heard from last (Workers page)"
    >
      {backend === null ? 'no worker yet' : backend}
    </a>
  );
}
