/**
 * What a test leaves behind: workerd processes below this one, ports still bound.
 */

import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";

interface ProcessInfo {
  pid: number;
  ppid: number;
  command: string;
}

function processes(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // Gone meanwhile.
    }
    // "pid (command) state ppid ...": the command may hold spaces and parentheses.
    const open = stat.indexOf("(");
    const close = stat.lastIndexOf(")");
    const ppid = Number(stat.slice(close + 2).split(" ")[1]);
    found.push({ pid: Number(entry), ppid, command: stat.slice(open + 1, close) });
  }
  return found;
}

/** The pids of workerd processes (zombies included) below `root`, default this process. */
export function workerdBelow(root: number = process.pid): number[] {
  const all = processes();
  const below = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const info of all) {
      if (below.has(info.ppid) && !below.has(info.pid)) {
        below.add(info.pid);
        grew = true;
      }
    }
  }
  return all
    .filter((info) => info.pid !== root && below.has(info.pid) && info.command === "workerd")
    .map((info) => info.pid);
}

/** Listens on `host:port` (0: any free port) with a plain TCP server. */
export function hold(port = 0, host = "127.0.0.1"): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once("error", reject);
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

/** The port a server listens on. */
export function portOf(server: Server): number {
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("not listening");
  return address.port;
}

/** Closes a server and waits for it. */
export function release(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** True when `host:port` can be listened on now. */
export async function isFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  try {
    await release(await hold(port, host));
    return true;
  } catch {
    return false;
  }
}

/**
 * Holds `count` successive ports and returns the servers, the first port first; retries
 * with another start when one of them is taken. The ports lie below the kernel's range of
 * ephemeral ports (from 32768), so that a port a test releases on purpose is not taken
 * meanwhile by some other test's outgoing connection.
 */
export async function holdSuccessive(count: number): Promise<Server[]> {
  for (let tries = 0; tries < 20; tries += 1) {
    const start = 20_000 + Math.floor(Math.random() * 12_000);
    const first = await hold(start).catch(() => undefined);
    if (first === undefined) continue;
    const held = [first];
    try {
      for (let i = 1; i < count; i += 1) held.push(await hold(portOf(first) + i));
      return held;
    } catch {
      await Promise.all(held.map(release));
    }
  }
  throw new Error(`found no ${count} successive free ports`);
}
