/**
 * Hash routes (`#/events/12`): every path after `#` is the app's, so the Worker's own paths
 * (/api, /docs, /media, /health) are never shadowed by the client, and the assets need no
 * single-page fallback.
 */
import { useEffect, useState } from "hono/jsx/dom";

export type Route =
  | { page: "feed" }
  | { page: "login" }
  | { page: "signup" }
  | { page: "post"; id: number }
  | { page: "profile"; username: string }
  | { page: "events" }
  | { page: "event"; id: number }
  | { page: "notifications" }
  | { page: "chat" }
  | { page: "room"; id: number }
  | { page: "not_found"; path: string };

const id = (text: string | undefined) => (text && /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : null);

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "") || "/";
  const [, first, second] = path.split("/");
  switch (first) {
    case "":
    case "feed":
      return { page: "feed" };
    case "login":
      return { page: "login" };
    case "signup":
      return { page: "signup" };
    case "posts":
      return id(second) ? { page: "post", id: id(second)! } : { page: "not_found", path };
    case "u":
      return second ? { page: "profile", username: decodeURIComponent(second) } : { page: "not_found", path };
    case "events":
      return second === undefined ? { page: "events" } : id(second) ? { page: "event", id: id(second)! } : { page: "not_found", path };
    case "notifications":
      return { page: "notifications" };
    case "chat":
      return second === undefined ? { page: "chat" } : id(second) ? { page: "room", id: id(second)! } : { page: "not_found", path };
    default:
      return { page: "not_found", path };
  }
}

/** The link to a route, for `href`. */
export const href = {
  feed: () => "#/",
  login: () => "#/login",
  signup: () => "#/signup",
  post: (id: number) => `#/posts/${id}`,
  profile: (username: string) => `#/u/${encodeURIComponent(username)}`,
  events: () => "#/events",
  event: (id: number) => `#/events/${id}`,
  notifications: () => "#/notifications",
  chat: () => "#/chat",
  room: (id: number) => `#/chat/${id}`,
};

export function navigate(to: string): void {
  location.hash = to.replace(/^#/, "");
}

/** The current route; re-renders on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
