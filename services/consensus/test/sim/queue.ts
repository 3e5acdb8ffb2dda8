/** Min-heap of events by (time, insertion order): the simulation's fake clock only moves by popping it. */
export class EventQueue<E> {
  private heap: { time: number; seq: number; event: E }[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, event: E): void {
    const item = { time, seq: this.seq++, event };
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [h[i], h[parent]] = [h[parent] as typeof item, h[i] as typeof item];
      i = parent;
    }
  }

  pop(): { time: number; event: E } | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop() as typeof top;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(l, m)) m = l;
        if (r < h.length && this.less(r, m)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as typeof top, h[i] as typeof top];
        i = m;
      }
    }
    return { time: top.time, event: top.event };
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i] as { time: number; seq: number };
    const b = this.heap[j] as { time: number; seq: number };
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }
}
