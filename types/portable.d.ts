// The globals a portable layer may use (tsconfig.portable.json): ES2022 plus the few APIs that every
// runtime augsal targets provides alike (browsers, Node, Deno, Bun). Nothing of Node's, nothing of the
// DOM: a portable file that needs more fails the build. Declared by hand, as a subset of TypeScript's
// lib.dom.d.ts (which would bring the whole DOM in); the main build checks the same code against the
// full definitions.

type BufferSource = ArrayBufferView | ArrayBuffer;

declare namespace WebAssembly {
  type Imports = Record<string, Record<string, unknown>>;
  type Exports = Record<string, unknown>;
  class Module {
    constructor(bytes: BufferSource);
  }
  class Instance {
    constructor(module: Module, importObject?: Imports);
    readonly exports: Exports;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  function compile(bytes: BufferSource): Promise<Module>;
  function instantiate(module: Module, importObject?: Imports): Promise<Instance>;
}

declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}
