import type { CommittedDataset } from "./dataset.js";
import { PackedFields, PackedValues } from "./packed.js";
import { type QuadTree, quadTreeOf } from "./quadtree.js";

/** The four kinds of array-backed parts of a committed dataset: packed field elements, trees, values, row order. */
interface Parts<F, T, V, O> {
  fields: F;
  tree: T;
  values: V;
  order: O;
}

type AnyParts = Parts<unknown, unknown, unknown, unknown>;

/**
 * The layout of a committed dataset over parts P. A `CommittedDataset` is the layout over the real parts; its
 * packed form is the same layout over places in an array list.
 */
type Layout<P extends AnyParts> = Omit<CommittedDataset, "rows" | "indexes" | "indexesTree"> & {
  rows: { tree: P["tree"]; keys: P["fields"]; order: P["order"]; values: P["values"]; fieldCount: number };
  indexes: {
    spec: CommittedDataset["indexes"][number]["spec"];
    fieldTag: number;
    sumTag: number;
    tree: P["tree"];
    ordered: P["fields"];
    prefix: P["fields"];
  }[];
  indexesTree: P["tree"];
};

/** The same layout with every array-backed part converted; everything else is carried over as it is. */
function mapLayout<A extends AnyParts, B extends AnyParts>(
  d: Layout<A>,
  to: { [K in keyof AnyParts]: (part: A[K]) => B[K] },
): Layout<B> {
  const { rows, indexes, indexesTree, ...rest } = d;
  return {
    ...rest,
    rows: {
      tree: to.tree(rows.tree),
      keys: to.fields(rows.keys),
      order: to.order(rows.order),
      values: to.values(rows.values),
      fieldCount: rows.fieldCount,
    },
    indexes: indexes.map((ix) => ({
      ...ix,
      tree: to.tree(ix.tree),
      ordered: to.fields(ix.ordered),
      prefix: to.fields(ix.prefix),
    })),
    indexesTree: to.tree(indexesTree),
  };
}

type Real = Parts<PackedFields, QuadTree, PackedValues, Uint32Array>;

/** Place in `arrays` and element count. */
type Placed = [number, number];

interface TreeShape {
  depth: number;
  size: number;
  levels: Placed[];
}

type Packed = Parts<Placed, TreeShape, Placed, number>;

/**
 * A committed dataset taken apart for moving between processes: every packed array listed once in `arrays`,
 * everything else plain data (bigints included) in `shape`, which names arrays by their place in the list.
 * Structured clone keeps typed arrays and bigints but not the trees' methods, which `unpackCommitted` restores.
 */
export interface PackedCommitted {
  shape: Layout<Packed>;
  arrays: (BigUint64Array | Uint32Array)[];
}

export function packCommitted(ds: CommittedDataset): PackedCommitted {
  const arrays: (BigUint64Array | Uint32Array)[] = [];
  const put = (a: BigUint64Array | Uint32Array): number => arrays.push(a) - 1;
  const fields = (p: PackedFields): Placed => [put(p.words), p.length];
  const shape = mapLayout<Real, Packed>(ds, {
    fields,
    tree: (t) => ({ depth: t.depth, size: t.size, levels: t.levels.map(fields) }),
    values: (v) => [put(v.words), v.length],
    order: put,
  });
  return { shape, arrays };
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
  const fields = ([i, length]: Placed) => new PackedFields(length, words(i));
  return mapLayout<Packed, Real>(shape, {
    fields,
    tree: (t) => quadTreeOf(t.depth, t.size, t.levels.map(fields)),
    values: ([i, length]) => new PackedValues(length, words(i)),
    order: (i) => {
      const order = array(i);
      if (!(order instanceof Uint32Array)) throw new RangeError("packed commitment: row order");
      return order;
    },
  });
}
