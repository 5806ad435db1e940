/**
 * The few DOM helpers every panel of the console uses. Text goes into the page only as text
 * (`textContent`), never as HTML: a member's name or message cannot become markup.
 *
 * @module
 */

/**
 * The page's element with `id`, checked to be of `type`.
 *
 * @throws Error when the page has no such element (the page and the script disagree).
 * @example
 * ```ts
 * const log = byId("log", HTMLOListElement);
 * ```
 */
export function byId<T extends HTMLElement>(id: string, type: abstract new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the console page has no ${type.name} #${id}`);
  return found;
}

/**
 * A new element holding `text` as text, with an optional class.
 *
 * @example
 * ```ts
 * row.append(textElement("td", member.name));
 * ```
 */
export function textElement<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className !== undefined) element.className = className;
  return element;
}

/**
 * A time of day, `HH:MM:SS.mmm` on the browser's clock and in its time zone.
 *
 * @example
 * ```ts
 * clockTime(Date.now()); // "14:03:27.512"
 * ```
 */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/**
 * A JSON value as short text: at most `max` characters, with an ellipsis when cut.
 *
 * @example
 * ```ts
 * shortJson({ a: 1 }); // '{"a":1}'
 * ```
 */
export function shortJson(value: unknown, max = 2_000): string {
  const text = value === undefined ? "(nothing)" : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
