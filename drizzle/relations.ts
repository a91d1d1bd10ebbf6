import { relations } from "drizzle-orm";
import { lifeCeoDomains, lifeCeoGoals, mrBlueConversations, mrBlueMessages } from "./ai";
import { chatMessages, chatRoomUsers, chatRooms, messageReactions } from "./chat";
import { eventRsvps, events } from "./events";
import { friendRequests, friendships, friendshipActivities, friendshipMedia } from "./friendships";
import {
  blockedUsers,
  emailTokens,
  refreshTokens,
  roleChanges,
  sessions,
  twoFactorBackupCodes,
  twoFactorSecrets,
  userSettings,
} from "./identity";
import { emailQueue, notifications } from "./notifications";
import { agentHealth, deployments, esaAgents } from "./platform";
import { follows, postComments, postLikes, posts } from "./social";
import { userRoles, users } from "./users";

export const usersRelations = relations(users, ({ one, many }) => ({
  roleInfo: one(userRoles, { fields: [users.role], references: [userRoles.name] }),
  settings: one(userSettings, { fields: [users.id], references: [userSettings.userId] }),
  twoFactor: one(twoFactorSecrets, { fields: [users.id], references: [twoFactorSecrets.userId] }),
  sessions: many(sessions),
  notifications: many(notifications, { relationName: "recipient" }),
  posts: many(posts),
  events: many(events),
  postLikes: many(postLikes),
  postComments: many(postComments),
  following: many(follows, { relationName: "follower" }),
  followers: many(follows, { relationName: "following" }),
  friendships: many(friendships, { relationName: "friendship_user" }),
  sentFriendRequests: many(friendRequests, { relationName: "sender" }),
  receivedFriendRequests: many(friendRequests, { relationName: "receiver" }),
  eventRsvps: many(eventRsvps),
  chatMessages: many(chatMessages),
  chatRooms: many(chatRoomUsers),
  lifeCeoGoals: many(lifeCeoGoals),
  mrBlueConversations: many(mrBlueConversations),
  deployments: many(deployments),
}));

export const postsRelations = relations(posts, ({ one, many }) => ({
  author: one(users, { fields: [posts.userId], references: [users.id] }),
  event: one(events, { fields: [posts.eventId], references: [events.id] }),
  likes: many(postLikes),
  comments: many(postComments),
}));

export const postLikesRelations = relations(postLikes, ({ one }) => ({
  post: one(posts, { fields: [postLikes.postId], references: [posts.id] }),
  user: one(users, { fields: [postLikes.userId], references: [users.id] }),
}));

export const postCommentsRelations = relations(postComments, ({ one, many }) => ({
  post: one(posts, { fields: [postComments.postId], references: [posts.id] }),
  author: one(users, { fields: [postComments.userId], references: [users.id] }),
  parent: one(postComments, {
    fields: [postComments.parentCommentId],
    references: [postComments.id],
    relationName: "replies",
  }),
  replies: many(postComments, { relationName: "replies" }),
}));

export const followsRelations = relations(follows, ({ one }) => ({
  follower: one(users, { fields: [follows.followerId], references: [users.id], relationName: "follower" }),
  following: one(users, { fields: [follows.followingId], references: [users.id], relationName: "following" }),
}));

export const friendRequestsRelations = relations(friendRequests, ({ one, many }) => ({
  sender: one(users, { fields: [friendRequests.senderId], references: [users.id], relationName: "sender" }),
  receiver: one(users, { fields: [friendRequests.receiverId], references: [users.id], relationName: "receiver" }),
  media: many(friendshipMedia),
}));

export const friendshipsRelations = relations(friendships, ({ one, many }) => ({
  user: one(users, { fields: [friendships.userId], references: [users.id], relationName: "friendship_user" }),
  friend: one(users, { fields: [friendships.friendId], references: [users.id] }),
  activities: many(friendshipActivities),
  media: many(friendshipMedia),
}));

export const friendshipActivitiesRelations = relations(friendshipActivities, ({ one }) => ({
  friendship: one(friendships, { fields: [friendshipActivities.friendshipId], references: [friendships.id] }),
}));

export const friendshipMediaRelations = relations(friendshipMedia, ({ one }) => ({
  friendRequest: one(friendRequests, { fields: [friendshipMedia.friendRequestId], references: [friendRequests.id] }),
  friendship: one(friendships, { fields: [friendshipMedia.friendshipId], references: [friendships.id] }),
  uploader: one(users, { fields: [friendshipMedia.uploaderId], references: [users.id] }),
}));

export const eventsRelations = relations(events, ({ one, many }) => ({
  organizer: one(users, { fields: [events.userId], references: [users.id] }),
  rsvps: many(eventRsvps),
  posts: many(posts),
}));

export const eventRsvpsRelations = relations(eventRsvps, ({ one }) => ({
  event: one(events, { fields: [eventRsvps.eventId], references: [events.id] }),
  user: one(users, { fields: [eventRsvps.userId], references: [users.id] }),
}));

