/**
 * The social graph: follows, friend requests and friendships. Today its conditions and the
 * closeness recomputation; its routes come with the social-graph issue.
 */
export { areFriends, cutTies } from "./graph.conditions";
export { friendshipIdRange, recomputeClosenessRange } from "./closeness.service";
