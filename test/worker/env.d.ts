import type { RelayVariables } from "../../src/config/index.js";

// worker-configuration.d.ts (`npm run types`) declares the bindings of wrangler.toml and the
// main module; the test projects also bind the relay's variables (test/support/secure-env.ts).
declare global {
  namespace Cloudflare {
    interface Env extends RelayVariables {}
  }
}
