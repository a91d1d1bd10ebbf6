// The module's public surface: other modules import only from here (a lint rule says so).
export { type LiveEvent, type RoomActivityMessage, type UserHubRpc, userHubStub } from "./live.rpc";
export { UserHub } from "./user-hub.do";
