import type { Env as RelayEnv } from "../../src/worker/env.js";

declare global {
  namespace Cloudflare {
    interface Env extends RelayEnv {}
    interface GlobalProps {
      mainModule: typeof import("../../src/worker/index.js");
      durableNamespaces: "Room";
    }
  }
}
