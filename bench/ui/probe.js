/* global window, document, requestAnimationFrame, MutationObserver */
// Injected into the page by bench/ui/run.ts before the app's own scripts: a frame clock,
// Chromium's long-task reports, and watchers that note when a new step reaches the screen.
(() => {
  const state = { frames: [], longTasks: [], samples: [] };
  let last = 0;
  const frame = (t) => {
    if (last > 0) state.frames.push(t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) state.longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
  // After the frame that follows a DOM change, the step is on screen.
  const painted = (cell, step) => {
    requestAnimationFrame(() =>
      setTimeout(() => state.samples.push({ cell, step, painted: Date.now() }), 0),
    );
  };
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target;
      if (r.attributeName === 'data-step' && el.hasAttribute('data-cell-id')) {
        painted(Number(el.getAttribute('data-cell-id')), Number(el.getAttribute('data-step')));
      } else if (r.attributeName === 'data-last-step') {
        painted(-1, Number(el.getAttribute('data-last-step')));
      }
    }
  }).observe(document, {
    subtree: true,
    attributes: true,
    attributeFilter: ['data-step', 'data-last-step'],
  });
  window.__bench = Object.assign(state, {
    reset() {
      state.frames.length = 0;
      state.longTasks.length = 0;
      state.samples.length = 0;
      last = 0;
    },
  });
})();