export const chatRoomsRelations = relations(chatRooms, ({ many }) => ({
  members: many(chatRoomUsers),
  messages: many(chatMessages),
}));

export const chatRoomUsersRelations = relations(chatRoomUsers, ({ one }) => ({
  room: one(chatRooms, { fields: [chatRoomUsers.chatRoomId], references: [chatRooms.id] }),
  user: one(users, { fields: [chatRoomUsers.userId], references: [users.id] }),
}));

export const chatMessagesRelations = relations(chatMessages, ({ one, many }) => ({
  room: one(chatRooms, { fields: [chatMessages.chatRoomId], references: [chatRooms.id] }),
  sender: one(users, { fields: [chatMessages.userId], references: [users.id] }),
  reactions: many(messageReactions),
}));

export const messageReactionsRelations = relations(messageReactions, ({ one }) => ({
  message: one(chatMessages, { fields: [messageReactions.messageId], references: [chatMessages.id] }),
  user: one(users, { fields: [messageReactions.userId], references: [users.id] }),
}));

export const mrBlueConversationsRelations = relations(mrBlueConversations, ({ one, many }) => ({
  user: one(users, { fields: [mrBlueConversations.userId], references: [users.id] }),
  messages: many(mrBlueMessages),
}));

export const mrBlueMessagesRelations = relations(mrBlueMessages, ({ one }) => ({
  conversation: one(mrBlueConversations, {
    fields: [mrBlueMessages.conversationId],
    references: [mrBlueConversations.id],
  }),
}));

export const lifeCeoDomainsRelations = relations(lifeCeoDomains, ({ many }) => ({
  goals: many(lifeCeoGoals),
}));

export const lifeCeoGoalsRelations = relations(lifeCeoGoals, ({ one }) => ({
  user: one(users, { fields: [lifeCeoGoals.userId], references: [users.id] }),
  domain: one(lifeCeoDomains, { fields: [lifeCeoGoals.domainId], references: [lifeCeoDomains.id] }),
}));

export const esaAgentsRelations = relations(esaAgents, ({ one }) => ({
  parent: one(esaAgents, { fields: [esaAgents.parentAgentId], references: [esaAgents.id], relationName: "parent" }),
  divisionChief: one(esaAgents, {
    fields: [esaAgents.divisionChiefId],
    references: [esaAgents.id],
    relationName: "division_chief",
  }),
}));

export const agentHealthRelations = relations(agentHealth, ({ one }) => ({
  agent: one(esaAgents, { fields: [agentHealth.agentCode], references: [esaAgents.agentCode] }),
}));

export const deploymentsRelations = relations(deployments, ({ one }) => ({
  user: one(users, { fields: [deployments.userId], references: [users.id] }),
}));

export const userSettingsRelations = relations(userSettings, ({ one }) => ({
  user: one(users, { fields: [userSettings.userId], references: [users.id] }),
}));

export const roleChangesRelations = relations(roleChanges, ({ one }) => ({
  user: one(users, { fields: [roleChanges.userId], references: [users.id], relationName: "role_change_user" }),
  changer: one(users, { fields: [roleChanges.changedBy], references: [users.id], relationName: "role_change_by" }),
}));

export const twoFactorSecretsRelations = relations(twoFactorSecrets, ({ one }) => ({
  user: one(users, { fields: [twoFactorSecrets.userId], references: [users.id] }),
}));

export const twoFactorBackupCodesRelations = relations(twoFactorBackupCodes, ({ one }) => ({
  user: one(users, { fields: [twoFactorBackupCodes.userId], references: [users.id] }),
}));

export const sessionsRelations = relations(sessions, ({ one, many }) => ({
  user: one(users, { fields: [sessions.userId], references: [users.id] }),
  refreshTokens: many(refreshTokens),
}));

export const refreshTokensRelations = relations(refreshTokens, ({ one }) => ({
  session: one(sessions, { fields: [refreshTokens.sessionId], references: [sessions.id] }),
}));

export const emailTokensRelations = relations(emailTokens, ({ one }) => ({
  user: one(users, { fields: [emailTokens.userId], references: [users.id] }),
}));

export const blockedUsersRelations = relations(blockedUsers, ({ one }) => ({
  blocker: one(users, { fields: [blockedUsers.blockerId], references: [users.id], relationName: "blocker" }),
  blocked: one(users, { fields: [blockedUsers.blockedId], references: [users.id], relationName: "blocked" }),
}));

export const notificationsRelations = relations(notifications, ({ one }) => ({
  recipient: one(users, { fields: [notifications.userId], references: [users.id], relationName: "recipient" }),
  actor: one(users, { fields: [notifications.actorId], references: [users.id], relationName: "actor" }),
}));

export const emailQueueRelations = relations(emailQueue, ({ one }) => ({
  user: one(users, { fields: [emailQueue.userId], references: [users.id] }),
}));
