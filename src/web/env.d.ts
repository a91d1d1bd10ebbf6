/** Pages import their stylesheets; esbuild gathers them into dist/web/app.css. */
declare module "*.css";
