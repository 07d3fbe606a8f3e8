/**
 * KV as another location sees it right after a delete: the entry is still there for a while (Workers KV
 * may take up to 60 s to propagate a delete). Local KV is strongly consistent, so tests simulate the lag.
 */
export function kvWithDelayedDeletes(kv: KVNamespace): KVNamespace {
  return new Proxy(kv, {
    get(target, property) {
      if (property === "delete") return async () => {};
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
