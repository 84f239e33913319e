/**
 * A lab session that lives on another instance, as its viewers here see it: the presenter's
 * session, whose events arrive over the class bus. It can be watched like a local session
 * (`/lab?watch=<token>`, read-only) but holds no sockets; when the presenter stops or the session
 * ends there, its viewers here get `bye` like any watcher.
 */
import type { ServerEvent } from '../protocol/index.ts';
import type { Viewer, ViewerRole } from '../lab/session.ts';

export class RemoteSession {
  ended = false;
  private readonly viewers = new Set<Viewer>();

  constructor(
    readonly id: string,
    readonly watchToken: string,
  ) {}

  attach(viewer: Viewer, _role: ViewerRole = 'viewer'): () => void {
    this.viewers.add(viewer);
    return () => this.viewers.delete(viewer);
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  deliver(event: ServerEvent): void {
    if (this.ended) return;
    for (const v of this.viewers) {
      try {
        v(event);
      } catch {
        /* a broken viewer must not stop the others */
      }
    }
    if (event.event === 'bye') this.end();
  }

  /** The presenter stopped: viewers here are told, as they would be by a local session. */
  end(message = 'The instructor stopped presenting.'): void {
    if (this.ended) return;
    const bye: ServerEvent = { event: 'bye', reason: 'ended', message };
    for (const v of this.viewers) {
      try {
        v(bye);
      } catch {
        /* as above */
      }
    }
    this.ended = true;
    this.viewers.clear();
  }
}
