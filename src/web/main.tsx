/**
 * The web client: restores the session from the refresh cookie, then shows the page the hash
 * names. Signed out, every page but sign-up leads to sign-in (and back after it).
 */
import { render, useEffect, useState } from "hono/jsx/dom";
import { type Me, currentUser, onSessionChange, refreshSession } from "./api";
import { startLive } from "./live";
import { AuthPage } from "./pages/auth";
import { ChatPage, RoomPage } from "./pages/chat";
import { EventPage, EventsPage } from "./pages/events";
import { FeedPage, PostPage } from "./pages/feed";
import { NotificationsPage } from "./pages/notifications";
import { ProfilePage } from "./pages/profile";
import { type Route, href, navigate, useRoute } from "./router";
import { Layout, PageTitle } from "./ui";

/** The navigation entry the page belongs to ("Me" only on the dancer's own profile). */
function section(route: Route, user: Me): string {
  switch (route.page) {
    case "profile":
      return route.username.toLowerCase() === user.username.toLowerCase() ? "profile" : "";
    case "event":
      return "events";
    case "room":
      return "chat";
    case "post":
      return "feed";
    default:
      return route.page;
  }
}

function Page({ route, user }: { route: Route; user: Me }) {
  switch (route.page) {
    case "feed":
      return <FeedPage user={user} />;
    case "post":
      return <PostPage id={route.id} user={user} />;
    case "profile":
      return <ProfilePage username={route.username} user={user} />;
    case "events":
      return <EventsPage user={user} />;
    case "event":
      return <EventPage id={route.id} user={user} />;
    case "notifications":
      return <NotificationsPage user={user} />;
    case "chat":
      return <ChatPage user={user} />;
    case "room":
      return <RoomPage id={route.id} user={user} />;
    default:
      return (
        <section>
          <PageTitle>Page not found</PageTitle>
          <p>
            There is nothing here. <a href={href.feed()}>Go to your feed</a>.
          </p>
        </section>
      );
  }
}

function App() {
  const route = useRoute();
  const [user, setUser] = useState<Me | null>(currentUser());
  const [restoring, setRestoring] = useState(true);
  useEffect(() => {
    const stop = onSessionChange(setUser);
    void refreshSession().finally(() => setRestoring(false));
    startLive();
    return stop;
  }, []);

  if (restoring) return <p class="loading" role="status">Loading Mundo Tango…</p>;
  if (!user) {
    if (route.page === "signup") return <AuthPage mode="signup" />;
    if (route.page !== "login") sessionStorage.setItem("mt:after-login", location.hash);
    return <AuthPage mode="login" />;
  }
  if (route.page === "login" || route.page === "signup") {
    navigate(sessionStorage.getItem("mt:after-login") ?? href.feed());
    sessionStorage.removeItem("mt:after-login");
    return null;
  }
  return (
    <Layout user={user} section={section(route, user)}>
      {/* Keyed by the route: each page (and each object's page) mounts afresh, and the one left is removed. */}
      <Page key={JSON.stringify(route)} route={route} user={user} />
    </Layout>
  );
}

render(<App />, document.getElementById("app")!);
