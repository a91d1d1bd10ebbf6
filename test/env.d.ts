/** Vite's raw-text imports, used by tests to read config files (e.g. wrangler.toml). */
declare module "*?raw" {
  const text: string;
  export default text;
}
