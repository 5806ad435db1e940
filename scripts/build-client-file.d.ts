/** The client file the Worker serves at {@link CLIENT_FILE_PATH}, as built. */
export interface ClientFile {
  /** The minified ESM build, ending with its `sourceMappingURL`. */
  code: string;
  /** Its source map (JSON). */
  map: string;
  /** `sha384-…` of `code`. */
  integrity: string;
  /** The strong ETag of `code`: its SHA-256, quoted. */
  etag: string;
  /** The strong ETag of `map`. */
  mapEtag: string;
}

export const CLIENT_FILE_PATH: "/_client.js";
export const CLIENT_MAP_PATH: "/_client.js.map";
/** The generated module the Worker imports. */
export const CLIENT_MODULE: string;
/** docs/client.md, which carries the integrity. */
export const DOCS_PAGE: string;
/** Builds the client file in memory. */
export function buildClientFile(): Promise<ClientFile>;
/** Builds the client file and writes {@link CLIENT_MODULE}. */
export function writeClientFile(): Promise<ClientFile>;
/** The distinct `sha384-…` values docs/client.md carries. */
export function docsIntegrities(): string[];
