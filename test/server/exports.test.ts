/**
 * The root package's public API: exactly these names, so that the list only grows on purpose.
 */

import { expect, it } from "vitest";
import * as api from "../../src/server/index.js";

const EXPORTS = [
  "AddressInUseError",
  "BundleMissingError",
  "DEFAULT_HOST",
  "DEFAULT_PORT",
  "ListenError",
  "MAX_TOKEN_LIFETIME_SECONDS",
  "MIN_SECRET_BYTES",
  "NoFreePortError",
  "PersistError",
  "SocketServer",
  "WsComSrvError",
  "connectToFirstFreePort",
  "isWsComSrvError",
  "mintToken",
  "verifyToken",
].sort();

it("exports exactly the names a user writes code against", () => {
  expect(Object.keys(api).sort()).toEqual(EXPORTS);
});

it("marks every error class it exports with the one scheme: a WsComSrvError with a code", () => {
  const errors = [
    api.AddressInUseError,
    api.BundleMissingError,
    api.ListenError,
    api.NoFreePortError,
    api.PersistError,
  ];
  for (const ErrorClass of errors) {
    expect(ErrorClass.prototype).toBeInstanceOf(api.WsComSrvError);
  }
});
