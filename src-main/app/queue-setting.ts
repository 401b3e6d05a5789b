/**
 * The Settings page's queue URL: saved in the workspace (settings table, password included,
 * since the app needs it to connect), used when the app next opens the workspace, and shown
 * only with its password as `***`.
 */
import type { PlwHandlers, QueueSettings } from '../../src-shared/api';
import { PlwError } from '../../src-shared/errors';
import { parseRedisUrl, redactUrl } from '../queue/url';
import { Settings } from '../store/settings';
import type { Store } from '../store/store';
import { QUEUE_SETTING } from '../workspace/workspace';

type QueueSettingHandlers = Pick<PlwHandlers, 'settings:queue' | 'settings:set-queue'>;

export function queueSettingHandlers(options: {
  store: Store;
  /** The queue cells go to now (redacted), or null. */
  active: string | null;
}): QueueSettingHandlers {
  const settings = new Settings(options.store);
  const view = (): QueueSettings => {
    const saved = settings.get<string>(QUEUE_SETTING);
    return { url: saved === null ? null : redactUrl(saved), active: options.active };
  };
  return {
    'settings:queue': () => view(),
    'settings:set-queue': ({ url }) => {
      const saved = settings.get<string>(QUEUE_SETTING);
      if (url === null || url === '') {
        settings.set(QUEUE_SETTING, null);
      } else if (saved === null || url !== redactUrl(saved)) {
        // The page shows the saved URL redacted: sending that back keeps the saved password.
        try {
          parseRedisUrl(url);
        } catch (err) {
          throw new PlwError(
            'bad_usage',
            (err instanceof Error ? err.message : String(err)).replace(/^--queue: /, 'queue URL: '),
          );
        }
        settings.set(QUEUE_SETTING, url);
      }
      return view();
    },
  };
}
