// One arena over the core's linear memory (llm.c's malloc_and_point_parameters): a bump allocator
// above heap_base() with 64-byte alignment, marks to release scratch, and memory.grow on demand.
// Typed-array views are never cached across calls that may grow memory: `f32(ptr, n)` builds a fresh
// view on the current buffer each time (tfjs' typedArrayFromHeap), which costs nothing measurable.
import type { CoreExports } from "./abi.js";

const PAGE = 65536;
export const ALIGN = 64;

export class Arena {
  private top: number;
  readonly base: number;

  constructor(private readonly ex: CoreExports) {
    this.base = ex.heap_base();
    this.top = this.base;
  }

  get memory(): WebAssembly.Memory {
    return this.ex.memory;
  }

  /** Bytes handed out so far. */
  get used(): number {
    return this.top - this.base;
  }

  /** Reserve `bytes` (rounded up to 64) and return the byte offset. Zero-filled on first use only
   *  after a grow; call `zero` when contents matter. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`arena: bad allocation size ${bytes}`);
    const ptr = this.top;
    const end = ptr + Math.ceil(bytes / ALIGN) * ALIGN;
    const have = this.ex.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (this.ex.memory.grow(pages) < 0) throw new RangeError(`arena: cannot grow memory by ${pages} pages`);
    }
    this.top = end;
    return ptr;
  }

  /** Allocate n f32 and zero them. */
  allocF32(n: number): number {
    const p = this.alloc(n * 4);
    this.ex.zero(p, n * 4);
    return p;
  }

  /** Allocate n i32 and zero them. */
  allocI32(n: number): number {
    return this.allocF32(n);
  }

  /** Current top, to release everything allocated after it with `reset`. */
  mark(): number {
    return this.top;
  }

  reset(mark: number): void {
    if (mark < this.base || mark > this.top) throw new RangeError(`arena: bad mark ${mark}`);
    this.top = mark;
  }

  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.ex.memory.buffer, ptr, n);
  }

  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.ex.memory.buffer, ptr, n);
  }

  u8(ptr: number, n: number): Uint8Array {
    return new Uint8Array(this.ex.memory.buffer, ptr, n);
  }

  /** Copy host data into fresh arena memory and return its pointer. */
  putF32(data: ArrayLike<number>): number {
    const p = this.alloc(data.length * 4);
    this.f32(p, data.length).set(data);
    return p;
  }

  putI32(data: ArrayLike<number>): number {
    const p = this.alloc(data.length * 4);
    this.i32(p, data.length).set(data);
    return p;
  }
}
