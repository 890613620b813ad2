/**
 * Which tensor views own the padding after them: a ParamArena registers each of its views
 * here, since the bytes between a tensor's end and the next 16-byte boundary of its buffers
 * belong to the arena and to no tensor (src/optim/runs.ts). Only the exact views the arena
 * handed out qualify; a user's sub-view of an arena tensor does not.
 */
const owned = new WeakMap<object, Set<string>>();

const key = (offset: number, length: number) => `${offset}:${length}`;

/** Records that `views` of `buffer` own their padding. */
export function registerOwnedPadding(
  buffer: object,
  views: readonly { offset?: number; length: number }[],
): void {
  const set = owned.get(buffer) ?? new Set<string>();
  for (const v of views) set.add(key(v.offset ?? 0, v.length));
  owned.set(buffer, set);
}

/** Whether the view owns the padding after it. */
export function ownsPadding(view: { buffer: object; offset?: number; length: number }): boolean {
  return owned.get(view.buffer)?.has(key(view.offset ?? 0, view.length)) ?? false;
}
