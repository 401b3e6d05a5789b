/**
 * The app's view of the workers registered on the queue: each `plw worker` writes its hello to
 * WORKERS_KEY when it opens, and BullMQ lists the connections of the workers still there.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { workerHelloSchema, type WorkerHello } from '../../../src-shared/protocol';
import { WORKERS_KEY } from '../protocol';

export class WorkerRegistry {
  /** Workers whose hello was off the schema: said once each. */
  private readonly badHellos = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly say: (line: string) => void,
  ) {}

  /** The workers' hellos (an entry off the schema is skipped, said once) and who is connected. */
  async read(): Promise<{ hellos: WorkerHello[]; connected: Set<string> }> {
    const entries = await this.redis.hgetall(WORKERS_KEY);
    const hellos: WorkerHello[] = [];
    for (const [name, text] of Object.entries(entries)) {
      let parsed;
      try {
        parsed = workerHelloSchema.safeParse(JSON.parse(text));
      } catch {
        parsed = null;
      }
      if (parsed?.success === true) hellos.push(parsed.data);
      else if (!this.badHellos.has(name)) {
        this.badHellos.add(name);
        const issue = parsed?.error.issues[0];
        this.say(
          `worker ${name}: hello ignored: ${issue === undefined ? 'not JSON' : `field "${issue.path.join('.')}": ${issue.message}`}`,
        );
      }
    }
    // BullMQ names each worker's connections `…:w:<name>` (Worker option `name`).
    const connected = new Set(
      (await this.queue.getWorkers())
        .map((c) => /:w:(.+)$/.exec(c.rawname ?? '')?.[1])
        .filter((n): n is string => n !== undefined),
    );
    return { hellos, connected };
  }
}
