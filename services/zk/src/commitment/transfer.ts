import type { CommittedDataset } from "./dataset.js";
import { PackedFields, PackedValues } from "./packed.js";
import { type QuadTree, quadTreeOf } from "./quadtree.js";

/**
 * A committed dataset taken apart for moving between processes: every packed array listed once in `arrays`,
 * everything else plain data (bigints included) in `shape`, which names arrays by their place in the list.
 * Structured clone keeps typed arrays and bigints but not the trees' methods, which `unpackCommitted` restores.
 */
export interface PackedCommitted {
  shape: Shape;
  arrays: (BigUint64Array | Uint32Array)[];
}

interface TreeShape {
  depth: number;
  size: number;
  /** Index in `arrays` and element count of each level. */
  levels: [number, number][];
}

type Shape = Omit<CommittedDataset, "rows" | "indexes" | "indexesTree"> & {
  rows: {
    tree: TreeShape;
    keys: [number, number];
    order: number;
    values: [number, number];
    fieldCount: number;
  };
  indexes: {
    spec: CommittedDataset["indexes"][number]["spec"];
    fieldTag: number;
    sumTag: number;
    tree: TreeShape;
    ordered: [number, number];
    prefix: [number, number];
  }[];
  indexesTree: TreeShape;
};

export function packCommitted(ds: CommittedDataset): PackedCommitted {
  const arrays: (BigUint64Array | Uint32Array)[] = [];
  const put = (a: BigUint64Array | Uint32Array): number => arrays.push(a) - 1;
  const fields = (p: PackedFields): [number, number] => [put(p.words), p.length];
  const tree = (t: QuadTree): TreeShape => ({ depth: t.depth, size: t.size, levels: t.levels.map(fields) });
  const { rows, indexes, indexesTree, ...rest } = ds;
  return {
    shape: {
      ...rest,
      rows: {
        tree: tree(rows.tree),
        keys: fields(rows.keys),
        order: put(rows.order),
        values: [put(rows.values.words), rows.values.length],
        fieldCount: rows.fieldCount,
      },
      indexes: indexes.map((ix) => ({
        spec: ix.spec,
        fieldTag: ix.fieldTag,
        sumTag: ix.sumTag,
        tree: tree(ix.tree),
        ordered: fields(ix.ordered),
        prefix: fields(ix.prefix),
      })),
      indexesTree: tree(indexesTree),
    },
    arrays,
  };
}

/** The dataset `packCommitted` took apart; throws on arrays that do not fit the shape. */
export function unpackCommitted({ shape, arrays }: PackedCommitted): CommittedDataset {
  const array = (i: number): BigUint64Array | Uint32Array => {
    const a = arrays[i];
    if (a === undefined) throw new RangeError(`packed commitment: array ${i} missing`);
    return a;
  };
  const words = (i: number): BigUint64Array => {
    const a = array(i);
    if (!(a instanceof BigUint64Array))
      throw new RangeError(`packed commitment: array ${i} is not packed words`);
    return a;
  };
  const fields = ([i, length]: [number, number]) => new PackedFields(length, words(i));
  const tree = (t: TreeShape) => quadTreeOf(t.depth, t.size, t.levels.map(fields));
  const order = array(shape.rows.order);
  if (!(order instanceof Uint32Array)) throw new RangeError("packed commitment: row order");
  const [valuesAt, valueCount] = shape.rows.values;
  return {
    ...shape,
    rows: {
      tree: tree(shape.rows.tree),
      keys: fields(shape.rows.keys),
      order,
      values: new PackedValues(valueCount, words(valuesAt)),
      fieldCount: shape.rows.fieldCount,
    },
    indexes: shape.indexes.map((ix) => ({
      spec: ix.spec,
      fieldTag: ix.fieldTag,
      sumTag: ix.sumTag,
      tree: tree(ix.tree),
      ordered: fields(ix.ordered),
      prefix: fields(ix.prefix),
    })),
    indexesTree: tree(shape.indexesTree),
  };
}
