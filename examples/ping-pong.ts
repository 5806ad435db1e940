/**
 * The seed's ping-pong game: a local relay starts, Player1 and Player2 join, and they pass
 * the ball with the `pass_ball` command, catching it 80% of the time.
 *
 *     npm run example                              # plays forever, one pass a second
 *     npm run example -- --passes 10 --delay 0     # ten passes, as fast as it goes, exit 0
 *
 * Options: `--passes N` ends the game after N passes (default: never); `--delay MS` is the
 * ball's flight time (default 1000, as the seed's `time.sleep(1)`); `--port P` is the first
 * port to try, moving up while ports are taken (default 8888, as the seed; 0 picks any).
 */

import { parseArgs } from "node:util";
import { commandMessage, type Json, WebSocketClient } from "../src/client/node.js";
import { connectToFirstFreePort, SocketServer } from "../src/server/index.js";

interface Game {
  /** Passes played so far. */
  passes: number;
  /** Stop after this many passes. */
  limit: number;
  /** Milliseconds between catching the ball and passing it back. */
  delay: number;
  /** True once the game has ended. */
  over: boolean;
  /** Ends the game. */
  end(): void;
}

class Player {
  readonly name: string;
  readonly wsc: WebSocketClient;
  readonly #game: Game;
  readonly #pingpong: string;
  readonly #opponent: string;

  constructor(host: string, name: string, game: Game) {
    this.name = name;
    this.#game = game;
    this.wsc = new WebSocketClient(name, { host });
    // The command's kwargs arrive as the first argument: the seed's pass_ball(catch=None).
    this.wsc.addCmdFunction("pass_ball", ({ catch: caught }) => this.passBall(caught));
    // A pass the relay never confirmed may be lost; the last one may still await its
    // confirmation when the game ends, and no longer matters.
    this.wsc.addOnUnconfirmed("lost passes", ({ frames }) => {
      if (!game.over) console.error(`${name}: ${frames.length} pass(es) may be lost`);
    });
    this.#pingpong = name.includes("1") ? "ping" : "pong";
    this.#opponent = name.includes("1") ? "Player2" : "Player1";
  }

  passBall(caught: Json | undefined): void {
    if (caught === undefined || caught === null) {
      console.log("End of the game because the ball went missing somewhere");
      return;
    }
    console.log(this.#pingpong);
    if (!caught) console.log("Damn!"); // don't like losing the ball
    this.#game.passes += 1;
    if (this.#game.passes >= this.#game.limit) {
      this.#game.end();
      return;
    }
    // The ball's flight time.
    setTimeout(() => {
      this.wsc.writeToSocket(
        commandMessage("pass_ball", this.name, this.#opponent, { catch: Math.random() < 0.8 }),
      );
    }, this.#game.delay);
  }
}

function count(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new RangeError(`${flag} takes a whole number >= 0, got "${value}"`);
  }
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      passes: { type: "string" },
      delay: { type: "string" },
      port: { type: "string" },
    },
  });
  const port = count(values.port, "--port", 8888);
  const server = await (port === 0
    ? SocketServer.start({ port: 0 })
    : connectToFirstFreePort(port));
  const players: Player[] = [];
  const game: Game = {
    passes: 0,
    limit: count(values.passes, "--passes", Number.POSITIVE_INFINITY),
    delay: count(values.delay, "--delay", 1000),
    over: false,
    end: () => {
      game.over = true;
      const closed = players.map(
        (player) => new Promise<void>((resolve) => player.wsc.on("close", () => resolve())),
      );
      for (const player of players) player.wsc.close();
      // The relay stops once both sockets have closed: what it still had to send them arrives.
      void Promise.all(closed)
        .then(() => server.close())
        .then(() => process.exit(0));
    },
  };
  players.push(new Player(server.wsAddress, "Player1", game));
  players.push(new Player(server.wsAddress, "Player2", game));
  // Both players identified: throw the first ball (the seed slept a second instead).
  await Promise.all(
    players.map(
      (player) =>
        new Promise<void>((resolve) => player.wsc.addOnIdentified("start", () => resolve())),
    ),
  );
  players[0]?.passBall(true);
  process.once("SIGINT", game.end);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
