/**
 * Shared pieces of the web client's pages: the frame (header, navigation, main), the problem
 * message every failure shows, and small hooks. Pages build on these, so errors always show
 * the problem's `detail` and every page has one h1 that takes the focus on arrival.
 */
import type { Child } from "hono/jsx";
import { useCallback, useEffect, useRef, useState } from "hono/jsx/dom";
import { ApiError, type Me, api, ok, signOut } from "./api";
import { useLive } from "./live";
import { href, navigate } from "./router";

/** The text to show for any failure: the problem's detail, or a plain sentence. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong. Please try again.";
}

/** A failure, announced to screen readers; the field errors of a 400 listed under it. */
export function ProblemMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const errors = error instanceof ApiError ? error.errors : [];
  return (
    <div class="problem" role="alert">
      <p>{messageOf(error)}</p>
      {errors.length > 0 && (
        <ul>
          {errors.map((e) => (
            <li>
              {e.path ? `${e.path}: ` : ""}
              {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Whether the component is still on screen. An answer that arrives after its page was left
 * must not set state: hono's DOM renderer would draw the left page again, beside the new one.
 */
export function useMounted(): { readonly current: boolean } {
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  return mounted;
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  set: (update: (current: T | undefined) => T | undefined) => void;
}

/**
 * Loads `load()` when `deps` change; the latest load wins. New `deps` (another event, say) drop
 * the data loaded for the old ones, so a failure never shows under the previous object; a
 * `reload()` keeps them on screen while it loads.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [round, setRound] = useState(0);
  const loadedFor = useRef<string | null>(null);
  useEffect(() => {
    let current = true;
    const key = JSON.stringify(deps);
    const same = loadedFor.current === key;
    loadedFor.current = key;
    setState((s) => ({ data: same ? s.data : undefined, error: null, loading: true }));
    load().then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error: unknown) => current && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  return {
    ...state,
    reload: () => setRound((r) => r + 1),
    set: (update) => setState((s) => ({ ...s, data: update(s.data) })),
  };
}

/** The page's title: in the document's title and as the h1, focused on arrival (for screen readers and keyboards). */
export function PageTitle({ children }: { children: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} · Mundo Tango`;
    ref.current?.focus();
  }, [children]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** "3 min ago", with the exact time on hover and for screen readers. */
export function TimeAgo({ at }: { at: string }) {
  const then = new Date(at);
  const seconds = Math.max(0, (Date.now() - then.getTime()) / 1000);
  const text =
    seconds < 60 ? "just now" : seconds < 3600 ? `${Math.floor(seconds / 60)} min ago` : seconds < 86_400 ? `${Math.floor(seconds / 3600)} h ago` : then.toLocaleDateString();
  return (
    <time datetime={at} title={then.toLocaleString()}>
      {text}
    </time>
  );
}

/** A dancer's picture, or their initial on a coloured disc. */
export function Avatar({ name, src, size = 40 }: { name: string; src?: string | null; size?: number }) {
  const style = `width:${size}px;height:${size}px`;
  if (src) return <img class="avatar" src={src} alt="" style={style} />;
  const hue = [...name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) % 360, 7);
  return (
    <span class="avatar" aria-hidden="true" style={`${style};background:hsl(${hue} 45% 45%)`}>
      {(name.trim()[0] ?? "?").toUpperCase()}
    </span>
  );
}

/** The signed-in dancer's unread notifications: fetched once, then kept by the live channel. */
function useUnreadCount(): number | null {
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    ok(api.api.notifications["unread-count"].$get()).then(
      (body) => setCount(body.count),
      () => undefined,
    );
  }, []);
  useLive((frame) => {
    if ((frame.type === "ready" || frame.type === "notifications") && frame.unreadCount !== null) setCount(frame.unreadCount);
  });
  return count;
}

function NavLink({ to, current, children }: { to: string; current: boolean; children: Child }) {
  return (
    <a href={to} aria-current={current ? "page" : undefined}>
      {children}
    </a>
  );
}

/** The frame of every signed-in page: skip link, header with the navigation, then the page. */
export function Layout({ user, section, children }: { user: Me; section: string; children: Child }) {
  const unread = useUnreadCount();
  return (
    <>
      <a class="skip" href="#main" onClick={(e: Event) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href.feed()}>
          Mundo Tango
        </a>
        <nav aria-label="Main">
          <NavLink to={href.feed()} current={section === "feed"}>
            Feed
          </NavLink>
          <NavLink to={href.events()} current={section === "events"}>
            Events
          </NavLink>
          <NavLink to={href.chat()} current={section === "chat"}>
            Chat
          </NavLink>
          <NavLink to={href.notifications()} current={section === "notifications"}>
            Notifications
            {unread ? (
              <span class="badge" data-testid="unread-notifications" aria-label={`${unread} unread`}>
                {unread}
              </span>
            ) : null}
          </NavLink>
          <NavLink to={href.profile(user.username)} current={section === "profile"}>
            Me
          </NavLink>
          <button type="button" class="link" onClick={() => void signOut().then(() => navigate(href.login()))}>
            Sign out
          </button>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/**
 * A form's submit: the default prevented, busy while `action` runs (the button disabled), and
 * its failure kept to show. `action` gets the form; it may throw to show a problem.
 */
export function useFormAction(action: (form: HTMLFormElement) => Promise<void>): {
  busy: boolean;
  error: unknown;
  setError: (error: unknown) => void;
  onSubmit: (e: Event) => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const mounted = useMounted();
  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    // The action may leave the page (a sign-in, a new chat): then nothing is set after it.
    action(e.currentTarget as HTMLFormElement)
      .catch((error: unknown) => mounted.current && setError(error))
      .finally(() => mounted.current && setBusy(false));
  };
  return { busy, error, setError, onSubmit };
}

/** The text of a form's field by its name. */
export const fieldValue = (form: HTMLFormElement, name: string): string => (form.elements.namedItem(name) as HTMLInputElement | null)?.value ?? "";

/** A submit button that says it is working and cannot be pressed twice. */
export function Submit({ busy, children }: { busy: boolean; children: string }) {
  return (
    <button type="submit" disabled={busy} aria-busy={busy ? "true" : undefined}>
      {busy ? "Please wait…" : children}
    </button>
  );
}

export interface Pages<T> {
  items: T[];
  setItems: (update: (current: T[]) => T[]) => void;
  /** undefined before the first page, null after the last. */
  cursor: string | null | undefined;
  busy: boolean;
  error: unknown;
  setError: (error: unknown) => void;
  /** Loads the next page (nothing while one loads, or after the last). */
  more: () => void;
}

/**
 * A list read by cursor (`{items, nextCursor}`): the first page on mount, the next on `more()`
 * (LoadMore calls it as the end scrolls into view). Items already shown (by id: live arrivals
 * put some there first) are not repeated.
 */
export function usePages<T extends { id: number | string }>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): Pages<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const mounted = useMounted();
  const more = useCallback(() => {
    if (busy || cursor === null) return;
    setBusy(true);
    page(cursor)
      .then(
        (next) => {
          if (!mounted.current) return;
          setItems((current) => [...current, ...next.items.filter((item) => !current.some((c) => c.id === item.id))]);
          setCursor(next.nextCursor);
          setError(null);
        },
        (error: unknown) => mounted.current && setError(error),
      )
      .finally(() => mounted.current && setBusy(false));
  }, [busy, cursor]);
  useEffect(() => more(), []);
  return { items, setItems, cursor, busy, error, setError, more };
}

/** Calls `onMore` when the sentinel scrolls into view: infinite scroll on a cursor. */
export function LoadMore({ onMore, busy, done }: { onMore: () => void; busy: boolean; done: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (done || !ref.current) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && !busy && onMore(), { rootMargin: "400px" });
    observer.observe(ref.current);
    return () => observer.disconnect();
  }, [done, busy, onMore]);
  if (done) return <p class="end">You are all caught up.</p>;
  return (
    <div ref={ref} class="more">
      <button type="button" class="secondary" disabled={busy} onClick={onMore}>
        {busy ? "Loading…" : "Load more"}
      </button>
    </div>
  );
}
