import { Suspense, type ComponentType } from 'react';
import { WidgetPlaceholder } from './WidgetPlaceholder';

export interface WidgetPlaceholderSpec {
  /** The widget's own heading, shown while it loads. */
  title: string;
  /** A Tailwind class written out in full (`min-h-[30rem]`) so Tailwind sees it: the widget's usual height. */
  minHeight: string;
}

/**
 * A lesson widget whose code is a separate chunk. Every lesson loads the whole tag registry, so the
 * registry must stay thin: only pages that render the widget download its code (and ipaddr.js). The
 * server still renders the full widget, so nothing moves when it hydrates; the placeholder shows only
 * on a client-side navigation, while the chunk loads.
 *
 * The caller passes `dynamic(() => import('./Tool').then((m) => m.Tool))` itself, written out at the
 * call site: Next's compiler looks for the `import()` inside that very call, and only then preloads
 * the chunk on the pages that render the widget. A loader handed through this helper into `dynamic`
 * would lose the preload (the chunk would start downloading only at hydration).
 */
export function lazyWidget<P extends object>(Widget: ComponentType<P>, placeholder: WidgetPlaceholderSpec): ComponentType<P> {
  function LazyWidget(props: P) {
    return (
      <Suspense fallback={<WidgetPlaceholder title={placeholder.title} minHeight={placeholder.minHeight} />}>
        <Widget {...props} />
      </Suspense>
    );
  }
  LazyWidget.displayName = `lazyWidget(${placeholder.title})`;
  return LazyWidget;
}
