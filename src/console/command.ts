/**
 * The console's command form: a command with keyword arguments (a JSON object) to one
 * member through the SDK's `call()`, and its reply, or the typed error (`CallError`'s code
 * and message), shown as text.
 *
 * @module
 */

import { isJsonObject, type Json, type JsonObject } from "wscomsrv-protocol";
import { CallError } from "../client/index.js";
import { shortJson } from "./view.js";

/**
 * How long the form waits for a reply, in milliseconds (10 s).
 *
 * @example
 * ```ts
 * client.call(target, command, kwargs, { timeout: COMMAND_TIMEOUT_MS });
 * ```
 */
export const COMMAND_TIMEOUT_MS = 10_000;

/**
 * The fields of the form.
 *
 * @example
 * ```ts
 * const fields: CommandFields = { form, target, command, kwargs, result };
 * ```
 */
export interface CommandFields {
  form: HTMLFormElement;
  target: HTMLInputElement;
  command: HTMLInputElement;
  kwargs: HTMLTextAreaElement;
  result: HTMLElement;
}

/** The kwargs the field holds, or why they are no JSON object. */
function parseKwargs(text: string): { ok: true; kwargs: JsonObject } | { ok: false; why: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim() === "" ? "{}" : text);
  } catch (error) {
    return {
      ok: false,
      why: `kwargs are not JSON: ${error instanceof Error ? error.message : ""}`,
    };
  }
  return isJsonObject(parsed)
    ? { ok: true, kwargs: parsed }
    : { ok: false, why: "kwargs must be a JSON object" };
}

/** The text for a failed call: the error's code and message. */
function describeFailure(error: unknown): string {
  if (error instanceof CallError) {
    const remote =
      error.remoteName === undefined ? "" : `\n${error.remoteName}: ${error.remoteMessage ?? ""}`;
    return `${error.code}\n${error.message}${remote}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Wires the command form to `call`.
 *
 * @example
 * ```ts
 * commandForm(fields, (target, command, kwargs) =>
 *   client.call(target, command, kwargs, { timeout: COMMAND_TIMEOUT_MS }));
 * ```
 */
export function commandForm(
  fields: CommandFields,
  call: (target: string, command: string, kwargs: JsonObject) => Promise<Json | undefined>,
): void {
  const show = (text: string, failed: boolean) => {
    fields.result.textContent = text;
    fields.result.className = failed ? "error" : "";
  };
  fields.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const parsed = parseKwargs(fields.kwargs.value);
    if (!parsed.ok) return show(parsed.why, true);
    const target = fields.target.value.trim();
    const command = fields.command.value.trim();
    show(`calling ${command} on ${target}…`, false);
    try {
      call(target, command, parsed.kwargs).then(
        (value) => show(`reply: ${shortJson(value, 20_000)}`, false),
        (error: unknown) => show(describeFailure(error), true),
      );
    } catch (error) {
      show(describeFailure(error), true);
    }
  });
}
