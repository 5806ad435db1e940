/**
 * The console's member list: each member of the room with its presence state (`here` or
 * `away`), since when (the relay's clock) and when the console last received a frame from
 * it. Drawn from the SDK's `client.members` on every presence change, and at most once a
 * second for new frames.
 *
 * @module
 */

import type { Member } from "wscomsrv-protocol";
import { clockTime, textElement } from "./view.js";

/**
 * The most rows drawn; the count says how many there are.
 *
 * @example
 * ```ts
 * rows.childElementCount <= MAX_MEMBER_ROWS; // always
 * ```
 */
export const MAX_MEMBER_ROWS = 1_000;

/**
 * The members panel.
 *
 * @example
 * ```ts
 * const members = new MembersPanel(byId("members", HTMLTableSectionElement),
 *   byId("member-count", HTMLElement), byId("member-names", HTMLDataListElement));
 * members.show(client.members, client.name);
 * ```
 */
export class MembersPanel {
  readonly #rows: HTMLTableSectionElement;
  readonly #count: HTMLElement;
  readonly #names: HTMLDataListElement;
  readonly #lastFrame = new Map<string, number>();
  #members: ReadonlyMap<string, Member> = new Map();
  #self = "";
  #stale = false;

  constructor(rows: HTMLTableSectionElement, count: HTMLElement, names: HTMLDataListElement) {
    this.#rows = rows;
    this.#count = count;
    this.#names = names;
    setInterval(() => {
      if (this.#stale) this.#draw();
    }, 1_000);
  }

  /** Draws `members` now; `self` is the console's own name. */
  show(members: ReadonlyMap<string, Member>, self: string): void {
    this.#members = members;
    this.#self = self;
    this.#draw();
  }

  /** Notes a frame from `sender` (drawn within a second). */
  seen(sender: string): void {
    this.#lastFrame.set(sender, Date.now());
    this.#stale = true;
  }

  #draw(): void {
    this.#stale = false;
    const sorted = [...this.#members.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    const rows = sorted.slice(0, MAX_MEMBER_ROWS).map((member) => {
      const row = document.createElement("tr");
      row.dataset.name = member.name;
      if (member.name === this.#self) row.className = "self";
      const last = this.#lastFrame.get(member.name);
      row.append(
        textElement("td", member.name),
        textElement("td", member.state, member.state),
        textElement("td", clockTime(member.since)),
        textElement("td", last === undefined ? "–" : clockTime(last)),
      );
      return row;
    });
    this.#rows.replaceChildren(...rows);
    this.#count.textContent =
      sorted.length > rows.length ? `(${rows.length} of ${sorted.length})` : `(${sorted.length})`;
    this.#names.replaceChildren(
      ...rows.map((row) => {
        const option = document.createElement("option");
        option.value = row.dataset.name ?? "";
        return option;
      }),
    );
  }
}
