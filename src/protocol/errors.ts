/**
 * The one error scheme of WsComSrv Edge: every error the client reports and every error the
 * local server rejects with is a {@link WsComSrvError} with a stable `code`. A subclass exists
 * only where the error carries data of its own (a close code, an HTTP status, the frames it
 * is about); everything else is told apart by `code`.
 *
 * @module
 */

const BRAND: unique symbol = Symbol.for("wscomsrv.error");

/**
 * The base class of every error of WsComSrv Edge. `code` is stable and never renamed;
 * `message` is for humans; `cause` keeps the underlying error where there is one. Subclasses
 * set `name` to their own class name (a literal, so that minified builds keep it).
 *
 * @example
 * ```ts
 * client.addOnError("log", (error) => {
 *   if (error.code === "QUEUE_OVERFLOW") console.warn("slow down");
 * });
 * ```
 */
export class WsComSrvError<Code extends string = string> extends Error {
  /** The stable code. */
  readonly code: Code;

  /** Marks instances for {@link isWsComSrvError}, which works across realms and bundles. */
  readonly [BRAND] = true;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WsComSrvError";
    this.code = code;
  }
}

/**
 * True when `value` is a {@link WsComSrvError}, also one made by another copy of the package
 * or in another realm (an iframe, a `vm` context), where `instanceof` is false. Pass `code`
 * to check for one code.
 *
 * @example
 * ```ts
 * if (isWsComSrvError(error, "EADDRINUSE")) console.error("the port is taken");
 * ```
 */
export function isWsComSrvError<Code extends string = string>(
  value: unknown,
  code?: Code,
): value is WsComSrvError<Code> {
  return (
    typeof value === "object" &&
    value !== null &&
    BRAND in value &&
    "code" in value &&
    typeof value.code === "string" &&
    (code === undefined || value.code === code)
  );
}
