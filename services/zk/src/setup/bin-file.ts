import { type FileHandle, open } from "node:fs/promises";

/**
 * The sectioned binary container snarkjs uses for .ptau, .zkey, .r1cs and .wtns files: a 4-byte magic, a
 * version (u32 LE), the number of sections (u32 LE), then each section as id (u32 LE), size (u64 LE), bytes.
 */
export interface BinFileWriter {
  section(id: number, write: (put: (bytes: Uint8Array) => Promise<void>) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Opens `path` for writing a container of `sections` sections of the given magic and version. */
export async function createBinFile(
  path: string,
  magic: string,
  version: number,
  sections: number,
): Promise<BinFileWriter> {
  const fh = await open(path, "w");
  let pos = 0;
  const put = async (bytes: Uint8Array): Promise<void> => {
    await fh.write(bytes, 0, bytes.length, pos);
    pos += bytes.length;
  };
  const head = Buffer.alloc(12);
  head.write(magic, 0, 4, "latin1");
  head.writeUInt32LE(version, 4);
  head.writeUInt32LE(sections, 8);
  await put(head);
  return {
    async section(id, write) {
      const start = pos;
      const sh = Buffer.alloc(12);
      sh.writeUInt32LE(id, 0);
      await put(sh);
      await write(put);
      const size = Buffer.alloc(8);
      size.writeBigUInt64LE(BigInt(pos - start - 12), 0);
      await fh.write(size, 0, 8, start + 4);
    },
    close: () => fh.close(),
  };
}

/** Where each section of a container lies: id → list of { offset, size }. */
export type SectionMap = Map<number, { offset: number; size: number }[]>;

/** Reads the magic and the section table of a container without loading its sections. */
export async function readSectionMap(
  path: string,
): Promise<{ magic: string; version: number; sections: SectionMap }> {
  const fh = await open(path, "r");
  try {
    const { size: total } = await fh.stat();
    const head = await readAt(fh, 0, 12);
    const magic = head.toString("latin1", 0, 4);
    const version = head.readUInt32LE(4);
    const count = head.readUInt32LE(8);
    const sections: SectionMap = new Map();
    let pos = 12;
    for (let i = 0; i < count; i++) {
      if (pos + 12 > total) throw new RangeError(`section table runs past the end of ${path}`);
      const sh = await readAt(fh, pos, 12);
      const id = sh.readUInt32LE(0);
      const size = Number(sh.readBigUInt64LE(4));
      pos += 12;
      if (pos + size > total) throw new RangeError(`section ${id} runs past the end of ${path}`);
      const list = sections.get(id) ?? [];
      list.push({ offset: pos, size });
      sections.set(id, list);
      pos += size;
    }
    return { magic, version, sections };
  } finally {
    await fh.close();
  }
}

/** Reads `length` bytes of a file at `offset`. */
export async function readFileRange(path: string, offset: number, length: number): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    return await readAt(fh, offset, length);
  } finally {
    await fh.close();
  }
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  if (bytesRead !== length) throw new RangeError(`short read at ${offset}`);
  return buf;
}
