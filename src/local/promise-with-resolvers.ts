/**
 * aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks (Node 22 has it). The
 * rehearsal and the test set-up (test/support/polyfills.ts) run on Node 20, so both load this polyfill.
 */
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
export {};
