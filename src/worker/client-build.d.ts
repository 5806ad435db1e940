/**
 * The client's browser build the Worker serves, built by scripts/build-client-file.js into
 * src/console/dist/client-file.js (gitignored): the minified file (ending with its
 * `sourceMappingURL`), its source map, its `sha384-…` integrity and the strong ETag of each.
 */
declare module "*/console/dist/client-file.js" {
  const file: { code: string; map: string; integrity: string; etag: string; mapEtag: string };
  export default file;
}
