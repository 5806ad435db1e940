/**
 * What a server agrees to when a default `ws` client connects (the SDK in Node uses `ws` with
 * its defaults, and so does the seed client here): the WebSocket extensions, for example
 * `permessage-deflate`, which costs CPU on both ends.
 *
 * @module
 */

import WebSocket from "ws";

const TIMEOUT_MS = 10_000;

/** The `Sec-WebSocket-Extensions` a server answered a default `ws` client with ("" for none). */
export function negotiatedExtensions(roomUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(roomUrl);
    let extensions = "";
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no answer from ${roomUrl} within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    socket.once("upgrade", (response) => {
      extensions = response.headers["sec-websocket-extensions"] ?? "";
    });
    socket.once("open", () => socket.close(1000));
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(extensions);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
