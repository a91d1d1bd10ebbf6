/**
 * A dancer's profile: who they are (as far as their visibility setting lets the viewer see),
 * their posts by cursor pages, and for another dancer: follow, "did we dance?" (a friend
 * request with the story) and a direct message. The state shown is the API's: the profile's
 * `isFollowing` and `friendship`, then each action's answer; a friend request answered
 * elsewhere arrives over the live channel and the profile is read again.
 */
import "./profile.css";
import type { InferResponseType } from "hono/client";
import { useState } from "hono/jsx/dom";
import { ApiError, type Me, api, ok } from "../api";
import { useLive } from "../live";
import { href, navigate } from "../router";
import { Avatar, PageTitle, ProblemMessage, Submit, useLoad, usePages } from "../ui";
import { type FeedItem, PostList } from "./post-card";

type Profile = InferResponseType<(typeof api.api.users)[":idOrUsername"]["$get"], 200>;
type Change = (update: (profile: Profile) => Profile) => void;

/** Notifications from this dancer that change where the viewer stands with them. */
const RELATION_NOTIFICATIONS = new Set(["friend_request", "friend_accepted", "new_follower"]);

const ROLE_LABEL: Record<string, string> = { leader: "Leader", follower: "Follower", both: "Leader and follower" };

const VISIBILITY_NOTE: Record<string, string> = {
  friends: "shares their profile with friends only",
  private: "keeps their profile private",
};

