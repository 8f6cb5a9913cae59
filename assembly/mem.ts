// Memory: the host owns everything above heap_base(). The core never allocates; the host's arena
// (src/core/arena.ts) hands out 16-byte-aligned regions and grows the memory when it needs to.

/** First byte the host may use (static data ends below it). */
export function heap_base(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}

/** memset(ptr, 0, bytes). */
export function zero(ptr: usize, bytes: usize): void {
  memory.fill(ptr, 0, bytes);
}

/** memmove(dst, src, bytes). */
export function copy(dst: usize, src: usize, bytes: usize): void {
  memory.copy(dst, src, bytes);
}
