/**
 * The console's log: the level messages members send (`levelMessage`: type `message`, data
 * `{content, title, level}`), the other frames the console receives, and its own notes,
 * coloured by kind, filtered by kind and sender, newest last, at most {@link MAX_LOG_LINES}.
 *
 * @module
 */

import { isJsonObject, type Json, type Level, own } from "wscomsrv-protocol";
import { clockTime, shortJson, textElement } from "./view.js";

/**
 * What a log line is: a level message's level, or `frame` for any other frame.
 *
 * @example
 * ```ts
 * const kind: LogKind = "warning";
 * ```
 */
export type LogKind = Level | "frame";

const LEVELS: ReadonlySet<string> = new Set<Level>(["debug", "info", "warning", "error"]);

function isLevel(value: Json | undefined): value is Level {
  return typeof value === "string" && LEVELS.has(value);
}

/**
 * The most lines kept; older ones are removed.
 *
 * @example
 * ```ts
 * list.childElementCount <= MAX_LOG_LINES; // always
 * ```
 */
export const MAX_LOG_LINES = 5_000;

/** The sender of the console's own notes (no member can hold it: names are not "server"). */
const SELF = "console";

/** A level message's parts, decoded: a text for anything that is not a string. */
function decodeLevelMessage(data: Json | undefined): { kind: Level; title: string; text: string } {
  if (!isJsonObject(data)) return { kind: "info", title: "", text: shortJson(data) };
  const level = own(data, "level");
  const title = own(data, "title");
  const content = own(data, "content");
  return {
    kind: isLevel(level) ? level : "info",
    title: typeof title === "string" ? title : "",
    text: typeof content === "string" ? content : shortJson(content),
  };
}

/**
 * The log panel.
 *
 * @example
 * ```ts
 * const log = new LogPanel(byId("log", HTMLOListElement), byId("log-filters", HTMLElement),
 *   byId("log-sender", HTMLSelectElement), byId("log-clear", HTMLButtonElement));
 * log.message("Laser", { content: "warming up", title: "status", level: "warning" });
 * ```
 */
export class LogPanel {
  readonly #list: HTMLOListElement;
  readonly #senderSelect: HTMLSelectElement;
  readonly #hiddenKinds = new Set<string>();
  readonly #senders = new Set<string>();

  constructor(
    list: HTMLOListElement,
    filters: HTMLElement,
    senderSelect: HTMLSelectElement,
    clear: HTMLButtonElement,
  ) {
    this.#list = list;
    this.#senderSelect = senderSelect;
    filters.addEventListener("change", (event) => {
      const box = event.target;
      if (box instanceof HTMLInputElement && box.type === "checkbox") {
        if (box.checked) this.#hiddenKinds.delete(box.value);
        else this.#hiddenKinds.add(box.value);
      }
      for (const line of Array.from(this.#list.children)) {
        if (line instanceof HTMLElement) this.#filter(line);
      }
    });
    clear.addEventListener("click", () => this.#list.replaceChildren());
  }

  /** Logs a level message from `sender`. */
  message(sender: string, data: Json | undefined): void {
    const { kind, title, text } = decodeLevelMessage(data);
    this.#add(kind, sender, title, text);
  }

  /** Logs a frame of another type from `sender`, its data as JSON text. */
  frame(sender: string, type: string, data: Json | undefined): void {
    this.#add("frame", sender, type, shortJson(data));
  }

  /** Logs a note of the console's own (a connection change, an error it was told). */
  note(kind: LogKind, text: string): void {
    this.#add(kind, SELF, "", text);
  }

  #add(kind: LogKind, sender: string, title: string, text: string): void {
    const line = document.createElement("li");
    line.className = kind;
    line.dataset.kind = kind;
    line.dataset.sender = sender;
    line.append(textElement("span", clockTime(Date.now()), "time"));
    line.append(textElement("span", sender, "sender"));
    if (title !== "") line.append(textElement("span", title, "title"));
    line.append(textElement("span", text, "text"));
    this.#filter(line);
    const atBottom = this.#list.scrollHeight - this.#list.scrollTop - this.#list.clientHeight < 30;
    this.#list.append(line);
    while (this.#list.childElementCount > MAX_LOG_LINES) this.#list.firstElementChild?.remove();
    if (atBottom) this.#list.scrollTop = this.#list.scrollHeight;
    if (!this.#senders.has(sender)) {
      this.#senders.add(sender);
      const option = textElement("option", sender);
      option.value = sender;
      this.#senderSelect.append(option);
    }
  }

  #filter(line: HTMLElement): void {
    const sender = this.#senderSelect.value;
    line.hidden =
      this.#hiddenKinds.has(line.dataset.kind ?? "") ||
      (sender !== "" && line.dataset.sender !== sender);
  }
}