const text = (form: HTMLFormElement, name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();

function FollowButton({ profile, change }: { profile: Profile; change: Change }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const following = profile.isFollowing ?? false;
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      const param = { param: { id: String(profile.id) } };
      const state = await ok(following ? api.api.users[":id"].follow.$delete(param) : api.api.users[":id"].follow.$post(param));
      change((p) => {
        const delta = state.following === (p.isFollowing ?? false) ? 0 : state.following ? 1 : -1;
        return p.restricted ? { ...p, isFollowing: state.following } : { ...p, isFollowing: state.following, followersCount: p.followersCount + delta };
      });
    } catch (error) {
      setError(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class={following ? "secondary" : ""} disabled={busy} onClick={() => void toggle()}>
        {following ? "Unfollow" : "Follow"}
      </button>
      <ProblemMessage error={error} />
    </>
  );
}

/** "Did we dance?": a friend request with where and how, or accepting theirs (sending one back accepts it). */
function FriendRequest({ profile, change }: { profile: Profile; change: Change }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const send = async (fields: { didWeDance?: boolean; danceLocation?: string; danceStory?: string; message?: string }) => {
    setBusy(true);
    setError(null);
    try {
      const request = await ok(api.api.friends.requests.$post({ json: { receiverId: profile.id, ...fields }, header: {} }));
      const friends = request.status === "accepted";
      change((p) => ({
        ...p,
        friendship: friends ? "friends" : "request_sent",
        ...(p.restricted ? {} : { isFriend: friends, friendsCount: p.friendsCount + (friends && !p.isFriend ? 1 : 0) }),
      }));
      setOpen(false);
    } catch (error) {
      setError(error);
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const danced = (form.elements.namedItem("didWeDance") as HTMLInputElement).checked;
    const optional = (name: string) => (text(form, name) ? { [name]: text(form, name) } : {});
    void send({ didWeDance: danced, ...(danced ? { ...optional("danceLocation"), ...optional("danceStory") } : {}), ...optional("message") });
  };

  switch (profile.friendship) {
    case "friends":
      return <p class="relation friends">You are friends</p>;
    case "request_sent":
      return <p class="relation">Friend request sent</p>;
    case "request_received":
      return (
        <>
          <p class="relation">{profile.name} asked: did we dance?</p>
          <button type="button" disabled={busy} onClick={() => void send({})}>
            Accept friend request
          </button>
          <ProblemMessage error={error} />
        </>
      );
    default:
      return (
        <>
          <button type="button" class="secondary" aria-expanded={open ? "true" : "false"} aria-controls="did-we-dance" onClick={() => setOpen((o) => !o)}>
            Did we dance?
          </button>
          {open && (
            <form id="did-we-dance" class="card friend-form" onSubmit={submit} aria-label={`Friend request to ${profile.name}`} novalidate>
              <label class="check">
                <input type="checkbox" name="didWeDance" checked /> We danced together
              </label>
              <label for="dance-location">Where did you dance?</label>
              <input id="dance-location" name="danceLocation" maxLength={200} placeholder="Milonga, city" />
              <label for="dance-story">Your dance story</label>
              <textarea id="dance-story" name="danceStory" rows={3} maxLength={2000} />
              <label for="friend-message">Message</label>
              <textarea id="friend-message" name="message" rows={2} maxLength={1000} />
              <ProblemMessage error={error} />
              <div class="row">
                <Submit busy={busy}>Send friend request</Submit>
                <button type="button" class="secondary" onClick={() => setOpen(false)}>
                  Cancel
                </button>
              </div>
            </form>
          )}
          {!open && <ProblemMessage error={error} />}
        </>
      );
  }
}

function MessageButton({ profile }: { profile: Profile }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const open = async () => {
    setBusy(true);
    setError(null);
    try {
      const room = await ok(api.api.chat.rooms.$post({ json: { type: "direct", userId: profile.id }, header: {} }));
      navigate(href.room(room.id));
    } catch (error) {
      setError(error);
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="secondary" disabled={busy} onClick={() => void open()}>
        Message
      </button>
      <ProblemMessage error={error} />
    </>
  );
}

function Count({ n, what }: { n: number; what: string }) {
  return (
    <li>
      <strong>{n}</strong> {what}
    </li>
  );
}

function About({ profile }: { profile: Profile }) {
  if (profile.restricted) {
    return (
      <p class="muted">
        {profile.name} {VISIBILITY_NOTE[profile.visibility] ?? "keeps their profile to themselves"}.
      </p>
    );
  }
  const place = [profile.city, profile.country].filter(Boolean).join(", ");
  const roles = profile.tangoRoles.map((r) => ROLE_LABEL[r] ?? r).join(", ");
  return (
    <>
      {(place || roles) && (
        <p class="muted">
          {place}
          {place && roles ? " · " : ""}
          {roles}
        </p>
      )}
      {profile.bio && <p class="bio">{profile.bio}</p>}
      <ul class="counts plain">
        <Count n={profile.followersCount} what={profile.followersCount === 1 ? "follower" : "followers"} />
        <Count n={profile.followingCount} what="following" />
        <Count n={profile.friendsCount} what={profile.friendsCount === 1 ? "friend" : "friends"} />
      </ul>
    </>
  );
}

/** The dancer's posts and shares, newest first, loaded as the viewer scrolls. */
function Timeline({ profile }: { profile: Profile }) {
  const pages = usePages<FeedItem>((cursor) =>
    ok(api.api.users[":id"].posts.$get({ param: { id: String(profile.id) }, query: { limit: "20", ...(cursor ? { cursor } : {}) } })),
  );

  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Posts</h2>
      <ProblemMessage error={pages.error} />
      {pages.items.length === 0 && pages.cursor === null && <p class="empty">No posts to show yet.</p>}
      <PostList pages={pages} />
    </section>
  );
}

/** Another dancer's profile starts afresh (its own state, its own posts). */
export function ProfilePage(props: { username: string; user: Me }) {
  return <DancerProfile key={props.username} {...props} />;
}

function DancerProfile({ username, user }: { username: string; user: Me }) {
  const profile = useLoad(() => ok(api.api.users[":idOrUsername"].$get({ param: { idOrUsername: username } })), [username]);
  const data = profile.data;
  const change: Change = (update) => profile.set((current) => current && update(current));

  useLive(
    (frame) => {
      if (frame.type !== "notifications" || !data) return;
      if (frame.notifications.some((n) => n.actor?.id === data.id && RELATION_NOTIFICATIONS.has(n.type))) profile.reload();
    },
    [data?.id],
  );

  if (profile.error instanceof ApiError && profile.error.status === 404) {
    return (
      <section>
        <PageTitle>Dancer not found</PageTitle>
        <ProblemMessage error={profile.error} />
        <p>
          <a href={href.feed()}>Back to your feed</a>
        </p>
      </section>
    );
  }
  if (!data) {
    return (
      <section>
        <PageTitle>Profile</PageTitle>
        <ProblemMessage error={profile.error} />
        {profile.loading && (
          <p class="loading" role="status">
            Loading the profile…
          </p>
        )}
      </section>
    );
  }
  const self = data.id === user.id;
  return (
    <section class="profile">
      <div class="card profile-head">
        <div class="row">
          <Avatar name={data.name} src={data.profileImage} size={72} />
          <div class="grow">
            <PageTitle>{data.name}</PageTitle>
            <p class="muted handle">
              @{data.username}
              {self ? " · this is you" : data.followsYou ? " · follows you" : ""}
            </p>
          </div>
        </div>
        <About profile={data} />
        <ProblemMessage error={profile.error} />
        {!self && (
          <div class="relations" aria-live="polite">
            <FollowButton profile={data} change={change} />
            <MessageButton profile={data} />
            <FriendRequest profile={data} change={change} />
          </div>
        )}
      </div>
      {data.restricted ? null : <Timeline key={data.id} profile={data} />}
    </section>
  );
}
