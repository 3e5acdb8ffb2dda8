import { createServer } from "node:net";
import type { DevnetManifest } from "./layout.js";

/** A port the devnet needs is taken: names it, what it is for, and the flag that moves the devnet's ports. */
export class PortInUseError extends Error {
  override readonly name = "PortInUseError";
  constructor(
    readonly port: number,
    readonly use: string,
  ) {
    super(`port ${port} (${use}) is in use on 127.0.0.1; start on other ports with --base-port N`);
  }
}

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** Checks that every port of every agency is free; throws PortInUseError for the first that is not. */
export async function checkPorts(m: DevnetManifest): Promise<void> {
  for (const a of m.agencies) {
    for (const [port, use] of [
      [a.p2pPort, `${a.id} libp2p`],
      [a.apiPort, `${a.id} operator API`],
      [a.gatewayPort, `${a.id} GraphQL gateway`],
    ] as const) {
      if (port < 1 || port > 65535) throw new PortInUseError(port, `${use}: outside 1..65535`);
      if (!(await probe(port))) throw new PortInUseError(port, use);
    }
  }
}
