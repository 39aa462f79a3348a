/**
 * Fault injection: latency, error statuses, timeouts and dropped connections, per route template or
 * globally, optionally for a share of requests (`rate`), the next n requests (`count`) or some users.
 */
import * as z from 'zod';
import { seededRandom } from './random';

export const faultRuleSchema = z.strictObject({
  /** `*` (default) or `METHOD /template` exactly as the route templates are written. */
  route: z.string().min(1).optional(),
  latency_ms: z
    .union([
      z.number().min(0).max(600_000),
      z
        .strictObject({ min: z.number().min(0).max(600_000), max: z.number().min(0).max(600_000) })
        .refine((range) => range.min <= range.max, 'min must not exceed max'),
    ])
    .optional(),
  status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503)]).optional(),
  retry_after_seconds: z.number().int().min(0).max(86_400).optional(),
  timeout: z.literal(true).optional(),
  drop_connection: z.literal(true).optional(),
  rate: z.number().min(0).max(1).optional(),
  count: z.number().int().min(1).optional(),
  user_ids: z.array(z.string()).min(1).optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;
export const faultRulesSchema = z.array(faultRuleSchema).max(100);

export type FaultOutcome =
  | { kind: 'status'; status: 429 | 500 | 502 | 503; retryAfterSeconds: number | undefined }
  | { kind: 'timeout' }
  | { kind: 'drop' };

export interface FaultDecision {
  latencyMs: number;
  outcome: FaultOutcome | null;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

export class FaultEngine {
  private rules: ActiveRule[] = [];
  private random: () => number;

  constructor(
    seed: number,
    private readonly knownRoutes: ReadonlySet<string>,
  ) {
    this.random = seededRandom(seed ^ 0x5eed);
  }

  /** Replaces the rule set; throws a message naming the rule and route when a route is unknown. */
  set(rules: FaultRule[]): void {
    rules.forEach((rule, index) => {
      if (rule.route !== undefined && rule.route !== '*' && !this.knownRoutes.has(rule.route)) {
        throw new UnknownFaultRouteError(index, rule.route);
      }
    });
    this.rules = rules.map((rule) => ({ rule, remaining: rule.count ?? Number.POSITIVE_INFINITY }));
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules still in force, with the count left for counted ones. */
  list(): (FaultRule & { remaining?: number })[] {
    return this.rules.map(({ rule, remaining }) =>
      Number.isFinite(remaining) ? { ...rule, remaining } : { ...rule },
    );
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /**
   * Applies every matching rule: latencies add up, the first rule with a status, timeout or drop
   * decides the outcome. A counted rule is used up only when it fires (its `rate` roll succeeded).
   */
  decide(routeKey: string, userId: string | null): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, outcome: null };
    if (this.rules.length === 0) return decision;
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      if (rule.route !== undefined && rule.route !== '*' && rule.route !== routeKey) continue;
      if (rule.user_ids !== undefined && (userId === null || !rule.user_ids.includes(userId))) continue;
      if (rule.rate !== undefined && this.random() >= rule.rate) continue;
      active.remaining -= 1;
      if (rule.latency_ms !== undefined) {
        decision.latencyMs +=
          typeof rule.latency_ms === 'number'
            ? rule.latency_ms
            : rule.latency_ms.min + this.random() * (rule.latency_ms.max - rule.latency_ms.min);
      }
      if (decision.outcome !== null) continue;
      if (rule.timeout) decision.outcome = { kind: 'timeout' };
      else if (rule.drop_connection) decision.outcome = { kind: 'drop' };
      else if (rule.status !== undefined) {
        decision.outcome = {
          kind: 'status',
          status: rule.status,
          retryAfterSeconds: rule.retry_after_seconds ?? (rule.status === 429 ? 1 : undefined),
        };
      }
    }
    this.rules = this.rules.filter((active) => active.remaining > 0);
    return decision;
  }
}

export class UnknownFaultRouteError extends Error {
  constructor(
    readonly index: number,
    readonly route: string,
  ) {
    super(
      `rules[${index}].route: unknown route "${route}" (use "*" or "METHOD /template" as listed in GET /__sim/routes)`,
    );
  }
}

/** Parses faults given as JSON text (CLI flag or PODERO_SIM_FAULTS); throws a readable error. */
export function parseFaultsJson(text: string, source: string): FaultRule[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${source}: not valid JSON`);
  }
  const candidate = Array.isArray(raw) ? raw : (raw as { rules?: unknown } | null)?.rules;
  const parsed = faultRulesSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${source}: ${issue ? `${issue.path.join('.') || 'rules'}: ${issue.message}` : 'invalid'}`,
    );
  }
  return parsed.data;
}
