import { z } from "@hono/zod-openapi";
import { ESA_AGENT_STATUSES, ESA_AGENT_TYPES, VALIDATION_RESULTS } from "../../../drizzle/platform";
import { PageQuery } from "../../lib/pagination";
import { multiLine, PositiveIntId, singleLine } from "../../lib/text";

/** An agent id in a body or a query (a number in a body, digits in a query). */
const AgentRef = z.number().int().min(1).max(2_147_483_647);

/** A JSON object of the agent's own settings, capped so one agent cannot bloat the registry. */
const JsonObject = z
  .record(z.string(), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 16_384, "At most 16 KB of JSON");

const Phrases = z.array(singleLine(200, 1)).max(50);

/** The fields an admin writes; status is not among them (it moves only through the status route). */
const agentFields = {
  agentCode: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,49}$/, "Letters, digits and _ . : - (at most 50)")
    .openapi({ example: "ESA-L12-PAGE-FEED" }),
  agentName: singleLine(255, 1),
  agentType: z.enum(ESA_AGENT_TYPES),
  parentAgentId: AgentRef.nullable(),
  divisionChiefId: AgentRef.nullable(),
  layerNumber: z.number().int().min(1).max(61).nullable(),
  tier: z.number().int().min(1).max(6).nullable(),
  description: multiLine(5000).nullable(),
  responsibilities: Phrases,
  competencies: Phrases,
  certificationLevel: z.number().int().min(0).max(3),
  trainingMethodology: singleLine(100).nullable(),
  configuration: JsonObject.nullable(),
};

/** Every field an admin may set on an agent, each optional (what a PATCH takes). */
const agentBodyFields = z.strictObject({
  agentCode: agentFields.agentCode.optional(),
  agentName: agentFields.agentName.optional(),
  agentType: agentFields.agentType.optional(),
  parentAgentId: agentFields.parentAgentId.optional(),
  divisionChiefId: agentFields.divisionChiefId.optional(),
  layerNumber: agentFields.layerNumber.optional(),
  tier: agentFields.tier.optional(),
  description: agentFields.description.optional(),
  responsibilities: agentFields.responsibilities.optional(),
  competencies: agentFields.competencies.optional(),
  certificationLevel: agentFields.certificationLevel.optional(),
  trainingMethodology: agentFields.trainingMethodology.optional(),
  configuration: agentFields.configuration.optional(),
});

export const CreateAgentBody = agentBodyFields
  .required({ agentCode: true, agentName: true, agentType: true })
  .openapi("CreateAgentRequest");

export const UpdateAgentBody = agentBodyFields
  .refine((body) => Object.keys(body).length > 0, "Give at least one field to change")
  .openapi("UpdateAgentRequest");

export type CreateAgentInput = z.infer<typeof CreateAgentBody>;
export type UpdateAgentInput = z.infer<typeof UpdateAgentBody>;

export const AgentListQuery = PageQuery.extend({
  type: z.enum(ESA_AGENT_TYPES).optional(),
  status: z.enum(ESA_AGENT_STATUSES).optional(),
  layer: z.string().regex(/^[1-9][0-9]?$/, "A layer number, 1-61").transform(Number).pipe(z.number().max(61)).optional(),
  tier: z.string().regex(/^[1-6]$/, "A tier, 1-6").transform(Number).optional(),
  parentId: PositiveIntId.optional(),
  q: singleLine(100, 1).optional().openapi({ description: "Part of the code or the name (case-insensitive)" }),
});
export type AgentListFilters = z.infer<typeof AgentListQuery>;

export const LatestCheckSchema = z
  .object({ id: z.number().int(), checkName: z.string(), result: z.enum(VALIDATION_RESULTS), checkedAt: z.string() })
  .openapi("LatestValidationCheck");

export type LatestCheck = z.infer<typeof LatestCheckSchema>;

export const AgentSchema = z
  .object({
    id: z.number().int(),
    agentCode: z.string(),
    agentName: z.string(),
    agentType: z.enum(ESA_AGENT_TYPES),
    parentAgentId: z.number().int().nullable(),
    divisionChiefId: z.number().int().nullable(),
    layerNumber: z.number().int().nullable(),
    tier: z.number().int().nullable(),
    description: z.string().nullable(),
    responsibilities: z.array(z.string()),
    competencies: z.array(z.string()),
    status: z.enum(ESA_AGENT_STATUSES),
    suspendedFrom: z.enum(ESA_AGENT_STATUSES).nullable().openapi({ description: "While suspended: the status a resume returns to" }),
    certificationLevel: z.number().int(),
    certifiedAt: z.string().nullable(),
    trainingMethodology: z.string().nullable(),
    trainingCompletedAt: z.string().nullable(),
    tasksCompleted: z.number().int().openapi({ description: "Finished tasks: tasksSuccess + tasksFailed" }),
    tasksSuccess: z.number().int(),
    tasksFailed: z.number().int(),
    avgCompletionTime: z.number().int().nullable().openapi({ description: "Mean duration of the finished tasks, in seconds" }),
    lastActiveAt: z.string().nullable(),
    configuration: z.record(z.string(), z.unknown()).nullable(),
    apiKeyPrefix: z.string().nullable().openapi({ description: "The public prefix of the agent's health key (the key itself is never shown again)" }),
    apiKeyRotatedAt: z.string().nullable(),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi("EsaAgent");
export type Agent = z.infer<typeof AgentSchema>;

export const AgentDetailSchema = AgentSchema.extend({
  latestChecks: z.array(LatestCheckSchema).openapi({ description: "The latest result of each named validation check, by name" }),
}).openapi("EsaAgentDetail");
export type AgentDetail = z.infer<typeof AgentDetailSchema>;

export const TreeQuery = PageQuery.extend({
  rootId: PositiveIntId.optional().openapi({ description: "Only this agent and those under it (default: every top-level agent)" }),
});

export const TreeNodeSchema = z
  .object({
    id: z.number().int(),
    agentCode: z.string(),
    agentName: z.string(),
    agentType: z.enum(ESA_AGENT_TYPES),
    status: z.enum(ESA_AGENT_STATUSES),
    parentAgentId: z.number().int().nullable(),
    divisionChiefId: z.number().int().nullable(),
    layerNumber: z.number().int().nullable(),
    tier: z.number().int().nullable(),
    depth: z.number().int().openapi({ description: "0 for the root" }),
    path: z.array(z.number().int()).openapi({ description: "Agent ids from the root down to this agent" }),
  })
  .openapi("EsaAgentTreeNode");
export type TreeNode = z.infer<typeof TreeNodeSchema>;

export const StatusBody = z
  .strictObject({ status: z.enum(ESA_AGENT_STATUSES), reason: singleLine(500, 1).optional() })
  .openapi("AgentStatusRequest");
