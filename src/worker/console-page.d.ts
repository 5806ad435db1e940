/**
 * The room console's page, built by scripts/build-console.js into src/console/dist/page.js
 * (gitignored): the HTML with its style and script inlined, and the SHA-256 of each for the
 * Content-Security-Policy. The HTML preloads `/_client.js` with its integrity and imports the
 * client from it. `{{room}}` and `{{policy}}` in the HTML are for the Worker to fill.
 */
declare module "*/console/dist/page.js" {
  const page: { html: string; scriptHash: string; styleHash: string };
  export default page;
}
