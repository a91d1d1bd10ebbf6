import { createRouter } from "../../lib/openapi";
import { getHealth } from "./system.handlers";
import * as routes from "./system.routes";

export const systemRouter = createRouter().openapi(routes.health, getHealth);
