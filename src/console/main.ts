/**
 * The room console's page script: reads what the Worker wrote into the page (the room and
 * its access policy), joins the room (see `join.ts`) and feeds what arrives to the panels:
 * members, log, plot and command form. It shows every frame sent to its name or to `"*"`.
 *
 * @module
 */

import { FrameType, type Member, SERVER } from "wscomsrv-protocol";
import { ClientErrorCode, type WebSocketClient } from "../client/index.js";
import { COMMAND_TIMEOUT_MS, commandForm } from "./command.js";
import { type ConsolePolicy, join } from "./join.js";
import { LogPanel } from "./log.js";
import { MembersPanel } from "./members.js";
import { PlotPanel } from "./plot.js";
import { byId } from "./view.js";

const PRESENCE_EVENTS = ["join", "leave", "away", "back", "moved"] as const;

function policyOf(value: string | undefined): ConsolePolicy {
  return value === "password" || value === "token" ? value : "open";
}

const room = document.body.dataset.room ?? "";
byId("room", HTMLElement).textContent = room;
const statusLine = byId("status", HTMLElement);
const status = (text: string, failed = false): void => {
  statusLine.textContent = text;
  statusLine.className = failed ? "error" : "";
};

/** The client of the moment: a retry under another name makes a new one. */
let current: WebSocketClient | undefined;

const log = new LogPanel(
  byId("log", HTMLOListElement),
  byId("log-filters", HTMLElement),
  byId("log-sender", HTMLSelectElement),
  byId("log-clear", HTMLButtonElement),
);
const members = new MembersPanel(
  byId("members", HTMLTableSectionElement),
  byId("member-count", HTMLElement),
  byId("member-names", HTMLDataListElement),
);
const plot = new PlotPanel(
  byId("plot", HTMLDivElement),
  byId("plot-axis", HTMLSelectElement),
  byId("plot-clear", HTMLButtonElement),
  byId("plot-count", HTMLElement),
  (t) => {
    // `t` is seconds since 1970 (the builders' default) or already room time.
    const epoch = current?.time;
    const seconds = t ?? Date.now() / 1_000;
    return epoch !== undefined && seconds > 1e9 ? seconds - epoch : seconds;
  },
);
commandForm(
  {
    form: byId("command", HTMLFormElement),
    target: byId("command-target", HTMLInputElement),
    command: byId("command-name", HTMLInputElement),
    kwargs: byId("command-kwargs", HTMLTextAreaElement),
    result: byId("command-result", HTMLElement),
  },
  (target, command, kwargs) => {
    if (current === undefined) return Promise.reject(new Error("the console has not joined yet"));
    return current.call(target, command, kwargs, { timeout: COMMAND_TIMEOUT_MS });
  },
);

const authForm = byId("auth", HTMLFormElement);
const authInput = byId("auth-input", HTMLInputElement);
function askSecret(kind: "password" | "token", problem?: string): Promise<string> {
  byId("auth-label", HTMLElement).textContent = kind === "password" ? "Password" : "Token";
  authInput.type = kind === "password" ? "password" : "text";
  authInput.value = "";
  authForm.hidden = false;
  status(problem ?? `this room needs a ${kind}`, problem !== undefined);
  authInput.focus();
  return new Promise((resolve) => {
    authForm.addEventListener(
      "submit",
      (event) => {
        event.preventDefault();
        authForm.hidden = true;
        resolve(authInput.value);
      },
      { once: true },
    );
  });
}

function wire(client: WebSocketClient): void {
  current?.close();
  current = client;
  const mine = (): boolean => current === client;
  const showMembers = () => {
    if (mine()) members.show(client.members, client.name);
  };
  for (const event of PRESENCE_EVENTS) {
    client.on(event, (member: Member, _at: number) => {
      if (!mine()) return;
      log.note("debug", `${member.name}: ${event}`);
      showMembers();
    });
  }
  client.on("identified", () => {
    if (!mine()) return;
    document.body.dataset.joined = client.name;
    log.note("info", `joined the room as ${client.name}`);
    showMembers();
  });
  client.on("message", (message, { sender }) => {
    if (!mine()) return;
    // The relay's own frames (the handshake, the clock) are the SDK's business.
    if (sender === SERVER) return;
    const from = sender ?? message.from ?? "?";
    members.seen(from);
    if (message.type === FrameType.message) log.message(from, message.data);
    else if (message.type !== FrameType.data || !plot.point(from, message.data)) {
      log.frame(from, message.type, message.data);
    }
  });
  client.on("error", (error) => {
    // A frame no function takes is shown all the same (as an "other frame").
    if (
      error.code === ClientErrorCode.unknownType ||
      error.code === ClientErrorCode.unknownCommand
    ) {
      return;
    }
    if (mine()) log.note("error", `${error.code}: ${error.message}`);
  });
}

const relay = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${location.pathname}`;
join({
  url: relay,
  policy: policyOf(document.body.dataset.policy),
  name: new URLSearchParams(location.search).get("name") ?? undefined,
  logger: {
    warn: (...data) => log.note("warning", data.map(String).join(" ")),
    error: (...data) => log.note("error", data.map(String).join(" ")),
  },
  askSecret,
  started: wire,
  status,
}).catch((error: unknown) => status(`the console could not start: ${String(error)}`, true));
