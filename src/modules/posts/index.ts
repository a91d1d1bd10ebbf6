// The module's public surface: other modules import only from here (a lint rule says so).
/**
 * Posts. Today the visibility condition every post read path will use; the routes come with
 * the posts and feeds issue.
 */
export { visibleTo } from "./posts.conditions";
