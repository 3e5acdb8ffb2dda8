/**
 * `bytes` as a plain Uint8Array view (no copy). libp2p hands out Node Buffers in places; callers compare and
 * encode plain Uint8Arrays, and a Buffer is not deep-equal to one.
 */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
